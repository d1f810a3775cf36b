/**
 * Starts a real gateway (real Chromium, real SQLite in a temp dir, HTTPS with the
 * self-signed certificate) on an ephemeral loopback port, and a playwright-core
 * Chromium (Debian's /usr/bin/chromium) as the user's browser.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { hashPassword } from '../../../gateway/auth/passwords.js';
import { loadConfig } from '../../../gateway/config/load-config.js';
import { openDatabase } from '../../../gateway/database.js';
import { createSqliteStore } from '../../../gateway/store/sqlite-repositories.js';
import { startGateway, type RunningGateway } from '../../../gateway/server.js';

export const ADMIN_PASSWORD = 'e2e-Admin-password-123!';
export const CHROMIUM = process.env.KEKKAI_CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Harness {
  gateway: RunningGateway;
  url: string;
  dataDir: string;
  output: string[];
  close(): Promise<void>;
}

/**
 * Starts the gateway. Fixture sites listen on 127.0.0.1 with ephemeral ports,
 * which the egress proxy refuses unless allow-listed: pass their URLs in `sites`.
 */
export async function startHarness(overrides: Record<string, unknown> = {}, sites: string[] = []): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-e2e-'));
  const config = loadConfig({
    env: {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      // Chromium inside the test's gateway process; test/e2e/workers.test.ts covers worker processes.
      'session.workers': 0,
      adminPassword: ADMIN_PASSWORD,
      logLevel: 'warn',
      chromiumPath: CHROMIUM,
      // Fixture sites listen on 127.0.0.1; loopback is refused unless allow-listed, and
      // an allow-list entry covering loopback needs the explicit second setting.
      'egress.allowPrivate': ['127.0.0.1/32'],
      'egress.allowLoopback': true,
      'egress.allowedPorts': [80, 443, ...sites.map((u) => Number(new URL(u).port))],
      ...overrides,
    },
  });
  const output: string[] = [];
  const gateway = await startGateway(config, (line) => output.push(line));
  return {
    gateway,
    url: gateway.url,
    dataDir,
    output,
    close: async () => {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const STAFF_PASSWORD = 'staff-Password-2026!';

/** Adds a staff account (no second factor required) straight to the harness's store. */
export async function addStaff(harness: Harness, name = 'staff', password = STAFF_PASSWORD): Promise<void> {
  const store = createSqliteStore(openDatabase(harness.dataDir));
  try {
    store.users.create({ name, role: 'staff', passwordHash: await hashPassword(password), mustChangePassword: false });
  } finally {
    store.close();
  }
}

export async function launchUserBrowser(): Promise<Browser> {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...(asRoot ? ['--no-sandbox'] : []),
    ],
  });
}

/** The user's browser context: self-signed certificate accepted, 1200×800, Japanese unless told. */
export async function newUserContext(browser: Browser, locale = 'ja-JP', options: { acceptDownloads?: boolean; viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: options.viewport ?? { width: 1200, height: 800 }, locale, acceptDownloads: options.acceptDownloads ?? false });
  return context;
}

/** A new user context and page, signed in (admin unless told) and showing the first remote frame. */
export async function signedInPage(
  browser: Browser,
  harness: Pick<Harness, 'url'>,
  options: { user?: string; password?: string; acceptDownloads?: boolean } = {},
): Promise<Page> {
  const context = await newUserContext(browser, 'ja-JP', { acceptDownloads: options.acceptDownloads ?? false });
  const page = await context.newPage();
  await login(page, harness.url, options.user, options.password);
  return page;
}

/**
 * Logs in through the login page and waits until the first remote frame is drawn.
 * Admin and security accounts need a second factor: the first sign-in enrols it in
 * the UI (secret read from the page, code computed with otpauth), later ones use
 * the recovery codes shown then.
 */
export async function login(page: Page, baseUrl: string, user = 'admin', password = ADMIN_PASSWORD): Promise<void> {
  await signInThroughForm(page, baseUrl, user, password);
  await page.waitForURL((url) => url.origin === baseUrl && url.pathname === '/');
  await waitForFrame(page);
}

interface KnownFactor {
  secret: string;
  recoveryCodes: string[];
}
const knownFactors = new Map<string, KnownFactor>();

