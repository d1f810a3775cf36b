/**
 * Builds directory sign-in from the settings (called once by the composition root):
 * the LDAP directory, the external-identity services, password sign-in through the
 * directory, the scheduled sync and the console's service. Without KEKKAI_LDAP_URL
 * only the role-mapping store and the console's "not configured" view exist.
 */
import { readFileSync } from 'node:fs';
import type { AuditSink } from '../audit/audit-setup.js';
import type { AuthService } from '../auth/auth-service.js';
import { ExternalAccounts } from '../auth/external/external-accounts.js';
import { ExternalSignIn } from '../auth/external/external-sign-in.js';
import { RoleMappingStore } from '../auth/external/role-mapping-store.js';
import type { Config } from '../config/config-schema.js';
import type { Logger } from '../logging.js';
import type { Store } from '../store/repositories.js';
import { DirectoryAdmin } from './directory-admin.js';
import { DirectorySync } from './directory-sync.js';
import { LdapDirectory } from './ldap-directory.js';
import { LdapPasswordSignIn } from './ldap-password-sign-in.js';
import { resolveLdapSettings } from './ldap-settings.js';

export interface DirectoryServices {
  admin: DirectoryAdmin;
  /** Null without a configured directory. */
  sync: DirectorySync | null;
  /** The shared completion path for other providers (OIDC, SAML, Kerberos). */
  externalSignIn: ExternalSignIn;
  /** Every source's role-mapping table (settings store). */
  roleMappings: RoleMappingStore;
  /** The directory itself (Kerberos sign-in looks ticket holders up in it); null when not configured. */
  directory: LdapDirectory | null;
  close(): Promise<void>;
}

export function openDirectory(
  config: Readonly<Config>,
  deps: { store: Store; auth: AuthService; audit: AuditSink; log: Logger; endSessions: (userId: number) => Promise<unknown> },
): DirectoryServices {
  const roleMappings = new RoleMappingStore(deps.store.settings);
  const accounts = new ExternalAccounts(deps.store.users, deps.audit, deps.endSessions);
  const externalSignIn = new ExternalSignIn({ auth: deps.auth, users: deps.store.users, roleMappings, accounts, trustMfa: config.externalSignIn.trustIdpMfa });
  const settings = resolveLdapSettings(config.ldap, (file) => readFileSync(file, 'utf8'));
  if (!settings) return { admin: new DirectoryAdmin(null, roleMappings, deps.store.users, null), sync: null, externalSignIn, roleMappings, directory: null, close: async () => undefined };

  // Fail at start, not at the first sign-in, when the secret or the CA cannot be read.
  settings.bindPassword();
  if (settings.caFile) readFileSync(settings.caFile);
  if (settings.urls.some((u) => u.startsWith('ldap://')) && !settings.startTls) {
    deps.log.warn({ component: 'directory', urls: settings.urls }, 'KEKKAI_LDAP_ALLOW_PLAIN: directory passwords cross the network unencrypted (tests only)');
  }
  const directory = new LdapDirectory(settings);
  deps.auth.useDirectory(new LdapPasswordSignIn(directory, externalSignIn, deps.auth.throttle, deps.log));
  const sync = new DirectorySync({ directory, users: deps.store.users, roleMappings, accounts, log: deps.log, intervalMs: settings.syncMinutes * 60_000 });
  sync.start();
  return { admin: new DirectoryAdmin(directory, roleMappings, deps.store.users, sync), sync, externalSignIn, roleMappings, directory, close: () => sync.stop() };
}
