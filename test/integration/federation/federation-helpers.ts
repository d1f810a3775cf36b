/** Walking a federated sign-in through the real routes with app.inject: start, the provider, the callback, the login page's question. */
import type { AppHarness } from '../gateway/app-harness.js';
import { host } from '../admin/admin-helpers.js';

export { host };

type Injected = Awaited<ReturnType<AppHarness['app']['inject']>>;

/** name → value of every Set-Cookie of a response (an emptied cookie reads as ''). */
export function cookiesOf(res: Injected): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return Object.fromEntries(list.map((c) => String(c).split(';')[0]!).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

/** The Set-Cookie line of `name` (attributes included). */
export function setCookieLine(res: Injected, name: string): string {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return String(list.find((c) => String(c).startsWith(`${name}=`)) ?? '');
}

/** After the callback: what the login page is told (POST /api/login/external with the outcome cookie). */
export async function askOutcome(h: AppHarness, callback: Injected) {
  const cookies = cookiesOf(callback);
  const outcome = await h.app.inject({ method: 'POST', url: '/api/login/external', headers: { host, origin: `https://${host}`, cookie: `kekkai_signin=${cookies.kekkai_signin ?? ''}` }, payload: {} });
  return { outcome, sessionCookie: cookies.kekkai_sid ? `kekkai_sid=${cookies.kekkai_sid}` : '' };
}

export async function me(h: AppHarness, sessionCookie: string) {
  return h.app.inject({ url: '/api/me', headers: { host, cookie: sessionCookie } });
}

export const auditOf = (h: AppHarness, event: string) => h.audit.search({ events: [event] }, { limit: 1000 }).records;
