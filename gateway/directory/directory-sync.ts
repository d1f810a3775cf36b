/**
 * The scheduled directory sync: every account provisioned from the directory is
 * looked up again (by its stable id, so renames and moves are followed). Gone,
 * disabled in the directory, or in no mapped group → the account is disabled, its
 * sessions end and the change is audited with the reason. Found and mapped → role,
 * department and job title follow the directory, and an account the directory had
 * disabled is enabled again (never one an admin disabled). When the directory
 * cannot be reached the run stops and changes nothing more: an outage must not
 * disable everyone.
 */
import type { ChangeCause, ExternalAccounts } from '../auth/external/external-accounts.js';
import type { RoleMappingStore } from '../auth/external/role-mapping-store.js';
import { mapRole } from '../auth/external/role-mapping.js';
import type { Logger } from '../logging.js';
import type { Role, UserRecord, UserRepository } from '../store/repositories.js';
import type { DirectoryError } from './ldap-connection.js';
import type { DirectorySession, LdapDirectory } from './ldap-directory.js';

export interface SyncReport {
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  checked: number;
  disabled: Array<{ account: string; reason: string }>;
  enabled: string[];
  updated: string[];
  /** Set when the directory could not be used; the accounts not reached were left as they were. */
  problem?: string;
}

export interface DirectorySyncDeps {
  directory: LdapDirectory;
  users: UserRepository;
  roleMappings: RoleMappingStore;
  accounts: ExternalAccounts;
  log: Logger;
  intervalMs: number;
}

const FIRST_RUN_MS = 60_000;

type Trigger = Extract<ChangeCause, { source: 'directory-sync' }>['triggeredBy'];

export class DirectorySync {
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private running: Promise<SyncReport> | null = null;
  last: SyncReport | null = null;

  constructor(private readonly deps: DirectorySyncDeps) {}

  /**
   * Runs a minute after start (so a gateway restarted more often than the interval
   * still syncs) and then every `intervalMs` (0: never on its own; the console can).
   */
  start(): void {
    if (this.deps.intervalMs <= 0 || this.timer) return;
    const run = () => void this.runNow().catch(() => undefined);
    this.first = setTimeout(run, Math.min(FIRST_RUN_MS, this.deps.intervalMs));
    this.first.unref();
    this.timer = setInterval(run, this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.first);
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One run now; a run already going is joined rather than doubled. */
  runNow(triggeredBy?: Trigger): Promise<SyncReport> {
    this.running ??= this.run(triggeredBy).finally(() => (this.running = null));
    return this.running;
  }

  private async run(triggeredBy: Trigger): Promise<SyncReport> {
    const report: SyncReport = { startedAt: new Date().toISOString(), finishedAt: '', ok: true, checked: 0, disabled: [], enabled: [], updated: [] };
    const accounts = this.deps.users.listBySource('ldap');
    const cause: ChangeCause = { source: 'directory-sync', ...(triggeredBy ? { triggeredBy } : {}) };
    const perAccountMs = this.deps.directory.settings.timeoutMs * 4;
    try {
      await this.deps.directory.session(async (session) => {
        for (const listed of accounts) {
          const user = this.deps.users.findById(listed.id);
          if (!user?.externalId) continue;
          await this.syncOne(session, user, cause, report);
          report.checked += 1;
        }
      }, perAccountMs * (accounts.length + 2));
    } catch (err) {
      const { problem, message } = err as DirectoryError;
      report.ok = false;
      report.problem = problem ?? 'protocol';
      this.deps.log.warn({ component: 'directory-sync', problem: report.problem, err: message, checked: report.checked, of: accounts.length }, 'directory sync stopped: directory unavailable');
    }
    report.finishedAt = new Date().toISOString();
    this.last = report;
    if (report.disabled.length || report.enabled.length || report.updated.length) {
      this.deps.log.info({ component: 'directory-sync', checked: report.checked, disabled: report.disabled.length, enabled: report.enabled.length, updated: report.updated.length }, 'directory sync changed accounts');
    }
    return report;
  }

  private async syncOne(session: DirectorySession, user: UserRecord, cause: ChangeCause, report: SyncReport): Promise<void> {
    const { accounts } = this.deps;
    const disable = async (reason: 'not-in-directory' | 'disabled-in-directory' | 'no-mapped-group') => {
      if (!user.disabled) report.disabled.push({ account: user.name, reason });
      await accounts.disable(user, reason, cause);
    };
    const entry = await session.findById(user.externalId!);
    if (!entry) return disable('not-in-directory');
    const identity = await session.identity(entry);
    if (identity.disabled) return disable('disabled-in-directory');
    const decision = mapRole('ldap', this.deps.roleMappings.get('ldap'), identity.groups);
    if (!decision) return disable('no-mapped-group');
    const fields: { role: Role; department: string; jobTitle: string } = { role: decision.role, department: identity.department, jobTitle: identity.jobTitle };
    const after = await accounts.update(user, fields, cause);
    if (user.disabled && !after.disabled) report.enabled.push(user.name);
    else if (after !== user) report.updated.push(user.name);
  }
}
