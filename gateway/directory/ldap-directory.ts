/**
 * The directory as kekkai uses it: find a person with the service account, check a
 * password by binding as that person (the DN comes from the directory, never from
 * what was typed), and describe them as an ExternalIdentity — groups (nested),
 * department, job title, disabled or not. Connections are short-lived: one per
 * sign-in, one per sync run.
 */
import { InvalidCredentialsError, SizeLimitExceededError, type Client, type Entry } from 'ldapts';
import type { ExternalIdentity } from '../auth/external/external-identity.js';
import { openDirectoryConnection, withDeadline, classify, type DirectoryConnection } from './ldap-connection.js';
import { guidToString, UAC_ACCOUNT_DISABLE, userByIdFilter, userByLoginFilter } from './ldap-filters.js';
import { groupsOf } from './ldap-groups.js';
import type { LdapSettings } from './ldap-settings.js';

/** Sign-in names longer than this or with control characters are not sent to the directory. */
const NAME_LIMIT = 256;

function attr(entry: Entry, name: string): string | Buffer | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key ? entry[key] : undefined;
  return Array.isArray(value) ? value[0] : value;
}

function text(entry: Entry, name: string): string {
  const value = attr(entry, name);
  return value === undefined ? '' : Buffer.isBuffer(value) ? value.toString('utf8') : value;
}

export type AuthenticateResult = { identity: ExternalIdentity } | { failure: 'invalid-credentials'; directoryDisabled?: boolean };

/** One connection's worth of lookups (a sign-in, a user test, a sync run). */
export class DirectorySession {
  constructor(
    readonly connection: DirectoryConnection,
    private readonly settings: LdapSettings,
  ) {}

  private get client(): Client {
    return this.connection.client;
  }

  private async findOne(filter: string): Promise<Entry | null> {
    const s = this.settings;
    const attributes = [s.loginAttribute, 'displayName', 'cn', s.departmentAttribute, s.titleAttribute, s.idAttribute, 'userAccountControl'];
    try {
      const { searchEntries } = await this.client.search(s.baseDn, { scope: 'sub', filter, attributes, sizeLimit: 2, explicitBufferAttributes: ['objectGUID'] });
      // Two people with one name is a directory mistake: nobody signs in as either.
      return searchEntries.length === 1 ? searchEntries[0]! : null;
    } catch (err) {
      if (err instanceof SizeLimitExceededError) return null;
      throw err;
    }
  }

  findByName(name: string): Promise<Entry | null> {
    return this.findByAttribute(this.settings.loginAttribute, name);
  }

  /** The one person whose `attribute` equals `value` (the login name, or a Kerberos principal in userPrincipalName). */
  findByAttribute(attribute: string, value: string): Promise<Entry | null> {
    // eslint-disable-next-line no-control-regex
    if (!value || value.length > NAME_LIMIT || /[\u0000-\u001f\u007f]/.test(value)) return Promise.resolve(null);
    return this.findOne(userByLoginFilter(this.settings.userFilter, attribute, value));
  }

  /** By the id kept at provisioning: objectGUID / entryUUID, or the DN when that is what was kept. */
  async findById(externalId: string): Promise<Entry | null> {
    if (externalId.startsWith('dn:')) {
      const dn = externalId.slice(3);
      const { searchEntries } = await this.client.search(dn, { scope: 'base', filter: this.settings.userFilter, attributes: ['*', 'entryUUID'], explicitBufferAttributes: ['objectGUID'] }).catch(() => ({ searchEntries: [] as Entry[] }));
      return searchEntries[0] ?? null;
    }
    const filter = userByIdFilter(this.settings.userFilter, this.settings.idAttribute, externalId);
    return filter ? this.findOne(filter) : null;
  }

  /** True when the directory says the account is disabled. */
  async isDisabled(entry: Entry): Promise<boolean> {
    if (this.settings.mode === 'ad' && (Number(text(entry, 'userAccountControl')) & UAC_ACCOUNT_DISABLE) !== 0) return true;
    if (!this.settings.disabledFilter) return false;
    const { searchEntries } = await this.client.search(entry.dn, { scope: 'base', filter: this.settings.disabledFilter, attributes: ['1.1'] });
    return searchEntries.length > 0;
  }

  /** The person as an external identity: groups resolved, disabled checked. */
  async identity(entry: Entry): Promise<ExternalIdentity> {
    const s = this.settings;
    const loginName = text(entry, s.loginAttribute);
    const rawId = attr(entry, s.idAttribute);
    const id = Buffer.isBuffer(rawId) ? guidToString(rawId) : rawId || null;
    return {
      source: 'ldap',
      externalId: id ?? `dn:${entry.dn}`,
      loginName,
      displayName: text(entry, 'displayName') || text(entry, 'cn') || loginName,
      groups: await groupsOf(this.client, s, entry.dn, loginName),
      department: text(entry, s.departmentAttribute).slice(0, 100),
      jobTitle: text(entry, s.titleAttribute).slice(0, 100),
      mfa: false,
      disabled: await this.isDisabled(entry),
      locator: entry.dn,
    };
  }

  /** Binds as the person; afterwards the connection is the service account's again. */
  async checkPassword(entry: Entry, password: string): Promise<boolean> {
    // An empty password would be an anonymous bind, which succeeds: never send one.
    if (!password) return false;
    try {
      await this.client.bind(entry.dn, password);
      return true;
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return false;
      throw err;
    } finally {
      await this.connection.rebindService().catch(() => undefined);
    }
  }
}

export class LdapDirectory {
  constructor(readonly settings: LdapSettings) {}

  /** Runs `work` on a fresh service-account connection, within a deadline; DirectoryError when unusable. */
  async session<T>(work: (session: DirectorySession) => Promise<T>, deadlineMs = this.settings.timeoutMs * 6): Promise<T> {
    const connection = await openDirectoryConnection(this.settings);
    try {
      return await withDeadline(work(new DirectorySession(connection, this.settings)), deadlineMs, () => void connection.close());
    } catch (err) {
      throw classify(err, connection.url);
    } finally {
      await connection.close();
    }
  }

  /** Connects and binds as the service account; the server used. */
  async testConnection(): Promise<{ url: string }> {
    return this.session(async (s) => ({ url: s.connection.url }));
  }

  /** A person by sign-in name, without their password (the console's user test); null when not found. */
  lookup(name: string): Promise<ExternalIdentity | null> {
    return this.session(async (s) => {
      const entry = await s.findByName(name);
      return entry ? s.identity(entry) : null;
    });
  }

  /** A person by another attribute (Kerberos: userPrincipalName = the principal); null when not exactly one. */
  lookupBy(attribute: string, value: string): Promise<ExternalIdentity | null> {
    return this.session(async (s) => {
      const entry = await s.findByAttribute(attribute, value);
      return entry ? s.identity(entry) : null;
    });
  }

  /** Checks a sign-in name and password against the directory. */
  authenticate(name: string, password: string): Promise<AuthenticateResult> {
    return this.session(async (s) => {
      const entry = await s.findByName(name);
      if (!entry) return { failure: 'invalid-credentials' };
      if (!(await s.checkPassword(entry, password))) {
        // For the audit record only: the person is not told whether the account is disabled.
        return { failure: 'invalid-credentials', directoryDisabled: await s.isDisabled(entry).catch(() => false) };
      }
      return { identity: await s.identity(entry) };
    });
  }
}
