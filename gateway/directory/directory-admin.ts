/**
 * What the admin console does with the directory: show the static settings and the
 * last sync, edit the role mapping (checked row by row), test the connection with the
 * service account, and test a person — which role they would get, or why they would
 * be refused — without their password.
 */
import type { RoleMappingSave, RoleMappingStore } from '../auth/external/role-mapping-store.js';
import { mapRole, type RoleMappingRule } from '../auth/external/role-mapping.js';
import { ACCOUNT_NAME_RULE } from '../auth/external/external-identity.js';
import type { Role, UserRepository } from '../store/repositories.js';
import type { DirectoryError, DirectoryProblem } from './ldap-connection.js';
import type { LdapDirectory } from './ldap-directory.js';
import type { DirectorySync, SyncReport } from './directory-sync.js';

export interface DirectoryStatus {
  configured: boolean;
  settings: null | { urls: string[]; mode: string; startTls: boolean; allowPlain: boolean; caFile: string | null; baseDn: string; groupBaseDn: string; bindDn: string; userFilter: string; loginAttribute: string; departmentAttribute: string; titleAttribute: string; disabledFilter: string | null; timeoutSeconds: number; syncMinutes: number };
  roleMapping: RoleMappingRule[];
  lastSync: SyncReport | null;
}

export type UserTestRefusal = 'directory-disabled' | 'no-mapped-group' | 'name-conflict' | 'external-name-invalid' | 'disabled' | 'not-found';

export interface UserTest {
  found: boolean;
  dn?: string;
  loginName?: string;
  displayName?: string;
  groups?: string[];
  department?: string;
  jobTitle?: string;
  disabledInDirectory?: boolean;
  role: Role | null;
  matchedRule: number | null;
  refusal: UserTestRefusal | null;
  account: null | { name: string; exists: boolean };
}

export class DirectoryAdmin {
  constructor(
    private readonly directory: LdapDirectory | null,
    private readonly roleMappings: RoleMappingStore,
    private readonly users: UserRepository,
    private readonly sync: DirectorySync | null,
  ) {}

  status(): DirectoryStatus {
    const s = this.directory?.settings;
    return {
      configured: Boolean(s),
      settings: s
        ? { urls: s.urls, mode: s.mode, startTls: s.startTls, allowPlain: s.allowPlain, caFile: s.caFile ?? null, baseDn: s.baseDn, groupBaseDn: s.groupBaseDn, bindDn: s.bindDn, userFilter: s.userFilter, loginAttribute: s.loginAttribute, departmentAttribute: s.departmentAttribute, titleAttribute: s.titleAttribute, disabledFilter: s.disabledFilter ?? null, timeoutSeconds: s.timeoutMs / 1000, syncMinutes: s.syncMinutes }
        : null,
      roleMapping: this.roleMappings.get('ldap'),
      lastSync: this.sync?.last ?? null,
    };
  }

  /** Saves the table when every row is acceptable; otherwise the problems per row and field. */
  saveRoleMapping(rules: Array<{ group: unknown; role: unknown }>): RoleMappingSave {
    return this.roleMappings.save('ldap', rules);
  }

  async testConnection(): Promise<{ ok: true; url: string; ms: number } | { ok: false; problem: DirectoryProblem; detail: string; url: string | null }> {
    if (!this.directory) return { ok: false, problem: 'unreachable', detail: 'not configured', url: null };
    const started = Date.now();
    try {
      const { url } = await this.directory.testConnection();
      return { ok: true, url, ms: Date.now() - started };
    } catch (err) {
      const e = err as DirectoryError;
      return { ok: false, problem: e.problem ?? 'protocol', detail: e.message, url: e.url ?? null };
    }
  }

  /** Looks the person up with the service account and applies the sign-in rules that do not need the password. */
  async testUser(name: string): Promise<UserTest> {
    if (!this.directory) throw new Error('directory not configured');
    const identity = await this.directory.lookup(name);
    if (!identity) return { found: false, role: null, matchedRule: null, refusal: 'not-found', account: null };
    const decision = mapRole('ldap', this.roleMappings.get('ldap'), identity.groups);
    const existing = this.users.findByExternalId('ldap', identity.externalId);
    const holder = existing ? undefined : this.users.findByName(identity.loginName);
    const refusal: UserTestRefusal | null = identity.disabled
      ? 'directory-disabled'
      : !decision
        ? 'no-mapped-group'
        : !existing && !ACCOUNT_NAME_RULE.test(identity.loginName)
          ? 'external-name-invalid'
          : holder
            ? 'name-conflict'
            : existing?.disabledBy === 'admin'
              ? 'disabled'
              : null;
    return {
      found: true,
      dn: identity.locator ?? '',
      loginName: identity.loginName,
      displayName: identity.displayName,
      groups: identity.groups,
      department: identity.department,
      jobTitle: identity.jobTitle,
      disabledInDirectory: identity.disabled,
      role: decision?.role ?? null,
      matchedRule: decision?.ruleIndex ?? null,
      refusal,
      account: { name: existing?.name ?? identity.loginName, exists: Boolean(existing) },
    };
  }
}
