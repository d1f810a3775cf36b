/**
 * Kerberos single sign-on against a real MIT KDC and a real OpenLDAP slapd, both on
 * loopback: a user's ticket (kinit) becomes a SPNEGO token (MIT GSSAPI), the gateway
 * verifies it with the service keytab, looks the person up in the directory and signs
 * them in with the directory's role — no password typed. No header, garbage, a replay,
 * a ticket for a re-keyed service, a machine principal, a realm that is not allowed, a
 * principal the directory does not know, a disabled person: refused and audited.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHarness } from '../gateway/app-harness.js';
import { buildTestApp, PASSWORD } from '../gateway/app-harness.js';
import { adminCall, cookieOf, directoryApp, host, ldapSettings, MAPPING } from '../directory/directory-helpers.js';
import { Attribute, Change } from 'ldapts';
import { startSlapd, userDn, type Slapd } from '../directory/slapd-harness.js';
import type { SignedIn } from '../admin/admin-helpers.js';
import { addUser, signInEnrolling, totpCode } from '../admin/admin-helpers.js';
import { negotiateToken } from './gssapi-client.js';
import { REALM, SERVICE_HOST, SERVICE_PRINCIPAL, startKdc, type Kdc } from './kdc-harness.js';

const execFileAsync = promisify(execFile);
let kdc: Kdc;
let slapd: Slapd;
let h: AppHarness;
let admin: SignedIn;
const ccaches = new Map<string, string>();

const kerberosSettings = (overrides: Record<string, unknown> = {}) => ({ keytab: kdc.keytab, servicePrincipal: `${SERVICE_PRINCIPAL}@${REALM}`, realms: [REALM], ...overrides });

beforeAll(async () => {
  [kdc, slapd] = await Promise.all([startKdc(), startSlapd()]);
  // tanaka (staff), sato (admin), taisha (locked in the directory) exist in the directory; ghost does not.
  for (const user of ['tanaka', 'sato', 'taisha', 'ghost', 'host/pc01']) {
    kdc.addUser(user);
    ccaches.set(user, kdc.kinit(user));
  }
  ({ h, admin } = await directoryApp(slapd, {}, { kerberos: kerberosSettings() }));
}, 60_000);
afterAll(async () => {
  await h?.close();
  await slapd?.stop();
  await kdc?.stop();
});

/** Each test comes from its own address: the refusals of one do not lock another (the throttle has its own test). */
const negotiate = (app: AppHarness, authorization?: string, remoteAddress = '127.0.0.1') =>
  app.app.inject({ method: 'POST', url: '/api/login/kerberos', remoteAddress, headers: { host, origin: `https://${host}`, ...(authorization ? { authorization } : {}) }, payload: {} });
const ticketOf = async (user: string) => `Negotiate ${await negotiateToken(kdc, ccaches.get(user)!)}`;
const loginAudit = () => h.audit.search({ events: ['login'] }, { limit: 1000 }).records;

