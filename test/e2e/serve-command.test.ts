/**
 * `kekkai serve` as a new user starts it: first start creates the admin with a
 * one-time password printed once, makes a self-signed certificate (fingerprint
 * printed), and prints one "kekkai listening on https://HOST:PORT" line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import tls from 'node:tls';
import selfsigned from 'selfsigned';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diesWithTest, testRunMarker } from '../process-lifetime-check.js';

const BIN = path.resolve('bin/kekkai.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function serve(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; stdout: () => string; url: string }> {
  const child = spawn(...diesWithTest(process.execPath, [BIN, 'serve']), {
    env: { PATH: process.env.PATH ?? '', KEKKAI_DATA_DIR: dataDir, KEKKAI_PORT: '0', KEKKAI_HOST: '127.0.0.1', KEKKAI_WARM_POOL: '0', ...testRunMarker(), ...env },
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /^kekkai listening on (https?:\/\/\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, stdout: () => out, url: m[1]! });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
}

function post(url: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function peerFingerprint(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

function writeCert(dir: string): string {
  const made = selfsigned.generate([{ name: 'commonName', value: 'kekkai.test' }], { keySize: 2048, algorithm: 'sha256', days: 30 });
  writeFileSync(path.join(dir, 'cert.pem'), made.cert);
  writeFileSync(path.join(dir, 'key.pem'), made.private, { mode: 0o600 });
  return new X509Certificate(made.cert).fingerprint256;
}

describe('kekkai serve', () => {
  it('serves the configured certificate and reloads it on SIGHUP', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-serve-'));
    dirs.push(dataDir);
    const first = writeCert(dataDir);
    const { child, url } = await serve(dataDir, {
      KEKKAI_TLS_CERT: path.join(dataDir, 'cert.pem'),
      KEKKAI_TLS_KEY: path.join(dataDir, 'key.pem'),
      KEKKAI_ADMIN_PASSWORD: 'Given-admin-pass-1!',
    });
    expect(await peerFingerprint(url)).toBe(first);
    const second = writeCert(dataDir);
    child.kill('SIGHUP');
    await expect.poll(() => peerFingerprint(url), { timeout: 10_000 }).toBe(second);
  });

  it('first start prints a one-time admin password, the certificate fingerprint and the listening line', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-serve-'));
    dirs.push(dataDir);
    const first = await serve(dataDir);
    expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const out = first.stdout();
    expect(out.match(/^kekkai listening on /gm)).toHaveLength(1);
    const password = /one-time password: (\S+)/.exec(out)?.[1];
    expect(password).toBeTruthy();
    const fingerprint = /SHA-256 fingerprint ([0-9A-F:]+)/.exec(out)?.[1];
    const cert = new X509Certificate(readFileSync(path.join(dataDir, 'tls', 'self-signed-cert.pem')));
    expect(fingerprint).toBe(cert.fingerprint256);

    expect((await post(`${first.url}/api/login`, { username: 'admin', password })).status).toBe(200);
    expect((await post(`${first.url}/api/login`, { username: 'admin', password: 'admin' })).status).toBe(401);

    // The second start creates no new admin and prints no password.
    first.child.kill('SIGTERM');
    await new Promise((r) => first.child.once('exit', r));
    const second = await serve(dataDir);
    expect(second.stdout()).not.toContain('one-time password');
    expect(second.stdout()).toContain(fingerprint!);
  });

  it('serves plain HTTP only behind the explicit flag', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-serve-'));
    dirs.push(dataDir);
    const { url } = await serve(dataDir, { KEKKAI_INSECURE_HTTP: 'true', KEKKAI_ADMIN_PASSWORD: 'Given-admin-pass-1!' });
    expect(url).toMatch(/^http:\/\//);
  });
});
