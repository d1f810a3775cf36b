/**
 * End to end, Kerberos single sign-on (issue 11) with a real MIT KDC and a real
 * OpenLDAP slapd on loopback, and a real Chromium as the domain-joined PC's browser:
 * started with the realm's krb5.conf and a nurse's credential cache (kinit), the
 * gateway's host in its AuthServerAllowlist. She opens the gateway and lands in the
 * viewer, signed in, without typing anything. A browser without a ticket gets the
 * ordinary sign-in page, with no error on it.
 *
 * The gateway is reached as https://localhost:<port> with the service principal
 * HTTP/localhost: Chromium names the service after the canonical DNS name of the host
 * (the DisableAuthNegotiateCnameLookup policy exists, but no command-line switch in
 * this Chromium), and a --host-resolver-rules mapping would make that 127.0.0.1.
 * Negotiate is "ambient" authentication, which Chromium refuses in off-the-record
 * profiles (Playwright's newContext): these browsers use persistent profiles, as a
 * PC's Edge or Chrome does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REALM, startKdc, type Kdc } from '../integration/kerberos/kdc-harness.js';
import { groupDn, SERVICE_DN, startSlapd, SUFFIX, type Slapd } from '../integration/directory/slapd-harness.js';
import { CHROMIUM, launchUserBrowser, login, newUserContext, startHarness, waitForFrame, type Harness } from './support/gateway-harness.js';

let kdc: Kdc;
let slapd: Slapd;
let harness: Harness;
let gatewayUrl: string;
const profiles: string[] = [];
const contexts: BrowserContext[] = [];

/** A PC's browser: the realm's krb5.conf, this credential cache (or none), the gateway allow-listed for Negotiate. */
async function pcBrowser(ccache: string | null): Promise<BrowserContext> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'kekkai-e2e-krb-profile-'));
  profiles.push(profile);
  // Chromium on Linux loads GSSAPI only in a network service started without its sandbox, which it
  // does once it has seen a Negotiate challenge (this Local State mark): a real PC's first start
  // after meeting one. (Edge and Chrome on Windows use SSPI and need nothing of the kind.)
  writeFileSync(path.join(profile, 'Local State'), JSON.stringify({ net: { received_http_auth_negotiate_headers: true } }));
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    // An empty cache file name when there is no ticket: Chromium's GSSAPI finds no credentials.
    env: { ...process.env, ...kdc.env(ccache ?? path.join(profile, 'no-ccache')) },
    ignoreHTTPSErrors: true,
    locale: 'ja-JP',
    viewport: { width: 1200, height: 800 },
    args: [
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // As the AuthServerAllowlist policy does on a hospital PC.
      '--auth-server-allowlist=localhost',
      ...(asRoot ? ['--no-sandbox'] : []),
    ],
  });
  contexts.push(context);
  return context;
}

beforeAll(async () => {
  [kdc, slapd] = await Promise.all([startKdc(), startSlapd()]);
  kdc.addUser('tanaka');
  harness = await startHarness({
    ldap: { url: [slapd.ldapsUrl], mode: 'ldap', caFile: slapd.caFile, baseDn: SUFFIX, groupBaseDn: `ou=groups,${SUFFIX}`, bindDn: SERVICE_DN, bindPasswordFile: slapd.bindPasswordFile, syncMinutes: 0 },
    kerberos: { keytab: kdc.keytab, servicePrincipal: `${kdc.addService('localhost')}@${REALM}`, realms: [REALM] },
  });
  expect(harness.gateway.services.directory.admin.saveRoleMapping([{ group: groupDn('kekkai-staff'), role: 'staff' }]).ok).toBe(true);
  gatewayUrl = `https://localhost:${new URL(harness.url).port}`;
}, 60_000);
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await harness?.close();
  await slapd?.stop();
  await kdc?.stop();
  for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
});

describe('Kerberos single sign-on, end to end', () => {
  it('a nurse on a domain-joined PC opens kekkai and is in the viewer, signed in, without typing a password', async () => {
    const context = await pcBrowser(kdc.kinit('tanaka'));
    const page = await context.newPage();
    await page.goto(gatewayUrl);
    await page.waitForURL((url) => url.pathname === '/', { timeout: 20_000 });
    await waitForFrame(page);
    const me = await page.evaluate(async () => (await (await fetch('/api/me')).json()) as { user: { name: string; role: string } });
    expect(me.user).toMatchObject({ name: 'tanaka', role: 'staff' });
    const audit = harness.gateway.services.audit.search({ events: ['login'] }, { limit: 100 }).records;
    expect(audit.find((r) => r.userName === 'tanaka' && r.outcome === 'success')?.details).toMatchObject({ checkedBy: 'kerberos', principal: `tanaka@${REALM}` });
  });

  it('a browser without a ticket gets the ordinary sign-in page, with no error on it', async () => {
    const context = await pcBrowser(null);
    const page = await context.newPage();
    await page.goto(gatewayUrl);
    await page.waitForURL((url) => url.pathname === '/login');
    await expect.poll(() => page.locator('#username').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.locator('#login-error').textContent()).toBe('');
    await expect.poll(() => page.getByRole('button', { name: 'Windows のログオン情報でログイン' }).isVisible()).toBe(true);
    expect(await page.evaluate(async () => (await fetch('/api/me')).status)).toBe(401);
  });

  it('the admin console\'s directory section shows the Kerberos state', async () => {
    const browser = await launchUserBrowser();
    try {
      const page = await (await newUserContext(browser)).newPage();
      await login(page, harness.url);
      await page.goto(`${harness.url}/admin#directory`);
      const state = page.locator('#kerberos-state');
      await expect.poll(() => state.textContent()).toContain(`HTTP/localhost@${REALM}`);
      const text = (await state.textContent()) ?? '';
      expect(text).toContain('読み取り可');
      expect(text).toContain('キータブでの資格情報の取得成功');
      expect(text).toContain(REALM);
    } finally {
      await browser.close();
    }
  });
});
