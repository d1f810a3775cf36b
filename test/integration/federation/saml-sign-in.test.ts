/**
 * SAML 2.0 sign-in through the real routes, with an identity provider made in the
 * test (assertions signed by xml-crypto with a test key): a signed assertion signs
 * the person in with the mapped role; unsigned, altered after signing, signed by
 * another key, for another audience, expired or not yet valid (beyond the allowed
 * skew), for another recipient or destination, answering another request, and
 * replayed assertions are refused — each audited with the source.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type AppHarness } from '../gateway/app-harness.js';
import { addUser, signInEnrolling } from '../admin/admin-helpers.js';
import { askOutcome, auditOf, cookiesOf, host, me, setCookieLine } from './federation-helpers.js';
import { IDP_ENTITY_ID, IDP_SSO_URL, makeSigningKey, readAuthnRequest, responseXml, signAssertion, type AssertionOptions, type SigningKey } from './test-saml-idp.js';

const SP_ENTITY_ID = 'https://kekkai.test/saml-sp';
const ACS = `https://${host}/auth/saml/acs`;
const GROUPS = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';
const MFA = 'http://schemas.microsoft.com/claims/multipleauthn';

let dir: string;
let idp: SigningKey;
let h: AppHarness;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-saml-'));
  idp = makeSigningKey();
  const certFile = path.join(dir, 'idp.pem');
  writeFileSync(certFile, idp.cert);
  h = await buildTestApp({
    saml: { idpSsoUrl: IDP_SSO_URL, idpEntityId: IDP_ENTITY_ID, idpCertFile: certFile, spEntityId: SP_ENTITY_ID, departmentAttribute: 'department', label: '院内 IdP' },
    'externalSignIn.trustIdpMfa': ['saml'],
  });
  await addUser(h, 'boss', 'admin');
  const admin = await signInEnrolling(h, 'boss');
  const rules = [{ group: 'kekkai-admins', role: 'admin' }, { group: 'kekkai-staff', role: 'staff' }];
  const res = await h.app.inject({ method: 'PUT', url: '/api/admin/federation/saml/role-mapping', headers: { host, cookie: admin.cookie, 'x-kekkai-csrf': admin.csrf }, payload: { rules } });
  if (res.statusCode !== 200) throw new Error(`role mapping: ${res.body}`);
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The button: kekkai's AuthnRequest and this browser's flow cookie. */
async function start() {
  const res = await h.app.inject({ url: '/auth/saml/start', headers: { host } });
  expect(res.statusCode, res.body).toBe(303);
  return { res, request: readAuthnRequest(String(res.headers.location)), flow: cookiesOf(res).kekkai_saml! };
}

/** The IdP's form post to the ACS with this browser's cookie. */
async function post(xml: string, flow: string | null) {
  const callback = await h.app.inject({
    method: 'POST',
    url: '/auth/saml/acs',
    headers: { host, origin: 'https://idp.hospital.test', 'content-type': 'application/x-www-form-urlencoded', ...(flow ? { cookie: `kekkai_saml=${flow}` } : {}) },
    payload: new URLSearchParams({ SAMLResponse: Buffer.from(xml).toString('base64'), RelayState: '' }).toString(),
  });
  expect(callback.statusCode, callback.body).toBe(303);
  expect(callback.headers.location).toBe('/login?external=1');
  return askOutcome(h, callback);
}

const person = (requestId: string, extra: Partial<AssertionOptions> = {}): AssertionOptions => ({
  requestId,
  acsUrl: ACS,
  audience: SP_ENTITY_ID,
  attributes: { [GROUPS]: ['kekkai-staff'], department: ['放射線科'] },
  ...extra,
});

/** Start, then post what `make` builds for the request. */
async function signIn(make: (requestId: string) => string) {
  const { request, flow } = await start();
  return post(make(request.id), flow);
}

