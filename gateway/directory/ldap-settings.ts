/**
 * The LDAP settings with the defaults of each mode filled in: Active Directory
 * (sAMAccountName, objectGUID, userAccountControl, nested groups by the in-chain
 * matching rule) or a plain LDAP directory such as OpenLDAP (uid, entryUUID,
 * groupOfNames / groupOfUniqueNames / posixGroup resolved level by level).
 */
import type { LdapConfig } from '../config/directory-config.js';

export interface LdapSettings {
  urls: string[];
  mode: 'ad' | 'ldap';
  startTls: boolean;
  allowPlain: boolean;
  caFile: string | undefined;
  baseDn: string;
  groupBaseDn: string;
  bindDn: string;
  /** Read when a connection is made (a password file may be rotated). */
  bindPassword: () => string;
  userFilter: string;
  loginAttribute: string;
  /** objectGUID (AD, binary) or entryUUID; the DN when an entry has neither. */
  idAttribute: 'objectGUID' | 'entryUUID';
  departmentAttribute: string;
  titleAttribute: string;
  disabledFilter: string | undefined;
  timeoutMs: number;
  syncMinutes: number;
}

const DEFAULTS = {
  ad: { userFilter: '(&(objectCategory=person)(objectClass=user))', loginAttribute: 'sAMAccountName', idAttribute: 'objectGUID', departmentAttribute: 'department', disabledFilter: undefined },
  ldap: { userFilter: '(objectClass=inetOrgPerson)', loginAttribute: 'uid', idAttribute: 'entryUUID', departmentAttribute: 'departmentNumber', disabledFilter: '(pwdAccountLockedTime=000001010000Z)' },
} as const;

/** Null when no directory is configured (KEKKAI_LDAP_URL unset). */
export function resolveLdapSettings(config: LdapConfig, readFile: (path: string) => string): LdapSettings | null {
  if (!config.url || !config.baseDn || !config.bindDn) return null;
  const d = DEFAULTS[config.mode];
  const { bindPassword, bindPasswordFile } = config;
  return {
    urls: config.url.map((u) => u.replace(/\/$/, '')),
    mode: config.mode,
    startTls: config.startTls,
    allowPlain: config.allowPlain,
    caFile: config.caFile,
    baseDn: config.baseDn,
    groupBaseDn: config.groupBaseDn ?? config.baseDn,
    bindDn: config.bindDn,
    bindPassword: () => bindPassword ?? readFile(bindPasswordFile!).replace(/\r?\n$/, ''),
    userFilter: config.userFilter ?? d.userFilter,
    loginAttribute: config.loginAttribute ?? d.loginAttribute,
    idAttribute: d.idAttribute,
    departmentAttribute: config.departmentAttribute ?? d.departmentAttribute,
    titleAttribute: config.titleAttribute,
    disabledFilter: config.disabledFilter ?? d.disabledFilter,
    timeoutMs: config.timeoutSeconds * 1000,
    syncMinutes: config.syncMinutes,
  };
}