describe('Kerberos single sign-on (MIT KDC, OpenLDAP)', () => {
  it('asks the browser for a ticket (401 Negotiate) when none is offered, without an audit record', async () => {
    const before = loginAudit().length;
    const res = await negotiate(h);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Negotiate');
    expect(res.json().reason).toBe('kerberos-no-ticket');
    expect(loginAudit()).toHaveLength(before);
    expect((await h.app.inject({ url: '/api/login/providers', headers: { host } })).json().kerberos).toBe(true);
  });

  it('signs a nurse in from her ticket alone: session, directory role and department, mutual authentication, audited', async () => {
    const res = await negotiate(h, await ticketOf('tanaka'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user).toEqual({ name: 'tanaka', role: 'staff' });
    expect(String(res.headers['www-authenticate'])).toMatch(/^Negotiate [A-Za-z0-9+/]+=*$/);
    const me = await h.app.inject({ url: '/api/me', headers: { host, cookie: cookieOf(res) } });
    expect(me.json().user).toMatchObject({ name: 'tanaka', role: 'staff' });
    // The same account a directory password would give (source ldap, the entry's id), not a second one.
    expect(h.store.users.findByName('tanaka')).toMatchObject({ authSource: 'ldap', department: '看護部', jobTitle: '看護師' });
    const record = loginAudit().find((r) => r.userName === 'tanaka' && r.outcome === 'success');
    expect(record?.details).toMatchObject({ authSource: 'ldap', checkedBy: 'kerberos', principal: `tanaka@${REALM}` });
    expect(record?.sourceIp).toBeTruthy();
    expect(JSON.stringify(loginAudit())).not.toContain(res.headers['www-authenticate']!.toString().slice(10, 40));
  });

  it('still asks an admin for kekkai\'s second factor: a ticket is not MFA', async () => {
    const res = await negotiate(h, await ticketOf('sato'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().needsTotpEnrolment).toBe(true);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(h.store.users.findByName('sato')?.role).toBe('admin');
    // Enrolling the second factor finishes the sign-in; its audit record still names the ticket.
    const { pendingToken } = res.json() as { pendingToken: string };
    const post = (url: string, payload: object) => h.app.inject({ method: 'POST', url, headers: { host, origin: `https://${host}` }, payload });
    const { secret } = (await post('/api/login/enrol/start', { pendingToken })).json() as { secret: string };
    const done = await post('/api/login/enrol', { pendingToken, code: totpCode(secret) });
    expect(done.statusCode, done.body).toBe(200);
    const record = loginAudit().find((r) => r.userName === 'sato' && r.outcome === 'success');
    expect(record?.details).toMatchObject({ authSource: 'ldap', checkedBy: 'kerberos', principal: `sato@${REALM}`, totpEnrolled: true });
  });

  it('refuses the same token twice (replay) and garbage, with a bilingual message, audited without the token', async () => {
    const token = await ticketOf('tanaka');
    expect((await negotiate(h, token)).statusCode).toBe(200);
    const replay = await negotiate(h, token, '10.0.0.2');
    // The replay cache is kept in the data directory (a read-only container has no writable /var/tmp).
    expect(readdirSync(path.join(h.dataDir, 'kerberos-rcache')).length).toBeGreaterThan(0);
    expect(replay.statusCode).toBe(401);
    expect(replay.headers['www-authenticate']).toBeUndefined();
    expect(replay.json()).toMatchObject({ code: 'KEKKAI_ERR_KERBEROS_INVALID_TOKEN', reason: 'kerberos-invalid-token' });
    expect(replay.json().message.ja).toContain('Kerberos チケット');
    expect(replay.json().message.en).toContain('could not be verified');
    const garbage = await negotiate(h, 'Negotiate YWJjZGVmZ2g=', '10.0.0.2');
    expect(garbage.statusCode).toBe(401);
    expect(garbage.json().reason).toBe('kerberos-invalid-token');
    const refusals = loginAudit().filter((r) => r.outcome === 'failure' && r.details.reason === 'kerberos-invalid-token');
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    expect(refusals[0]!.details).toMatchObject({ authSource: 'kerberos', checkedBy: 'kerberos' });
    expect(JSON.stringify(refusals)).not.toContain(token.slice(10, 60));
  });

  it('refuses headers that are not Negotiate, not base64 or too large, and NTLM without an error for the person', async () => {
    expect((await negotiate(h, 'Basic dGFuYWthOnB3', '10.0.0.3')).json().reason).toBe('kerberos-bad-header');
    expect((await negotiate(h, 'Negotiate !!!!', '10.0.0.3')).json().reason).toBe('kerberos-bad-header');
    const huge = await negotiate(h, `Negotiate ${'A'.repeat(16 * 1024)}`, '10.0.0.3');
    expect(huge.statusCode).toBe(400);
    expect(huge.json().reason).toBe('kerberos-bad-header');
    const ntlm = await negotiate(h, `Negotiate ${Buffer.from('NTLMSSP\0\x01\0\0\0').toString('base64')}`, '10.0.0.3');
    expect(ntlm.json().reason).toBe('kerberos-no-ticket');
    const audited = loginAudit().filter((r) => r.details.reason === 'kerberos-bad-header').map((r) => r.details.problem);
    expect(audited).toEqual(expect.arrayContaining(['not-negotiate', 'not-base64', 'too-large']));
  });

  it('refuses a machine principal and one the directory does not know', async () => {
    const machine = await negotiate(h, await ticketOf('host/pc01'), '10.0.0.4');
    expect(machine.statusCode).toBe(403);
    expect(machine.json().reason).toBe('kerberos-principal-invalid');
    const ghost = await negotiate(h, await ticketOf('ghost'), '10.0.0.4');
    expect(ghost.statusCode).toBe(403);
    expect(ghost.json().reason).toBe('kerberos-not-in-directory');
    expect(ghost.json().message.ja).toContain('ディレクトリに見つからない');
    expect(h.store.users.findByName('ghost')).toBeUndefined();
    expect(loginAudit().find((r) => r.details.reason === 'kerberos-not-in-directory')).toMatchObject({ userName: `ghost@${REALM}`, details: { principal: `ghost@${REALM}` } });
  });

  it('refuses a person disabled in the directory although their ticket is valid', async () => {
    const res = await negotiate(h, await ticketOf('taisha'), '10.0.0.5');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('KEKKAI_ERR_DIRECTORY_DISABLED');
    expect(loginAudit().find((r) => r.userName === 'taisha')?.details).toMatchObject({ reason: 'directory-disabled', checkedBy: 'kerberos', principal: `taisha@${REALM}` });
  });

  it('locks Kerberos sign-in from an address after repeated bad tokens (429), while a password still works there', async () => {
    for (let i = 0; i < 5; i += 1) expect((await negotiate(h, 'Negotiate YWJjZGVmZ2g=', '10.0.0.6')).json().reason).toBe('kerberos-invalid-token');
    const locked = await negotiate(h, await ticketOf('tanaka'), '10.0.0.6');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().reason).toBe('locked');
    expect(loginAudit().filter((r) => r.sourceIp === '10.0.0.6' && r.details.reason === 'locked')).toHaveLength(1);
    expect((await negotiate(h, await ticketOf('tanaka'), '10.0.0.7')).statusCode).toBe(200);
    const password = await h.app.inject({ method: 'POST', url: '/api/login', remoteAddress: '10.0.0.6', headers: { host, origin: `https://${host}` }, payload: { username: 'nurse', password: PASSWORD } });
    expect(password.statusCode, password.body).toBe(200);
  });

  it('shows the Kerberos state in the console\'s directory section', async () => {
    const res = await adminCall(h, admin, 'GET', '/api/admin/directory');
    expect(res.json().kerberos).toMatchObject({ configured: true, servicePrincipal: `${SERVICE_PRINCIPAL}@${REALM}`, realms: [REALM], keytab: { path: kdc.keytab, readable: true }, credentials: { ok: true } });
    expect(res.body).not.toMatch(/BEGIN|\\u0005\\u0002/);
  });
});

describe('Kerberos single sign-on, other setups', () => {
  it('refuses a valid ticket of a realm that is not allowed', async () => {
    const other = await buildTestApp({ ldap: ldapSettings(slapd), kerberos: kerberosSettings({ servicePrincipal: SERVICE_PRINCIPAL, realms: ['OTHER.TEST'] }) });
    try {
      const res = await negotiate(other, await ticketOf('tanaka'));
      expect(res.statusCode).toBe(403);
      expect(res.json().reason).toBe('kerberos-realm-not-allowed');
      expect(other.audit.search({ events: ['login'] }, { limit: 100 }).records.find((r) => r.details.reason === 'kerberos-realm-not-allowed')?.details).toMatchObject({ principal: `tanaka@${REALM}`, allowedRealms: ['OTHER.TEST'] });
      expect(other.store.users.findByName('tanaka')).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('looks the principal up in the attribute the admin named (KEKKAI_KERBEROS_DIRECTORY_ATTRIBUTE)', async () => {
    await slapd.asRoot((client) => client.modify(userDn('tanaka'), new Change({ operation: 'add', modification: new Attribute({ type: 'mail', values: [`tanaka@${REALM}`] }) })));
    const app = await buildTestApp({ ldap: ldapSettings(slapd), kerberos: kerberosSettings({ directoryAttribute: 'mail' }) });
    try {
      app.services.directory.admin.saveRoleMapping(MAPPING);
      const res = await negotiate(app, await ticketOf('tanaka'));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().user).toEqual({ name: 'tanaka', role: 'staff' });
      // sato has no such attribute: the principal names nobody.
      const sato = await negotiate(app, await ticketOf('sato'), '10.0.0.8');
      expect(sato.json().reason).toBe('kerberos-not-in-directory');
      expect(app.audit.search({ events: ['login'] }, { limit: 100 }).records.find((r) => r.details.reason === 'kerberos-not-in-directory')?.details.lookedUp).toBe(`mail=sato@${REALM}`);
    } finally {
      await app.close();
    }
  });

  it('signs in Debian\'s curl --negotiate over HTTPS (session cookie, mutual authentication token); without a ticket curl gets the challenge', async () => {
    const app = await buildTestApp({ port: 0, ldap: ldapSettings(slapd), kerberos: kerberosSettings() }, { https: true });
    try {
      app.services.directory.admin.saveRoleMapping(MAPPING);
      const port = new URL(await app.listen()).port;
      const url = `https://${SERVICE_HOST}:${port}/api/login/kerberos`;
      const args = ['-sk', '--negotiate', '-u', ':', '--resolve', `${SERVICE_HOST}:${port}:127.0.0.1`, '-X', 'POST', '-H', 'content-type: application/json', '--data', '{}', '-D', '-', url];
      // Asynchronously: the gateway answering curl runs in this process.
      const run = async (ccache: string) => (await execFileAsync('/usr/bin/curl', args, { env: { PATH: process.env.PATH, ...kdc.env(ccache) }, encoding: 'utf8', timeout: 20_000 })).stdout;
      const signedIn = await run(ccaches.get('tanaka')!);
      expect(signedIn).toMatch(/^HTTP\/1\.1 200/m);
      expect(signedIn).toMatch(/^www-authenticate: Negotiate [A-Za-z0-9+/]+=*\s*$/im);
      expect(signedIn).toMatch(/^set-cookie: kekkai_sid=/im);
      expect(signedIn).toContain('"name":"tanaka"');
      // curl without a ticket gets only the challenge.
      const none = await run(path.join(kdc.dir, 'no-such-ccache'));
      expect(none).toMatch(/^HTTP\/1\.1 401/m);
      expect(none).not.toMatch(/^HTTP\/1\.1 200/m);
      expect(none).toContain('kerberos-no-ticket');
    } finally {
      await app.close();
    }
  });

  // Re-keys the service for good: keep it after every test that uses the original keytab.
  it('refuses a ticket for a service key the keytab no longer has (the admin re-keyed without exporting)', async () => {
    const app = await buildTestApp({ ldap: ldapSettings(slapd), kerberos: kerberosSettings() });
    try {
      await addUser(app, 'boss2', 'admin');
      const boss = await signInEnrolling(app, 'boss2');
      await app.app.inject({ method: 'PUT', url: '/api/admin/directory/role-mapping', headers: { host, cookie: boss.cookie, 'x-kekkai-csrf': boss.csrf }, payload: { rules: MAPPING } });
      kdc.rekeyService();
      const fresh = kdc.kinit('tanaka');
      const res = await negotiate(app, `Negotiate ${await negotiateToken(kdc, fresh)}`);
      expect(res.statusCode).toBe(401);
      expect(res.json().reason).toBe('kerberos-invalid-token');
      expect(app.audit.search({ events: ['login'] }, { limit: 100 }).records.find((r) => r.details.reason === 'kerberos-invalid-token')?.details.detail).toMatch(/key|version|decrypt|integrity/i);
    } finally {
      await app.close();
    }
  });

  it('will not start with a keytab it cannot read, nor without a directory', async () => {
    await expect(buildTestApp({ ldap: ldapSettings(slapd), kerberos: kerberosSettings({ keytab: `${kdc.dir}/missing.keytab` }) })).rejects.toThrow(/KEKKAI_KERBEROS_KEYTAB.*cannot be used/);
    await expect(buildTestApp({ kerberos: kerberosSettings() })).rejects.toThrow(/KEKKAI_LDAP_URL/);
  });
});
