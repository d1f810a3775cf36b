/**
 * Settings of directory sign-in (LDAP / Active Directory) and of external identities
 * in general: the static part — servers, TLS, service account, attributes, sync
 * interval. The role mapping is edited in the admin console and kept in the database
 * (docs/directory-sign-in.md).
 */
import { FilterParser } from 'ldapts';
import { z } from 'zod';
import { bool } from './boolean-setting.js';
import { fromEnv } from './env-settings.js';

const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v);

/** ldap:// or ldaps:// with a host and optional port, nothing else (the base DN is its own setting). */
const LDAP_URL = /^ldaps?:\/\/(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?\/?$/;
const ldapUrls = z.preprocess(list, z.array(z.string().regex(LDAP_URL, 'expected ldaps://host[:port] or ldap://host[:port], comma-separated')).min(1).max(8));

/** True for a parenthesised RFC 4515 filter (ldapts' parser alone accepts unbalanced ones). */
export function validLdapFilter(filter: string): boolean {
  const text = filter.trim();
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let depth = 0;
  for (const c of text) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    if (depth < 0) return false;
  }
  if (depth !== 0) return false;
  try {
    FilterParser.parseString(text);
    return true;
  } catch {
    return false;
  }
}

const filter = z.string().max(1000).refine(validLdapFilter, 'expected an LDAP filter in parentheses (RFC 4515), e.g. (objectClass=user)');
const attribute = z.string().regex(/^(?:[A-Za-z][A-Za-z0-9-]{0,63}|\d+(?:\.\d+)+)$/, 'expected an attribute name such as department');
const dn = z.string().min(3).max(1024).regex(/=/, 'expected a distinguished name such as DC=hospital,DC=local');

export const LdapSettings = z
  .object({
    url: fromEnv(ldapUrls.optional(), 'KEKKAI_LDAP_URL', 'Directory servers, e.g. ldaps://dc1.hospital.local (comma-separated, tried in order); unset = no directory sign-in.'),
    mode: fromEnv(z.enum(['ad', 'ldap']).default('ad'), 'KEKKAI_LDAP_MODE', 'ad (Active Directory: sAMAccountName, objectGUID, nested groups by the in-chain rule, userAccountControl) or ldap (OpenLDAP and others: uid, entryUUID, groupOfNames resolved level by level).'),
    startTls: fromEnv(bool.default(false), 'KEKKAI_LDAP_STARTTLS', 'Upgrade ldap:// connections with StartTLS (certificate checked).'),
    allowPlain: fromEnv(bool.default(false), 'KEKKAI_LDAP_ALLOW_PLAIN', 'Allow ldap:// without TLS: passwords cross the network readable (tests only; warned in the log).'),
    caFile: fromEnv(z.string().min(1).optional(), 'KEKKAI_LDAP_CA_FILE', 'PEM file of the CA(s) that signed the directory servers\' certificates (default: the system\'s CAs).'),
    baseDn: fromEnv(dn.optional(), 'KEKKAI_LDAP_BASE_DN', 'Where users are searched, e.g. DC=hospital,DC=local.'),
    groupBaseDn: fromEnv(dn.optional(), 'KEKKAI_LDAP_GROUP_BASE_DN', 'Where groups are searched (default: KEKKAI_LDAP_BASE_DN).'),
    bindDn: fromEnv(dn.optional(), 'KEKKAI_LDAP_BIND_DN', 'Service account that searches users and groups, e.g. CN=svc-kekkai,OU=Service,DC=hospital,DC=local.'),
    bindPassword: fromEnv(z.string().min(1).max(1000).optional(), 'KEKKAI_LDAP_BIND_PASSWORD', 'Service account password (prefer KEKKAI_LDAP_BIND_PASSWORD_FILE).', { secret: true }),
    bindPasswordFile: fromEnv(z.string().min(1).optional(), 'KEKKAI_LDAP_BIND_PASSWORD_FILE', 'File holding the service account password (read at each connection, so it can be rotated).'),
    userFilter: fromEnv(filter.optional(), 'KEKKAI_LDAP_USER_FILTER', 'Which entries are people (default ad: (&(objectCategory=person)(objectClass=user)); ldap: (objectClass=inetOrgPerson)).'),
    loginAttribute: fromEnv(attribute.optional(), 'KEKKAI_LDAP_LOGIN_ATTRIBUTE', 'Attribute holding the sign-in name (default ad: sAMAccountName; ldap: uid).'),
    departmentAttribute: fromEnv(attribute.optional(), 'KEKKAI_LDAP_DEPARTMENT_ATTRIBUTE', 'Attribute copied to the account\'s department (default ad: department; ldap: departmentNumber).'),
    titleAttribute: fromEnv(attribute.default('title'), 'KEKKAI_LDAP_TITLE_ATTRIBUTE', 'Attribute copied to the account\'s job title.'),
    disabledFilter: fromEnv(filter.optional(), 'KEKKAI_LDAP_DISABLED_FILTER', 'Entries matching it count as disabled (default ad: none beyond userAccountControl bit 2; ldap: (pwdAccountLockedTime=000001010000Z)).'),
    timeoutSeconds: fromEnv(z.coerce.number().int().min(1).max(60).default(5), 'KEKKAI_LDAP_TIMEOUT_SECONDS', 'Seconds each connection and each directory request may take (1–60).'),
    syncMinutes: fromEnv(z.coerce.number().int().min(0).max(1440).default(15), 'KEKKAI_LDAP_SYNC_MINUTES', 'Minutes between directory syncs that disable departed accounts (0: no scheduled sync).'),
  })
  .strict()
  .default({})
  .superRefine((s, ctx) => {
    if (!s.url) return;
    const need = (ok: boolean, path: string, message: string) => ok || ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    need(Boolean(s.baseDn), 'baseDn', 'KEKKAI_LDAP_BASE_DN is required with KEKKAI_LDAP_URL');
    need(Boolean(s.bindDn), 'bindDn', 'KEKKAI_LDAP_BIND_DN (the service account) is required with KEKKAI_LDAP_URL');
    need(Boolean(s.bindPassword) !== Boolean(s.bindPasswordFile), 'bindPasswordFile', 'give the service account password in exactly one of KEKKAI_LDAP_BIND_PASSWORD_FILE or KEKKAI_LDAP_BIND_PASSWORD');
    const plain = s.url.some((u) => u.startsWith('ldap://'));
    need(!plain || s.startTls || s.allowPlain, 'url', 'ldap:// sends passwords readable: use ldaps://, set KEKKAI_LDAP_STARTTLS=true, or (tests only) KEKKAI_LDAP_ALLOW_PLAIN=true');
  });

export type LdapConfig = z.infer<typeof LdapSettings>;

export const ExternalSignInSettings = z
  .object({
    trustIdpMfa: fromEnv(
      z.preprocess(list, z.array(z.enum(['oidc', 'saml']))).default([]),
      'KEKKAI_TRUST_IDP_MFA',
      'Sources (oidc, saml; comma-separated) whose MFA claim replaces kekkai\'s TOTP for admin and security (audited); default none. A Kerberos ticket is never a second factor.',
    ),
  })
  .strict()
  .default({});
