/**
 * TLS material: the operator's certificate and key when configured, else a
 * self-signed certificate made at first start under <dataDir>/tls and reused
 * afterwards. Its SHA-256 fingerprint is printed so users can verify it.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import selfsigned from 'selfsigned';

export interface TlsMaterial {
  key: string;
  cert: string;
  fingerprint256: string;
  selfSigned: boolean;
  /** True when this call created the self-signed certificate. */
  created: boolean;
}

export function loadTlsMaterial(options: { cert?: string; key?: string; dataDir: string; host: string }): TlsMaterial {
  if (options.cert && options.key) {
    const cert = readFileSync(options.cert, 'utf8');
    const key = readFileSync(options.key, 'utf8');
    return { cert, key, fingerprint256: new X509Certificate(cert).fingerprint256, selfSigned: false, created: false };
  }
  const dir = path.join(options.dataDir, 'tls');
  const certFile = path.join(dir, 'self-signed-cert.pem');
  const keyFile = path.join(dir, 'self-signed-key.pem');
  let created = false;
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const generated = generateSelfSigned(options.host);
    writeFileSync(keyFile, generated.private, { mode: 0o600 });
    writeFileSync(certFile, generated.cert, { mode: 0o644 });
    created = true;
  }
  const cert = readFileSync(certFile, 'utf8');
  const key = readFileSync(keyFile, 'utf8');
  return { cert, key, fingerprint256: new X509Certificate(cert).fingerprint256, selfSigned: true, created };
}

function generateSelfSigned(host: string): { private: string; cert: string } {
  const names = new Set(['localhost', os.hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  if (/^[\d.]+$/.test(host) || host.includes(':')) {
    if (host !== '0.0.0.0' && host !== '::') ips.add(host);
  } else {
    names.add(host);
  }
  const altNames = [...[...names].map((value) => ({ type: 2, value })), ...[...ips].map((ip) => ({ type: 7, ip }))];
  return selfsigned.generate([{ name: 'commonName', value: os.hostname() || 'kekkai' }], {
    days: 825,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
}
