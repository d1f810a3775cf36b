/**
 * End to end, OpenID Connect sign-in (issue 11) with a real OpenID provider — the
 * `oidc-provider` package, its development login and consent pages — over HTTPS on
 * loopback with a test CA: the admin maps the provider's group in the console, a
 * nurse presses 「テスト IdP でサインイン」 on the login page, signs in at the
 * provider, comes back signed in and sees the remote browser's first frame. The same
 * through SAML, with an identity provider made in the test on another site
 * (localhost vs 127.0.0.1): its page posts a signed assertion across sites, so the
 * browser's own cookie rules (the SameSite=None flow cookie, the cookies set by the
 * answer to that POST) are what is tested.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Provider from 'oidc-provider';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCa, makeServerCert } from '../integration/directory/test-ca.js';
import { IDP_ENTITY_ID, makeSigningKey, readAuthnRequest, responseXml, signAssertion } from '../integration/federation/test-saml-idp.js';
import { launchUserBrowser, login, newUserContext, startHarness, waitForFrame, type Harness } from './support/gateway-harness.js';

const CLIENT_ID = 'kekkai-e2e';
const CLIENT_SECRET = 'e2e-client-secret-0123456789abcdef';

let dir: string;
let idpServer: Server;
let samlServer: Server;
let samlIdp: string;
let issuer: string;
let harness: Harness;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-e2e-oidc-'));
  const ca = makeCa('kekkai e2e OIDC CA');
  const tls = makeServerCert(ca);
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, ca.cert);
  // The provider's address first (the gateway is configured with it), its routes once the gateway's URL is known.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  idpServer = createServer({ key: tls.key, cert: tls.cert }, (req, res) => handler(req, res));
  await new Promise<void>((resolve) => idpServer.listen(0, '127.0.0.1', resolve));
  issuer = `https://127.0.0.1:${(idpServer.address() as AddressInfo).port}`;
  // The SAML IdP's page: reads kekkai's AuthnRequest, answers with a form that posts a signed assertion.
  const signing = makeSigningKey();
  const idpCertFile = path.join(dir, 'saml-idp.pem');
  writeFileSync(idpCertFile, signing.cert);
  samlServer = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    if (!req.url?.startsWith('/sso?')) return void res.writeHead(404).end();
    const request = readAuthnRequest(`https://localhost${req.url}`);
    const nameId = new URL(`https://localhost${req.url}`).searchParams.get('as') ?? 'suzuki';
    const xml = signAssertion(responseXml({ requestId: request.id, acsUrl: request.acsUrl, audience: 'https://kekkai.e2e/saml', nameId, attributes: { groups: ['kekkai-staff'] } }), signing);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Test IdP</title><form method="post" action="${request.acsUrl}"><input type="hidden" name="SAMLResponse" value="${Buffer.from(xml).toString('base64')}"><button type="submit">Continue to kekkai</button></form>`);
  });
  await new Promise<void>((resolve) => samlServer.listen(0, '127.0.0.1', resolve));
  samlIdp = `https://localhost:${(samlServer.address() as AddressInfo).port}`;
  browser = await launchUserBrowser();
  harness = await startHarness({
    oidc: { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, caFile, label: 'テスト IdP' },
    saml: { idpSsoUrl: `${samlIdp}/sso`, idpEntityId: IDP_ENTITY_ID, idpCertFile, spEntityId: 'https://kekkai.e2e/saml', groupsAttribute: 'groups', label: '院内 SAML' },
  });
  const provider = new Provider(issuer, {
    clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${harness.url}/auth/oidc/callback`], post_logout_redirect_uris: [`${harness.url}/login`], response_types: ['code'], grant_types: ['authorization_code'] }],
    claims: { openid: ['sub'], profile: ['preferred_username', 'name', 'groups'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['e2e-cookie-key-0123456789abcdef'] },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: `sub-${id}`, preferred_username: id, name: id, groups: ['kekkai-staff'] }) }),
  });
  handler = provider.callback();
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await new Promise<void>((resolve) => (idpServer ? idpServer.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (samlServer ? samlServer.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('federated sign-in (OIDC, SAML), end to end', () => {
  it('an admin maps the provider\'s group; a nurse signs in at the provider from the login page button and gets a frame', async () => {
    const adminPage = await (await newUserContext(browser)).newPage();
    await login(adminPage, harness.url);
    await adminPage.goto(`${harness.url}/admin#federation`);
    const section = adminPage.locator('#federation-oidc');
    await expect.poll(() => section.textContent()).toContain(`${harness.url}/auth/oidc/callback`);
    await section.getByRole('button', { name: '行を追加' }).click();
    await section.getByLabel('グループ・ロールの値 1').fill('kekkai-staff');
    await section.getByLabel('役割 1').selectOption('staff');
    await section.getByRole('button', { name: '対応表を保存' }).click();
    await expect.poll(() => section.locator('.status').textContent()).toBe('保存しました。');

    const page = await (await newUserContext(browser)).newPage();
    await page.goto(`${harness.url}/login`);
    await page.getByRole('link', { name: 'テスト IdPでサインイン' }).click();
    await page.waitForURL((url) => url.origin === issuer);
    await page.locator('input[name=login]').fill('tanaka');
    await page.locator('input[name=password]').fill('any-password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.origin === harness.url && url.pathname === '/');
    await waitForFrame(page);
    const me = await page.evaluate(async () => (await (await fetch('/api/me')).json()) as { user: { name: string; role: string } });
    expect(me.user).toMatchObject({ name: 'tanaka', role: 'staff' });
  });

  it('a nurse signs in through SAML: the IdP on another site posts a signed assertion, she gets a frame', async () => {
    const adminPage = await (await newUserContext(browser)).newPage();
    await login(adminPage, harness.url);
    const csrf = await adminPage.evaluate(async () => ((await (await fetch('/api/me')).json()) as { csrfToken: string }).csrfToken);
    const saved = await adminPage.evaluate(async (token) => (await fetch('/api/admin/federation/saml/role-mapping', { method: 'PUT', headers: { 'content-type': 'application/json', 'x-kekkai-csrf': token }, body: JSON.stringify({ rules: [{ group: 'kekkai-staff', role: 'staff' }] }) })).status, csrf);
    expect(saved).toBe(200);

    const page = await (await newUserContext(browser)).newPage();
    await page.goto(`${harness.url}/login`);
    await page.getByRole('link', { name: '院内 SAMLでサインイン' }).click();
    await page.waitForURL((url) => url.origin === samlIdp);
    await page.getByRole('button', { name: 'Continue to kekkai' }).click();
    await page.waitForURL((url) => url.origin === harness.url && url.pathname === '/');
    await waitForFrame(page);
    const me = await page.evaluate(async () => (await (await fetch('/api/me')).json()) as { user: { name: string; role: string } });
    expect(me.user).toMatchObject({ name: 'suzuki', role: 'staff' });
  });
});
