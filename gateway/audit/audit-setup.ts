/**
 * Builds the audit log for a running gateway: key from outside the database,
 * SQLite repository, and syslog forwarding when a collector is configured.
 */
import os from 'node:os';
import type { Config } from '../config/config-schema.js';
import type { SqliteDb } from '../store/sqlite-database.js';
import { formatSyslog } from './audit-export.js';
import { loadAuditKey } from './audit-key.js';
import { AuditLog, type AuditEventInput } from './audit-log.js';
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

export function openAuditLog(db: SqliteDb, config: Readonly<Config>, warn: (msg: string) => void): { audit: AuditLog; close(): void } {
  const key = loadAuditKey({ dataDir: config.dataDir, ...(config.audit.keyFile ? { keyFile: config.audit.keyFile } : {}), create: true });
  if (!key) throw new Error('audit key unavailable');
  for (const warning of key.warnings) warn(warning);
  const audit = new AuditLog(new SqliteAuditRepository(db), key.key);
  const syslog = config.audit.syslog;
  if (!syslog.host) return { audit, close: () => undefined };
  const forwarder = new SyslogForwarder({ host: syslog.host, port: syslog.port, protocol: syslog.protocol, onError: (err) => warn(`syslog forwarding: ${err.message}`) });
  const hostname = syslog.hostname ?? os.hostname();
  const unsubscribe = audit.subscribe((record) => forwarder.send(formatSyslog(record, { hostname, facility: syslog.facility })));
  return {
    audit,
    close: () => {
      unsubscribe();
      void forwarder.close();
    },
  };
}
