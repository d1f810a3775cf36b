/**
 * The remote-worker credentials (gateway/workers/worker-ca.ts, join-token.ts): the CA,
 * the certificates it issues from a worker's request, and stateless join tokens.
 */
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJoinToken, createJoinToken, joinTokenId } from '../../../gateway/workers/join-token.js';
import { createWorkerCa, createWorkerKeyAndCsr, issueListenerCert, issueWorkerCert, loadWorkerCa, type WorkerCa } from '../../../gateway/workers/worker-ca.js';

let dir: string;
let ca: WorkerCa;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-ca-'));
  ca = await loadWorkerCa(path.join(dir, 'ca'), { create: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('worker CA', () => {
  it('is a CA certificate with its key kept private, and is reused, never overwritten', async () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(statSync(path.join(dir, 'ca', 'ca.key')).mode & 0o777).toBe(0o600);
    const again = await loadWorkerCa(path.join(dir, 'ca'), { create: true });
    expect(again.fingerprint).toBe(ca.fingerprint);
    await expect(createWorkerCa(path.join(dir, 'ca'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(loadWorkerCa(path.join(dir, 'missing'), { create: false })).rejects.toThrow(/kekkai worker ca init/);
  });

  it('issues a client certificate for the key in a request, under its own name, verifiable by the CA', async () => {
    const { csrPem } = await createWorkerKeyAndCsr();
    const issued = issueWorkerCert(ca, csrPem, 'worker-0123456789ab');
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subject).toContain('CN=worker-0123456789ab');
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.2'); // clientAuth only
    expect(cert.keyUsage).not.toContain('1.3.6.1.5.5.7.3.1');
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
  });

  it('refuses requests that are not PEM, not self-signed, or carry a weak key', () => {
    expect(() => issueWorkerCert(ca, 'garbage', 'worker-x')).toThrow(/PEM/);
    const weak = forge.pki.rsa.generateKeyPair(1024);
    const csr = forge.pki.createCertificationRequest();
    csr.publicKey = weak.publicKey;
    csr.setSubject([{ name: 'commonName', value: 'w' }]);
    csr.sign(weak.privateKey, forge.md.sha256.create());
    expect(() => issueWorkerCert(ca, forge.pki.certificationRequestToPem(csr), 'worker-x')).toThrow(/2048/);
    // A key too big to verify cheaply, or with an odd exponent, is refused before its signature is checked.
    const huge = forge.pki.createCertificationRequest();
    huge.publicKey = forge.pki.setRsaPublicKey(new forge.jsbn.BigInteger('f'.repeat(2048), 16), new forge.jsbn.BigInteger('f'.repeat(2048), 16));
    huge.setSubject([{ name: 'commonName', value: 'w' }]);
    huge.sign(weak.privateKey, forge.md.sha256.create());
    const started = Date.now();
    expect(() => issueWorkerCert(ca, forge.pki.certificationRequestToPem(huge), 'worker-x')).toThrow(/4096 bits with exponent 65537/);
    expect(Date.now() - started).toBeLessThan(2000);
    // A request whose signature does not match its key (a stolen public key) is refused.
    const stolen = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = forge.pki.rsa.generateKeyPair(2048);
    const forged = forge.pki.createCertificationRequest();
    forged.publicKey = forge.pki.publicKeyFromPem(stolen.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    forged.setSubject([{ name: 'commonName', value: 'w' }]);
    forged.sign(other.privateKey, forge.md.sha256.create());
    expect(() => issueWorkerCert(ca, forge.pki.certificationRequestToPem(forged), 'worker-x')).toThrow(/not signed by its own key/);
  }, 30_000);

  it('makes a listener certificate for the given names and addresses (server auth)', async () => {
    const { certPem } = await issueListenerCert(ca, ['kekkai-control', '10.0.0.5']);
    const cert = new X509Certificate(certPem);
    expect(cert.subjectAltName).toContain('DNS:kekkai-control');
    expect(cert.subjectAltName).toContain('IP Address:10.0.0.5');
    expect(cert.checkHost('kekkai-control')).toBe('kekkai-control');
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
  });
});

describe('join tokens', () => {
  const never = (): boolean => false;

  it('are accepted until they expire, carry the CA, and name their id', () => {
    const now = new Date('2026-12-02T00:00:00Z');
    const file = createJoinToken(ca, { ttlHours: 24, now });
    expect(file.ca).toBe(ca.certPem);
    expect(file.expires).toBe('2026-12-03T00:00:00.000Z');
    expect(joinTokenId(file.token)).toBe(file.id);
    expect(checkJoinToken(ca, file.token, never, new Date('2026-12-02T23:59:59Z'))).toEqual({ ok: true, id: file.id });
    expect(checkJoinToken(ca, file.token, never, new Date('2026-12-03T00:00:00Z'))).toEqual({ ok: false, reason: 'expired', id: file.id });
  });

  it('are refused when revoked, altered, signed by another CA, or malformed', async () => {
    const file = createJoinToken(ca, { ttlHours: 1 });
    expect(checkJoinToken(ca, file.token, (id) => id === file.id)).toMatchObject({ ok: false, reason: 'revoked' });
    // Moving the expiry breaks the MAC.
    const [prefix, id, expires, mac] = file.token.split('.');
    const later = `${prefix}.${id}.${Number(expires) + 3600}.${mac}`;
    expect(checkJoinToken(ca, later, never)).toMatchObject({ ok: false, reason: 'bad-signature' });
    const other = await loadWorkerCa(path.join(dir, 'other'), { create: true });
    expect(checkJoinToken(other, file.token, never)).toMatchObject({ ok: false, reason: 'bad-signature' });
    for (const bad of ['', 'kjt1', `${file.token}x`, 42, null, `kjt2.${id}.${expires}.${mac}`]) {
      expect(checkJoinToken(ca, bad, never)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('have a bounded lifetime', () => {
    expect(() => createJoinToken(ca, { ttlHours: 0 })).toThrow();
    expect(() => createJoinToken(ca, { ttlHours: 24 * 366 })).toThrow();
    expect(() => createJoinToken(ca, { ttlHours: Number.NaN })).toThrow();
  });
});
