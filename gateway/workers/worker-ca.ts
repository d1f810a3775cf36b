/**
 * The private certificate authority of the remote-worker channel (docs/workers.md):
 * it signs the control plane's listener certificate and one client certificate per
 * worker that joined, and its key (through HKDF) signs the join tokens. It is not the
 * gateway's user-facing TLS certificate and is never shown to browsers.
 *
 * Files: `<dir>/ca.crt` (public) and `<dir>/ca.key` (mode 0600). `kekkai worker ca init`
 * makes them ahead of time (Kubernetes Secret); the control plane makes them at first
 * start when they are missing.
 */
import { createHash, createPrivateKey, generateKeyPair, hkdfSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);
const CA_DAYS = 3650;
const LEAF_DAYS = 825;

export interface WorkerCa {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the CA certificate (DER), hex, for logs and the admin console. */
  fingerprint: string;
  /** Key that signs join tokens, derived from the CA key (never stored elsewhere). */
  tokenKey: Buffer;
}

export interface IssuedCert {
  certPem: string;
  serial: string;
  fingerprint: string;
}

/** Loads the CA from `dir`, creating it when `create` and both files are missing. */
export async function loadWorkerCa(dir: string, options: { create: boolean }): Promise<WorkerCa> {
  const certFile = path.join(dir, 'ca.crt');
  const keyFile = path.join(dir, 'ca.key');
  if (!existsSync(certFile) && !existsSync(keyFile)) {
    if (!options.create) throw new Error(`no worker CA in ${dir} (run "kekkai worker ca init --dir ${dir}")`);
    await createWorkerCa(dir);
  }
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  const cert = new X509Certificate(certPem);
  if (!cert.ca || !cert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error(`${dir}: ca.crt is not a CA certificate matching ca.key`);
  return { certPem, keyPem, fingerprint: sha256Hex(cert.raw), tokenKey: deriveTokenKey(keyPem) };
}

/** Writes a new CA to `dir`; refuses to overwrite one. */
export async function createWorkerCa(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keys = await rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = backdated();
  cert.validity.notAfter = daysFromNow(CA_DAYS);
  const subject = [{ name: 'commonName', value: 'kekkai worker CA' }, { name: 'organizationName', value: 'kekkai' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  await writeFile(path.join(dir, 'ca.key'), forge.pki.privateKeyToPem(keys.privateKey), { mode: 0o600, flag: 'wx' });
  await writeFile(path.join(dir, 'ca.crt'), forge.pki.certificateToPem(cert), { mode: 0o644, flag: 'wx' });
}

/** The control plane's certificate for its worker listener (server auth only). */
export async function issueListenerCert(ca: WorkerCa, hostnames: readonly string[]): Promise<{ certPem: string; keyPem: string }> {
  const keys = await rsaKeyPair();
  const altNames = hostnames.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name }));
  const cert = leaf(ca, keys.publicKey, hostnames[0] ?? 'kekkai-control', [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/**
 * A worker's client certificate from its certificate request. Only the request's
 * public key is used (its proof of possession is checked); the name is the control
 * plane's choice, so a worker cannot pick another worker's identity.
 */
export function issueWorkerCert(ca: WorkerCa, csrPem: string, workerName: string): IssuedCert {
  let csr: ReturnType<typeof forge.pki.certificationRequestFromPem>;
  try {
    csr = forge.pki.certificationRequestFromPem(csrPem);
  } catch {
    throw new Error('the certificate request is not a PEM PKCS#10 request');
  }
  // The key's size is checked before its signature: verifying with a huge modulus or
  // exponent in pure JavaScript would hold the event loop for minutes.
  const publicKey = csr.publicKey as forge.pki.rsa.PublicKey | null;
  const bits = publicKey && typeof publicKey.n?.bitLength === 'function' ? publicKey.n.bitLength() : 0;
  if (bits < 2048 || bits > 4096 || publicKey?.e?.toString(10) !== '65537') throw new Error('the certificate request must carry an RSA key of 2048–4096 bits with exponent 65537');
  let selfSigned = false;
  try {
    selfSigned = csr.verify();
  } catch {
    selfSigned = false; // forge throws on a signature made with another key
  }
  if (!selfSigned) throw new Error('the certificate request is not signed by its own key');
  const cert = leaf(ca, publicKey, workerName, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  const certPem = forge.pki.certificateToPem(cert);
  const x509 = new X509Certificate(certPem);
  return { certPem, serial: x509.serialNumber, fingerprint: sha256Hex(x509.raw) };
}

/** A new worker key and its certificate request (the worker side of joining). */
export async function createWorkerKeyAndCsr(): Promise<{ keyPem: string; csrPem: string }> {
  const keys = await rsaKeyPair();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([{ name: 'commonName', value: 'kekkai worker' }]);
  csr.sign(keys.privateKey, forge.md.sha256.create());
  return { keyPem: forge.pki.privateKeyToPem(keys.privateKey), csrPem: forge.pki.certificationRequestToPem(csr) };
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function leaf(ca: WorkerCa, publicKey: forge.pki.PublicKey, commonName: string, extensions: object[]): forge.pki.Certificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = backdated();
  cert.validity.notAfter = daysFromNow(LEAF_DAYS);
  cert.setSubject([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'kekkai' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([...extensions, { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() }]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return cert;
}

async function rsaKeyPair(): Promise<{ publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey }> {
  // Node generates the key (native, fast); forge only builds the certificates.
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function deriveTokenKey(keyPem: string): Buffer {
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  return Buffer.from(hkdfSync('sha256', der, Buffer.alloc(0), 'kekkai worker join token v1', 32));
}

/** Positive 16-byte serial (the high bit cleared keeps it positive in DER). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function backdated(): Date {
  return new Date(Date.now() - 5 * 60_000);
}

function daysFromNow(days: number): Date {
  return new Date(Date.now() + days * 86_400_000);
}
