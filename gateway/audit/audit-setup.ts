/**
 * Builds the audit log for a running gateway or a command that changes something:
 * key from outside the database, SQLite repository, the head anchor file next to the
 * database, and syslog forwarding when a collector is configured.
 */
import os from 'node:os';
import type { Config } from '../config/config-schema.js';
import { databaseFileSync, type SqliteDb } from '../store/sqlite-database.js';
import { genesisMac } from './audit-chain.js';
import { anchorPath } from './audit-anchor.js';
import { formatSyslog } from './audit-export.js';
import { loadAuditKey } from './audit-key.js';
import { AuditLog, type AuditEventInput } from './audit-log.js';
import type { AuditRepository } from './audit-repository.js';
import { HeadAnchor } from './head-anchor.js';
import { SqliteAuditRepository } from './sqlite-audit-repository.js';
import { SyslogForwarder } from './syslog-forwarder.js';

/**
 * What routes and services need of the audit log: append one event. (In a browser
 * worker the event travels to the control plane, which seals it; nobody reads the
 * record back here.)
 */
export interface AuditSink {
  record(input: AuditEventInput): unknown;
}

export interface OpenedAuditLog {
  audit: AuditLog;
  anchor: HeadAnchor;
  /**
   * Writes the head anchor (synchronously, before returning the promise, so the
   * database may be closed right after the call) and then closes the syslog connection.
   */
  close(): Promise<void>;
}

/** The settings the audit log reads (commands pass what they have; no syslog = no forwarding). */
export type AuditSetupConfig = Pick<Config, 'dataDir'> & {
  audit?: { keyFile?: string | undefined; syslog?: Config['audit']['syslog'] | undefined } | undefined;
};

export interface OpenAuditLogOptions {
  /**
   * Check the head anchor against the log at open (default). `kekkai audit anchor
   * --reset` turns it off: it records its own reason for a new anchor.
   */
  checkAnchor?: boolean;
  /** Clock of the records (tests). */
  now?: () => Date;
}

export function openAuditLog(db: SqliteDb, config: Readonly<AuditSetupConfig>, warn: (msg: string) => void, options: OpenAuditLogOptions = {}): OpenedAuditLog {
  const key = loadAuditKey({ dataDir: config.dataDir, ...(config.audit?.keyFile ? { keyFile: config.audit.keyFile } : {}), create: true });
  if (!key) throw new Error('audit key unavailable');
  for (const warning of key.warnings) warn(warning);
  const repository = new SqliteAuditRepository(db);
  const anchor = new HeadAnchor({ file: anchorPath(config.dataDir), key: key.key, macAt: (seq) => repository.macAt(seq), database: databaseFileSync(db), warn });
  const audit = new AuditLog(repository, key.key, { head: anchor, ...(options.now ? { now: options.now } : {}) });
  const forwarding = forwardToSyslog(audit, config, warn);
  // After the forwarder is subscribed, so that a record written here reaches the collector too.
  if (options.checkAnchor !== false) checkAnchorAtOpen(audit, repository, anchor, key.key, warn);
  return {
    audit,
    anchor,
    close: () => {
      anchor.close();
      return forwarding?.close() ?? Promise.resolve();
    },
  };
}

function forwardToSyslog(audit: AuditLog, config: Readonly<AuditSetupConfig>, warn: (msg: string) => void): { close(): Promise<void> } | undefined {
  const syslog = config.audit?.syslog;
  if (!syslog?.host) return undefined;
  const forwarder = new SyslogForwarder({ host: syslog.host, port: syslog.port, protocol: syslog.protocol, onError: (err) => warn(`syslog forwarding: ${err.message}`) });
  const hostname = syslog.hostname ?? os.hostname();
  const unsubscribe = audit.subscribe((record) => forwarder.send(formatSyslog(record, { hostname, facility: syslog.facility })));
  return {
    close: () => {
      unsubscribe();
      return forwarder.close();
    },
  };
}

/**
 * At open: a new data directory gets an anchor for the empty chain; a log without an
 * anchor (written by a version before anchors, or the file was deleted) gets one at its
 * current end, with an `audit-anchor` record saying so; an anchor the log no longer
 * matches is left alone as evidence and reported.
 */
function checkAnchorAtOpen(audit: AuditLog, repository: AuditRepository, anchor: HeadAnchor, key: Uint8Array, warn: (msg: string) => void): void {
  const state = anchor.expected();
  const last = repository.last();
  if (state.state === 'missing') {
    if (!last) {
      anchor.reset({ seq: 0, mac: genesisMac(key) });
      return;
    }
    warn(
      `audit head anchor ${anchor.file} is missing while the log holds ${last.seq} records: a new anchor starts at the current end (recorded as an audit-anchor event); records cut off before it cannot be detected. / 監査ログのヘッドアンカーがありません。現在の末尾から新しく作成します。`,
    );
    const record = audit.record({ event: 'audit-anchor', outcome: 'error', details: { action: 'created', reason: 'anchor-missing', lastSeqBefore: last.seq } });
    anchor.reset(record);
    return;
  }
  const verify = 'Run "kekkai audit verify"; the anchor is kept as evidence.';
  if (state.state === 'invalid') {
    warn(`audit head anchor ${anchor.file} is invalid (${state.problem}). ${verify} / 監査ログのヘッドアンカーが改ざんされています。`);
    return;
  }
  const lastSeq = last?.seq ?? 0;
  if (lastSeq < state.seq) {
    warn(`audit log records seq ${lastSeq + 1}–${state.seq} are missing from the end (head anchor written ${state.writtenAt}). ${verify} / 監査ログ末尾の記録 ${lastSeq + 1}〜${state.seq} が削除されています。`);
  } else if (state.seq > 0 && repository.macAt(state.seq) !== state.mac) {
    warn(`audit log record seq ${state.seq} is not the one the head anchor names: the end of the log was cut and written again. ${verify} / 監査ログの末尾が切り詰められ、書き直されています（記録 ${state.seq}）。`);
  }
}
