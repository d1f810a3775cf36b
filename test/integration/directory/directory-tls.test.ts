/**
 * The directory connection's transport against a real slapd: StartTLS on ldap://
 * works with the right CA; a certificate from another CA is refused (LDAPS and
 * StartTLS) — sign-in says the directory is unavailable, the console's connection
 * test says why, and local accounts keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type AppHarness } from '../gateway/app-harness.js';
import { loadConfig } from '../../../gateway/config/load-config.js';
import { adminCall, directoryApp, ldapSettings, login } from './directory-helpers.js';
import { SERVICE_DN, startSlapd, USER_PW, type Slapd } from './slapd-harness.js';
import type { SignedIn } from '../admin/admin-helpers.js';

let slapd: Slapd;
const apps: AppHarness[] = [];

beforeAll(async () => {
  slapd = await startSlapd();
});
afterAll(async () => {
  for (const h of apps) await h.close();
  await slapd?.stop();
});

async function app(overrides: Record<string, unknown>): Promise<{ h: AppHarness; admin: SignedIn }> {
  const made = await directoryApp(slapd, overrides);
  apps.push(made.h);
  return made;
}

describe('directory transport', () => {
  it('signs in over ldap:// upgraded with StartTLS, the certificate checked', async () => {
    const { h, admin } = await app({ url: [slapd.ldapUrl], startTls: true });
    expect((await login(h, 'tanaka', USER_PW)).statusCode).toBe(200);
    expect((await adminCall(h, admin, 'POST', '/api/admin/directory/test-connection')).json()).toMatchObject({ ok: true, url: slapd.ldapUrl });
  });

  it.each([
    ['LDAPS', () => ({ caFile: slapd.wrongCaFile })],
    ['StartTLS', () => ({ url: [slapd.ldapUrl], startTls: true, caFile: slapd.wrongCaFile })],
  ])('refuses a server certificate from another CA (%s)', async (_name, settings) => {
    const { h, admin } = await app(settings());
    const res = await login(h, 'tanaka', USER_PW);
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('KEKKAI_ERR_DIRECTORY_UNAVAILABLE');
    expect(h.store.users.findByName('tanaka')).toBeUndefined();
    const test = (await adminCall(h, admin, 'POST', '/api/admin/directory/test-connection')).json();
    expect(test).toMatchObject({ ok: false, problem: 'tls' });
    expect(test.message.ja).toContain('証明書');
    expect((await login(h, 'nurse', PASSWORD)).statusCode).toBe(200);
  });

  it('says when the service account is refused, and when a server is down it tries the next one', async () => {
    const { h, admin } = await app({ url: ['ldaps://127.0.0.1:1', slapd.ldapsUrl] });
    expect((await login(h, 'tanaka', USER_PW)).statusCode).toBe(200);
    const { h: h2, admin: admin2 } = await app({ bindDn: `cn=nobody,${SERVICE_DN.split(',').slice(1).join(',')}` });
    const test = (await adminCall(h2, admin2, 'POST', '/api/admin/directory/test-connection')).json();
    expect(test).toMatchObject({ ok: false, problem: 'service-bind' });
    expect(test.message.ja).toContain('サービスアカウント');
    expect((await adminCall(h, admin, 'POST', '/api/admin/directory/test-connection')).json().ok).toBe(true);
  });

  it('refuses plain ldap:// at start unless explicitly allowed', async () => {
    expect(() => loadConfig({ env: {}, overrides: { ldap: ldapSettings(slapd, { url: [slapd.ldapUrl] }) } })).toThrow(/KEKKAI_LDAP_ALLOW_PLAIN/);
    const { h } = await app({ url: [slapd.ldapUrl], allowPlain: true });
    expect((await login(h, 'tanaka', USER_PW)).statusCode).toBe(200);
  });
});