/** The current TOTP code for a base32 secret (RFC 6238, 30 s, 6 digits). */
export function totpNow(secret: string, timestamp = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp });
}

/** Reads the secret on the enrolment page, confirms it with a code, and returns the recovery codes. */
export async function enrolTotpInPage(page: Page): Promise<KnownFactor> {
  const secret = (await page.locator('#totp-secret').textContent())!.trim();
  await page.locator('#totp-code').fill(totpNow(secret));
  await page.locator('form button[type=submit]').click();
  await page.locator('#recovery-codes').waitFor();
  const recoveryCodes = (await page.locator('#recovery-codes code').allTextContents()).map((c) => c.trim());
  return { secret, recoveryCodes };
}

/**
 * Fills the login form and completes a second-factor step if one appears; leaves /login.
 * Admins and security officers land on their console (issue 13); with `toViewer` (the
 * default) the helper then opens the viewer, which is what most tests drive.
 */
export async function signInThroughForm(page: Page, baseUrl: string, user: string, password: string, toViewer = true): Promise<void> {
  await signInOnly(page, baseUrl, user, password);
  const landed = new URL(page.url()).pathname;
  if (toViewer && (landed === '/admin' || landed === '/security')) await page.goto(`${baseUrl}/`);
}

async function signInOnly(page: Page, baseUrl: string, user: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(password);
  await page.locator('form button[type=submit]').click();
  const left = page.waitForURL((url) => url.pathname !== '/login').then(() => 'left' as const, () => 'timeout' as const);
  const code = page.locator('#totp-code').waitFor().then(() => 'code' as const, () => 'timeout' as const);
  const settled = (): Promise<void> => page.waitForURL((url) => url.pathname !== '/login' && url.pathname !== '/start');
  const first = await Promise.race([left, code]);
  if (first === 'left') return settled();
  if (first === 'timeout') return;
  const key = `${baseUrl}|${user}`;
  if (await page.locator('#totp-secret').count()) {
    const factor = await enrolTotpInPage(page);
    knownFactors.set(key, factor);
    await page.locator('#continue').click();
  } else {
    const factor = knownFactors.get(key);
    if (!factor) throw new Error(`no second factor known for ${user}`);
    await page.locator('#totp-code').fill(factor.recoveryCodes.shift() ?? totpNow(factor.secret));
    await page.locator('form button[type=submit]').click();
  }
  await settled();
}

/** Resolves once the client has drawn at least `atLeast` frames since its page loaded. */
export async function waitForFrame(page: Page, atLeast = 1, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(
    (n) => Number(document.querySelector('canvas.remote-canvas')?.getAttribute('data-frames') ?? 0) >= n,
    atLeast,
    { timeout: timeoutMs },
  );
}

/** Number of frames the client has drawn since its page loaded. */
export async function framesDrawn(page: Page): Promise<number> {
  return page.evaluate(() => Number(document.querySelector('canvas.remote-canvas')?.getAttribute('data-frames') ?? 0));
}

/**
 * Navigates the remote browser through the address bar and waits for the page title to
 * contain `title`. A title the tab shows already passes at once, before the new page has
 * loaded (a click then lands in the old document): give each page its own title.
 */
export async function browseTo(page: Page, url: string, title: string): Promise<void> {
  const address = page.getByRole('textbox', { name: /アドレス|Address/ });
  await address.fill(url);
  await address.press('Enter');
  await page.locator('.page-title', { hasText: title }).waitFor({ timeout: 15_000 });
}

/** The RGB colour of the canvas at CSS position (x, y) of the remote page. */
export async function canvasPixel(page: Page, x: number, y: number): Promise<[number, number, number]> {
  return page.evaluate(
    ({ x, y }) => {
      const canvas = document.querySelector('canvas.remote-canvas') as HTMLCanvasElement;
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      const data = canvas.getContext('2d')!.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data;
      return [data[0]!, data[1]!, data[2]!] as [number, number, number];
    },
    { x, y },
  );
}

/** Clicks the remote page at CSS position (x, y). */
export async function clickRemote(page: Page, x: number, y: number): Promise<void> {
  const box = (await page.locator('canvas.remote-canvas').boundingBox())!;
  await page.mouse.click(box.x + x, box.y + y);
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
