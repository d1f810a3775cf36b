/**
 * OpenID Connect sign-in through the real routes against a provider on loopback
 * (HTTPS, test CA; ID tokens signed with jose): a valid sign-in provisions the
 * account with the mapped role; tampered, wrongly signed, expired, other-audience,
 * other-issuer and wrong-nonce ID tokens are refused, as are a callback without this
 * browser's flow, a replayed callback and the provider's own refusal — each audited.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type AppHarness } from '../gateway/app-harness.js';
import { addUser, signInEnrolling, type SignedIn } from '../admin/admin-helpers.js';
import { askOutcome, auditOf, cookiesOf, host, me, setCookieLine } from './federation-helpers.js';
import { CLIENT_ID, CLIENT_SECRET, startTestIssuer, type TestIssuer } from './test-oidc-issuer.js';

let dir: string;
let issuer: TestIssuer;
let h: AppHarness;
let admin: SignedIn;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-oidc-'));
  issuer = await startTestIssuer(dir);
  h = await buildTestApp({
    oidc: { issuer: issuer.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, caFile: issuer.caFile, departmentClaim: 'department', label: 'テスト IdP', timeoutSeconds: 3 },
    'externalSignIn.trustIdpMfa': ['oidc'],
  });
  await addUser(h, 'boss', 'admin');
  admin = await signInEnrolling(h, 'boss');
  const rules = [{ group: 'kekkai-admins', role: 'admin' }, { group: 'kekkai-staff', role: 'staff' }];
  const res = await h.app.inject({ method: 'PUT', url: '/api/admin/federation/oidc/role-mapping', headers: { host, cookie: admin.cookie, 'x-kekkai-csrf': admin.csrf }, payload: { rules } });
  if (res.statusCode !== 200) throw new Error(`role mapping: ${res.body}`);
});
afterAll(async () => {
  await h?.close();
  await issuer?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Button → provider (the test stands in for the person) → callback. */
async function signIn(opts: { flowCookie?: string | null; query?: (code: string, state: string) => string } = {}) {
  const start = await h.app.inject({ url: '/auth/oidc/start', headers: { host } });
  expect(start.statusCode, start.body).toBe(303);
  const location = String(start.headers.location);
  expect(location.startsWith(`${issuer.issuer}/authorize?`)).toBe(true);
  const flow = cookiesOf(start).kekkai_oidc!;
  const { code, state } = issuer.authorize(location);
  const query = opts.query ? opts.query(code, state) : `code=${code}&state=${state}`;
  const cookie = opts.flowCookie === null ? '' : `kekkai_oidc=${opts.flowCookie ?? flow}`;
  const callback = await h.app.inject({ url: `/auth/oidc/callback?${query}`, headers: { host, ...(cookie ? { cookie } : {}) } });
  expect(callback.statusCode).toBe(303);
  expect(callback.headers.location).toBe('/login?external=1');
  return { start, callback, location, flow, code, state, ...(await askOutcome(h, callback)) };
}

/** Newest first. */
const lastRefusal = () => auditOf(h, 'login').find((r) => r.outcome === 'failure')!;
const lastLogin = () => auditOf(h, 'login')[0]!;

