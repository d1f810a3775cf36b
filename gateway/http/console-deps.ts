/**
 * What the admin and security consoles' routes get from the composition root.
 * Each console builds its own services from these in its register function.
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { AuthService } from '../auth/auth-service.js';
import type { BrowserSession } from '../browser/browser-session.js';
import type { Config } from '../config/config-schema.js';
import type { DownloadManager } from '../downloads/download-manager.js';
import type { QuarantineStore } from '../downloads/quarantine-store.js';
import type { PolicyService } from '../policy-store/policy-service.js';
import type { Store } from '../store/repositories.js';
import type { SqliteDb } from '../store/sqlite-database.js';
import type { SessionEndReason } from '../../protocol/index.js';
import type { Scanner } from '../../sanitizer/index.js';

export interface ConsoleDeps {
  config: Readonly<Config>;
  db: SqliteDb;
  store: Store;
  auth: AuthService;
  audit: AuditLog;
  policy: PolicyService;
  /** Live browser sessions (list for the console, end to terminate). */
  sessions: { list(): Array<Pick<BrowserSession, 'summary' | 'send'>>; get(id: string): Pick<BrowserSession, 'summary' | 'send'> | undefined; end(id: string, reason: SessionEndReason): Promise<boolean> };
  quarantine: QuarantineStore;
  /** clamd: every release rescans the original with current signatures. */
  scanner: Pick<Scanner, 'scan'>;
  downloads: Pick<DownloadManager, 'list'>;
}