const lastRefusal = () => auditOf(h, 'login').find((r) => r.outcome === 'failure')!;
const refusedAs = async (result: Awaited<ReturnType<typeof post>>, code: string, detail?: RegExp) => {
  expect(result.outcome.json().code).toBe(code);
  expect(result.sessionCookie).toBe('');
  expect(lastRefusal().details).toMatchObject({ authSource: 'saml' });
  if (detail) expect(String(lastRefusal().details.detail)).toMatch(detail);
};

describe('SAML sign-in', () => {
  it('publishes SP metadata: entity id, ACS (HTTP-POST), assertions must be signed', async () => {
    const res = await h.app.inject({ url: '/auth/saml/metadata', headers: { host } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/samlmetadata+xml');
    expect(res.body).toContain(`entityID="${SP_ENTITY_ID}"`);
    expect(res.body).toContain(`Location="${ACS}"`);
    expect(res.body).toContain('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(res.body).toContain('WantAssertionsSigned="true"');
  });

  it('sends the browser to the IdP with an AuthnRequest naming kekkai and its ACS, bound to a SameSite=None cookie', async () => {
    const { res, request } = await start();
    expect(String(res.headers.location).startsWith(`${IDP_SSO_URL}?SAMLRequest=`)).toBe(true);
    expect(request.id).toMatch(/^_[0-9a-f]{40}$/);
    expect(request.acsUrl).toBe(ACS);
    expect(request.issuer).toBe(SP_ENTITY_ID);
    const line = setCookieLine(res, 'kekkai_saml');
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/Secure/i);
    expect(line).toMatch(/SameSite=None/i);
  });

  it('accepts a signed assertion: account provisioned with the mapped role and department, audited with the source', async () => {
    const { outcome, sessionCookie } = await signIn((id) => signAssertion(responseXml(person(id)), idp));
    expect(outcome.statusCode, JSON.stringify(lastRefusal()?.details)).toBe(200);
    expect((await me(h, sessionCookie)).json().user).toMatchObject({ name: 'pid-tanaka', role: 'staff' });
    expect(h.store.users.findByName('pid-tanaka')).toMatchObject({ authSource: 'saml', externalId: 'pid-tanaka', department: '放射線科' });
    expect(auditOf(h, 'login')[0]).toMatchObject({ userName: 'pid-tanaka', outcome: 'success', details: { authSource: 'saml' } });
  });

  it('refuses an unsigned assertion', async () => {
    await refusedAs(await signIn((id) => responseXml(person(id))), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /signature/i);
  });

  it('refuses an assertion altered after signing: NameID changed, or a group added', async () => {
    await refusedAs(await signIn((id) => signAssertion(responseXml(person(id)), idp).replace('>pid-tanaka<', '>pid-boss<')), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /signature/i);
    await refusedAs(await signIn((id) => signAssertion(responseXml(person(id)), idp).replace('>kekkai-staff<', '>kekkai-admins<')), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /signature/i);
    expect(h.store.users.findByName('pid-boss')).toBeUndefined();
    expect(h.store.users.findByName('pid-tanaka')?.role).toBe('staff');
  });

  it('refuses an assertion signed by a key that is not the configured IdP certificate', async () => {
    const other = makeSigningKey('someone else');
    await refusedAs(await signIn((id) => signAssertion(responseXml(person(id)), other)), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /signature/i);
  });

  it('refuses an assertion for another audience, or from another issuer', async () => {
    await refusedAs(await signIn((id) => signAssertion(responseXml(person(id, { audience: 'https://other-sp.test' })), idp)), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /audience/i);
    await refusedAs(await signIn((id) => signAssertion(responseXml(person(id, { issuer: 'https://evil-idp.test' })), idp)), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /issuer/i);
  });

  it('bounds the clock skew to 60 s: expired or not-yet-valid beyond it refused, within it accepted', async () => {
    await refusedAs(await signIn((id) => signAssertion(responseXml(person(id, { notBefore: -600, notOnOrAfter: -90 })), idp)), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /subject confirmation|expired|NotOnOrAfter/i);
    await refusedAs(await signIn((id) => signAssertion(responseXml(person(id, { notBefore: 120 })), idp)), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /not yet valid|NotBefore/i);
    const skewed = await signIn((id) => signAssertion(responseXml(person(id, { notBefore: 30 })), idp));
    expect(skewed.outcome.statusCode).toBe(200);
  });

  it('refuses an assertion for another recipient or destination', async () => {
    await refusedAs(await signIn((id) => signAssertion(responseXml(person(id, { recipient: 'https://other-sp.test/acs' })), idp)), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /recipient/i);
    await refusedAs(await signIn((id) => signAssertion(responseXml(person(id, { destination: 'https://other-sp.test/acs' })), idp)), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /destination/i);
    // No Destination at all is allowed (it is optional when the Response is not signed).
    expect((await signIn((id) => signAssertion(responseXml(person(id, { destination: null })), idp))).outcome.statusCode).toBe(200);
  });

  it('refuses a replayed assertion, an answer to an unknown request, and another browser\'s answer', async () => {
    const { request, flow } = await start();
    const signed = signAssertion(responseXml(person(request.id)), idp);
    expect((await post(signed, flow)).outcome.statusCode).toBe(200);
    await refusedAs(await post(signed, flow), 'KEKKAI_ERR_FEDERATION_EXPIRED');
    // Replayed into a fresh sign-in of the same browser: it answers an old request.
    const fresh = await start();
    await refusedAs(await post(signed, fresh.flow), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /InResponseTo/);
    // IdP-initiated or forged: a request id kekkai never issued.
    await refusedAs(await signIn(() => signAssertion(responseXml(person('_never-issued')), idp)), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /InResponseTo/);
    // A's answer posted into B's browser (login CSRF): refused (and both requests are spent).
    const a = await start();
    const b = await start();
    await refusedAs(await post(signAssertion(responseXml(person(a.request.id)), idp), b.flow), 'KEKKAI_ERR_FEDERATION_INVALID_RESPONSE', /another request/);
    // Without any flow cookie.
    await refusedAs(await post(signAssertion(responseXml(person(a.request.id)), idp), null), 'KEKKAI_ERR_FEDERATION_EXPIRED');
  });

  it('tells the person when the IdP refused (status AuthnFailed)', async () => {
    await refusedAs(await signIn((id) => responseXml(person(id, { status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }))), 'KEKKAI_ERR_FEDERATION_PROVIDER_ERROR');
  });

  it('an admin with the IdP\'s MFA context (trusted for saml) signs in without kekkai\'s TOTP, recorded as idp-mfa; without it, enrols TOTP', async () => {
    const admin = (id: string, extra: Partial<AssertionOptions> = {}) => person(id, { nameId: 'pid-sato', attributes: { [GROUPS]: ['kekkai-admins', 'kekkai-staff'] }, ...extra });
    const plain = await signIn((id) => signAssertion(responseXml(admin(id)), idp));
    expect(plain.outcome.json()).toMatchObject({ needsTotpEnrolment: true });
    const withMfa = await signIn((id) => signAssertion(responseXml(admin(id, { authnContext: MFA })), idp));
    expect(withMfa.outcome.json()).toEqual({ ok: true });
    expect((await me(h, withMfa.sessionCookie)).json().user).toMatchObject({ name: 'pid-sato', role: 'admin' });
    expect(auditOf(h, 'login')[0]?.details).toMatchObject({ authSource: 'saml', secondFactor: 'idp-mfa' });
  });

  it('refuses a person in no mapped group', async () => {
    const result = await signIn((id) => signAssertion(responseXml(person(id, { nameId: 'pid-yamada', attributes: { [GROUPS]: ['visitors'] } })), idp));
    expect(result.outcome.json().code).toBe('KEKKAI_ERR_NO_MAPPED_GROUP');
    expect(h.store.users.findByName('pid-yamada')).toBeUndefined();
  });
});
