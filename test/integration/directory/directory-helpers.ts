/** A gateway (test harness) pointed at a test slapd, with a signed-in admin and the role mapping set. */
import { buildTestApp, type AppHarness } from '../gateway/app-harness.js';
import { addUser, host, signInEnrolling, type SignedIn } from '../admin/admin-helpers.js';
import { groupDn, SERVICE_DN, SUFFIX, type Slapd } from './slapd-harness.js';

export { host };

/** Written the way an admin copies DNs from AD tools: upper-case types, spaces after commas. */
export const MAPPING = [
  { group: 'CN=kekkai-admins, OU=groups, DC=hospital, DC=test', role: 'admin' },
  { group: 'CN=kekkai-security,OU=groups,DC=hospital,DC=test', role: 'security' },
  { group: groupDn('kekkai-staff'), role: 'staff' },
];

export function ldapSettings(slapd: Slapd, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: [slapd.ldapsUrl],
    mode: 'ldap',
    caFile: slapd.caFile,
    baseDn: SUFFIX,
    groupBaseDn: `ou=groups,${SUFFIX}`,
    bindDn: SERVICE_DN,
    bindPasswordFile: slapd.bindPasswordFile,
    syncMinutes: 0,
    timeoutSeconds: 3,
    ...overrides,
  };
}

export async function directoryApp(slapd: Slapd, overrides: Record<string, unknown> = {}, config: Record<string, unknown> = {}): Promise<{ h: AppHarness; admin: SignedIn }> {
  const h = await buildTestApp({ ldap: ldapSettings(slapd, overrides), ...config });
  await addUser(h, 'boss', 'admin');
  const admin = await signInEnrolling(h, 'boss');
  const res = await h.app.inject({ method: 'PUT', url: '/api/admin/directory/role-mapping', headers: { host, cookie: admin.cookie, 'x-kekkai-csrf': admin.csrf }, payload: { rules: MAPPING } });
  if (res.statusCode !== 200) throw new Error(`role mapping: ${res.statusCode} ${res.body}`);
  return { h, admin };
}

export function login(h: AppHarness, username: string, password: string) {
  return h.app.inject({ method: 'POST', url: '/api/login', headers: { host, origin: `https://${host}` }, payload: { username, password } });
}

export function adminCall(h: AppHarness, admin: SignedIn, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) {
  return h.app.inject({ method, url, headers: { host, cookie: admin.cookie, ...(method === 'GET' ? {} : { 'x-kekkai-csrf': admin.csrf }) }, ...(payload ? { payload } : method === 'GET' ? {} : { payload: {} }) });
}

export const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0]!;