describe('OIDC sign-in', () => {
  it('lists the provider for the login page button', async () => {
    const res = await h.app.inject({ url: '/api/login/providers', headers: { host } });
    expect(res.json()).toEqual({ providers: [{ id: 'oidc', label: 'テスト IdP' }], kerberos: false });
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce, bound to an HttpOnly Lax cookie', async () => {
    const start = await h.app.inject({ url: '/auth/oidc/start', headers: { host } });
    const url = new URL(String(start.headers.location));
    expect(url.searchParams.get('redirect_uri')).toBe(`https://${host}/auth/oidc/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')!.length).toBeGreaterThan(20);
    expect(url.searchParams.get('nonce')!.length).toBeGreaterThan(20);
    expect(url.searchParams.get('scope')).toBe('openid profile email');
    const line = setCookieLine(start, 'kekkai_oidc');
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/Secure/i);
    expect(line).toMatch(/SameSite=Lax/i);
    expect(line).toMatch(/Path=\/auth\/oidc/);
  });

  it('signs in a nurse: account provisioned from the ID token with the mapped role and department, audited with the source', async () => {
    const { outcome, sessionCookie } = await signIn();
    expect(outcome.statusCode, JSON.stringify(lastRefusal()?.details)).toBe(200);
    expect(outcome.json()).toEqual({ ok: true });
    expect((await me(h, sessionCookie)).json().user).toMatchObject({ name: 'tanaka', role: 'staff' });
    expect(h.store.users.findByName('tanaka')).toMatchObject({ authSource: 'oidc', externalId: 'sub-tanaka', role: 'staff', department: '看護部' });
    expect(lastLogin()).toMatchObject({ userName: 'tanaka', outcome: 'success', details: { authSource: 'oidc' } });
    expect(auditOf(h, 'account-change').find((r) => r.details.action === 'provision' && r.details.account === 'tanaka')?.details).toMatchObject({ authSource: 'oidc', source: 'sign-in' });
  });

  it('refuses a tampered ID token (a claim changed after signing)', async () => {
    issuer.idToken = async (req) => {
      const [header, , signature] = (await req.sign(issuer.claims(req.nonce))).split('.');
      const forged = Buffer.from(JSON.stringify(issuer.claims(req.nonce, { groups: ['kekkai-admins'] }))).toString('base64url');
      return `${header}.${forged}.${signature}`;
    };
    const { outcome } = await signIn();
    expect(outcome.statusCode).toBe(401);
    expect(outcome.json().code).toBe('KEKKAI_ERR_FEDERATION_INVALID_RESPONSE');
    expect(outcome.json().message.ja).toContain('検証できなかった');
    expect(lastRefusal().details).toMatchObject({ reason: 'federation-invalid-response', authSource: 'oidc' });
  });

  it('refuses an ID token signed by a key the provider does not publish', async () => {
    issuer.idToken = async (req) => req.sign(issuer.claims(req.nonce), { key: issuer.otherKey });
    expect((await signIn()).outcome.json().code).toBe('KEKKAI_ERR_FEDERATION_INVALID_RESPONSE');
  });

  it('refuses an ID token for another audience', async () => {
    issuer.idToken = async (req) => req.sign(issuer.claims(req.nonce, { aud: 'some-other-app' }));
    expect((await signIn()).outcome.json().code).toBe('KEKKAI_ERR_FEDERATION_INVALID_RESPONSE');
    expect(String(lastRefusal().details.detail)).toMatch(/aud/);
  });

  it('refuses an expired ID token', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    issuer.idToken = async (req) => req.sign(issuer.claims(req.nonce, { iat: past - 300, exp: past }));
    expect((await signIn()).outcome.json().code).toBe('KEKKAI_ERR_FEDERATION_INVALID_RESPONSE');
    expect(String(lastRefusal().details.detail)).toMatch(/exp|timestamp/i);
  });

  it('refuses an ID token from another issuer', async () => {
    issuer.idToken = async (req) => req.sign(issuer.claims(req.nonce, { iss: 'https://evil.example' }));
    expect((await signIn()).outcome.json().code).toBe('KEKKAI_ERR_FEDERATION_INVALID_RESPONSE');
  });

  it('refuses an ID token whose nonce is not the one of this sign-in', async () => {
    issuer.idToken = async (req) => req.sign(issuer.claims('another-nonce'));
    expect((await signIn()).outcome.json().code).toBe('KEKKAI_ERR_FEDERATION_INVALID_RESPONSE');
    expect(String(lastRefusal().details.detail)).toMatch(/nonce/);
    expect(h.store.users.findByName('tanaka')?.role).toBe('staff');
  });

  it('refuses a callback without this browser\'s flow, with another state, or replayed', async () => {
    issuer.idToken = async (req) => req.sign(issuer.claims(req.nonce));
    const noCookie = await signIn({ flowCookie: null });
    expect(noCookie.outcome.json().code).toBe('KEKKAI_ERR_FEDERATION_EXPIRED');
    const otherState = await signIn({ query: (code) => `code=${code}&state=forged-state` });
    expect(otherState.outcome.json().code).toBe('KEKKAI_ERR_FEDERATION_INVALID_RESPONSE');
    const ok = await signIn();
    expect(ok.outcome.statusCode).toBe(200);
    const replay = await h.app.inject({ url: `/auth/oidc/callback?code=${ok.code}&state=${ok.state}`, headers: { host, cookie: `kekkai_oidc=${ok.flow}` } });
    expect((await askOutcome(h, replay)).outcome.json().code).toBe('KEKKAI_ERR_FEDERATION_EXPIRED');
  });

  it('tells the person when the provider refused (access_denied) and audits it', async () => {
    const { outcome } = await signIn({ query: (_code, state) => `error=access_denied&error_description=user+cancelled&state=${state}` });
    expect(outcome.json().code).toBe('KEKKAI_ERR_FEDERATION_PROVIDER_ERROR');
    expect(lastRefusal().details).toMatchObject({ reason: 'federation-provider-error', authSource: 'oidc' });
  });

  it('refuses a person in no mapped group, creating no account', async () => {
    issuer.idToken = async (req) => req.sign(issuer.claims(req.nonce, { sub: 'sub-yamada', preferred_username: 'yamada', groups: ['other'] }));
    const { outcome } = await signIn();
    expect(outcome.statusCode).toBe(403);
    expect(outcome.json().code).toBe('KEKKAI_ERR_NO_MAPPED_GROUP');
    expect(h.store.users.findByName('yamada')).toBeUndefined();
    expect(lastRefusal()).toMatchObject({ userName: 'yamada', details: { reason: 'no-mapped-group', authSource: 'oidc', groups: ['other'] } });
  });

  it('asks an admin without the provider\'s MFA claim to enrol kekkai\'s TOTP; with amr=mfa (trusted) signs in, recorded as idp-mfa', async () => {
    issuer.idToken = async (req) => req.sign(issuer.claims(req.nonce, { sub: 'sub-sato', preferred_username: 'sato', groups: ['kekkai-admins'] }));
    const withoutMfa = await signIn();
    expect(withoutMfa.outcome.json()).toMatchObject({ needsTotpEnrolment: true });
    expect(withoutMfa.sessionCookie).toBe('');
    issuer.idToken = async (req) => req.sign(issuer.claims(req.nonce, { sub: 'sub-sato', preferred_username: 'sato', groups: ['kekkai-admins'], amr: ['pwd', 'mfa'] }));
    const withMfa = await signIn();
    expect(withMfa.outcome.json()).toEqual({ ok: true });
    expect((await me(h, withMfa.sessionCookie)).json().user).toMatchObject({ name: 'sato', role: 'admin' });
    expect(lastLogin()).toMatchObject({ userName: 'sato', outcome: 'success', details: { authSource: 'oidc', secondFactor: 'idp-mfa' } });
  });

  it('signs out at the provider too (RP-initiated logout with the ID token as hint)', async () => {
    issuer.idToken = async (req) => req.sign(issuer.claims(req.nonce));
    const { sessionCookie } = await signIn();
    const csrf = (await me(h, sessionCookie)).json().csrfToken as string;
    const out = await h.app.inject({ method: 'POST', url: '/api/logout', headers: { host, origin: `https://${host}`, cookie: sessionCookie, 'x-kekkai-csrf': csrf }, payload: {} });
    const logoutUrl = new URL(out.json().logoutUrl as string);
    expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(`${issuer.issuer}/logout`);
    expect(logoutUrl.searchParams.get('post_logout_redirect_uri')).toBe(`https://${host}/login`);
    expect(logoutUrl.searchParams.get('id_token_hint')?.split('.')).toHaveLength(3);
    expect((await me(h, sessionCookie)).statusCode).toBe(401);
  });

  it('role mapping rows are checked and explained (Japanese and English)', async () => {
    const res = await h.app.inject({ method: 'PUT', url: '/api/admin/federation/oidc/role-mapping', headers: { host, cookie: admin.cookie, 'x-kekkai-csrf': admin.csrf }, payload: { rules: [{ group: ' ', role: 'staff' }, { group: 'x', role: 'root' }] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().fieldErrors).toEqual([
      expect.objectContaining({ index: 0, field: 'group', message: expect.objectContaining({ ja: 'グループを入力してください。' }) }),
      expect.objectContaining({ index: 1, field: 'role', message: expect.objectContaining({ en: 'Choose staff, admin or security as the role.' }) }),
    ]);
    const status = await h.app.inject({ url: '/api/admin/federation', headers: { host, cookie: admin.cookie } });
    expect(status.json().oidc).toMatchObject({ configured: true, roleMapping: [{ group: 'kekkai-admins', role: 'admin' }, { group: 'kekkai-staff', role: 'staff' }] });
    expect(status.json().oidc.settings).toMatchObject({ KEKKAI_OIDC_ISSUER: issuer.issuer, KEKKAI_OIDC_CLIENT_ID: CLIENT_ID, KEKKAI_OIDC_GROUPS_CLAIM: 'groups' });
    expect(JSON.stringify(status.json())).not.toContain(CLIENT_SECRET);
    expect(status.json().saml.configured).toBe(false);
  });
});
