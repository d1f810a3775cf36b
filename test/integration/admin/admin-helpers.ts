/** Sign-in helpers for console tests: accounts with TOTP, codes computed with otpauth. */
import { Secret, TOTP } from 'otpauth';
import { hashPassword } from '../../../gateway/auth/passwords.js';
import type { Role } from '../../../gateway/store/repositories.js';
import type { AppHarness } from '../gateway/app-harness.js';

export const host = 'kekkai.test';
export const ADMIN_PW = 'Admin-password-2026!';

export function totpCode(secret: string, timestamp = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp });
}

export interface SignedIn {
  cookie: string;
  csrf: string;
  secret: string;
  recoveryCodes: string[];
}

export async function addUser(h: AppHarness, name: string, role: Role, password = ADMIN_PW): Promise<number> {
  return h.store.users.create({ name, role, passwordHash: await hashPassword(password), mustChangePassword: false }).id;
}

export async function post(h: AppHarness, url: string, payload: unknown, headers: Record<string, string> = {}) {
  return h.app.inject({ method: 'POST', url, headers: { host, ...headers }, payload: payload as object });
}

export async function withCsrf(h: AppHarness, cookie: string): Promise<string> {
  const me = await h.app.inject({ url: '/api/me', headers: { host, cookie } });
  return (me.json() as { csrfToken: string }).csrfToken;
}

function cookieOf(res: { headers: Record<string, unknown> }): string {
  return String(res.headers['set-cookie']).split(';')[0]!;
}

/** Password, forced enrolment (secret from the API, code from otpauth), session. */
export async function signInEnrolling(h: AppHarness, name: string, password = ADMIN_PW): Promise<SignedIn> {
  const first = await post(h, '/api/login', { username: name, password });
  const { pendingToken, needsTotpEnrolment } = first.json() as { pendingToken: string; needsTotpEnrolment?: boolean };
  if (!needsTotpEnrolment) throw new Error(`expected enrolment, got ${first.body}`);
  const started = await post(h, '/api/login/enrol/start', { pendingToken });
  const { secret, qr } = started.json() as { secret: string; qr: string };
  if (!qr.startsWith('data:image/svg+xml;base64,')) throw new Error('no QR code');
  const done = await post(h, '/api/login/enrol', { pendingToken, code: totpCode(secret) });
  if (done.statusCode !== 200) throw new Error(`enrol failed ${done.statusCode} ${done.body}`);
  const cookie = cookieOf(done);
  return { cookie, csrf: await withCsrf(h, cookie), secret, recoveryCodes: (done.json() as { recoveryCodes: string[] }).recoveryCodes };
}

/** Password then a code (TOTP or recovery); returns the final response and cookie. */
export async function signInWithCode(h: AppHarness, name: string, code: string, password = ADMIN_PW) {
  const first = await post(h, '/api/login', { username: name, password });
  const { pendingToken, needsTotp } = first.json() as { pendingToken: string; needsTotp?: boolean };
  if (!needsTotp) throw new Error(`expected a code step, got ${first.body}`);
  const res = await post(h, '/api/login/totp', { pendingToken, code });
  return { res, cookie: res.statusCode === 200 ? cookieOf(res) : '' };
}

export async function signInStaff(h: AppHarness, name = 'nurse', password = 'staff-Password-2026!'): Promise<{ cookie: string; csrf: string }> {
  const res = await post(h, '/api/login', { username: name, password });
  if (res.statusCode !== 200) throw new Error(`staff login ${res.statusCode} ${res.body}`);
  const cookie = cookieOf(res);
  return { cookie, csrf: await withCsrf(h, cookie) };
}
