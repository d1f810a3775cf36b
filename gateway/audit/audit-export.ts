/**
 * Audit exports (docs/audit.md): CSV for Excel (UTF-8 with BOM, or Shift_JIS),
 * JSON lines (complete records with MACs, verifiable with verifyChain), and RFC 5424
 * syslog lines for the forwarder.
 */
import { csvTable, encodeCsv, type CsvColumn, type CsvEncoding } from '../export/csv-writer.js';
import type { AuditRecord } from './audit-event.js';

// ---------------------------------------------------------------- CSV

/** The audit CSV's columns; the header is the key for now (docs/audit.md names them). */
export const AUDIT_CSV_COLUMNS: ReadonlyArray<CsvColumn<AuditRecord>> = [
  { key: 'seq', header: 'seq', value: (r) => r.seq },
  { key: 'time', header: 'time', value: (r) => r.time },
  { key: 'user_id', header: 'user_id', value: (r) => r.userId },
  { key: 'user_name', header: 'user_name', value: (r) => r.userName },
  { key: 'role', header: 'role', value: (r) => r.role },
  { key: 'source_ip', header: 'source_ip', value: (r) => r.sourceIp },
  { key: 'event', header: 'event', value: (r) => r.event },
  { key: 'outcome', header: 'outcome', value: (r) => r.outcome },
  { key: 'url', header: 'url', value: (r) => (typeof r.details.url === 'string' ? r.details.url : null) },
  { key: 'details', header: 'details', value: (r) => JSON.stringify(r.details) },
  { key: 'mac', header: 'mac', value: (r) => r.mac },
];

export const CSV_COLUMNS = AUDIT_CSV_COLUMNS.map((c) => c.key);

/** CSV lines with CRLF endings, header first (RFC 4180). */
function csvLines(records: Iterable<AuditRecord>, columns: ReadonlyArray<CsvColumn<AuditRecord>>): Generator<string> {
  return csvTable(columns).lines(records);
}

/** Encoded CSV chunks for Excel: UTF-8 with a BOM, or Shift_JIS. */
export function csvChunks(records: Iterable<AuditRecord>, encoding: CsvEncoding, columns: ReadonlyArray<CsvColumn<AuditRecord>> = AUDIT_CSV_COLUMNS): Generator<Buffer> {
  return encodeCsv(csvLines(records, columns), encoding);
}

// ---------------------------------------------------------------- JSON lines

/** One JSON object per line, every field including the MAC. */
export function* jsonLines(records: Iterable<AuditRecord>): Generator<string> {
  for (const r of records) {
    const { seq, time, userId, userName, role, sourceIp, event, outcome, details, mac } = r;
    yield `${JSON.stringify({ seq, time, userId, userName, role, sourceIp, event, outcome, details, mac })}\n`;
  }
}

// ---------------------------------------------------------------- RFC 5424 syslog

/** SD-ID under the documentation enterprise number of RFC 5612; see docs/audit.md. */
export const SYSLOG_SD_ID = 'kekkai@32473';

export interface SyslogFormatOptions {
  hostname: string;
  /** Syslog facility 0–23; default 13 (log audit). */
  facility?: number;
  /** Longest line in bytes; details are dropped (truncated="1") beyond it. Default 8192. */
  maxBytes?: number;
}

const OUTCOME_SEVERITY: Record<string, number> = { success: 6, allowed: 6, failure: 4, blocked: 4, error: 3 };

/**
 * Control characters (C0, DEL, C1) and characters that can hide or reorder text on
 * screen (line/paragraph separators, bidi controls).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** URLs: unsafe characters percent-encoded as UTF-8, the way a browser would send them. */
export function escapeUrlControls(url: string): string {
  return url.replace(UNSAFE_CHARS, (c) => encodeURIComponent(c));
}

/** Other text: unsafe characters shown as \uXXXX. */
export function escapeTextControls(text: string): string {
  return text.replace(UNSAFE_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** SD-PARAM value escaping of RFC 5424 §6.3.3: '"', '\' and ']' get a backslash. */
export function escapeSdValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** HOSTNAME, APP-NAME, MSGID: printable US-ASCII without spaces, bounded length, "-" when empty. */
function headerToken(text: string, max: number): string {
  const clean = text.replace(/[^\x21-\x7E]/g, '').slice(0, max);
  return clean || '-';
}

function sdParams(record: AuditRecord, withDetails: boolean): Array<[string, string]> {
  const d = record.details;
  const params: Array<[string, string]> = [['seq', String(record.seq)], ['outcome', record.outcome]];
  if (record.userId !== null) params.push(['uid', String(record.userId)]);
  if (record.userName !== null) params.push(['user', record.userName]);
  if (record.role !== null) params.push(['role', record.role]);
  if (record.sourceIp !== null) params.push(['src', record.sourceIp]);
  if (typeof d.url === 'string') params.push(['url', escapeUrlControls(d.url)]);
  for (const name of ['verdict', 'rule', 'reason', 'sha256'] as const) {
    const v = d[name];
    if (typeof v === 'string' || typeof v === 'number') params.push([name, String(v)]);
  }
  if (withDetails) params.push(['details', JSON.stringify(d)]);
  else params.push(['truncated', '1']);
  params.push(['mac', record.mac]);
  return params;
}

function summary(record: AuditRecord): string {
  const who = record.userName ?? (record.userId !== null ? `#${record.userId}` : '-');
  const url = typeof record.details.url === 'string' ? ` ${escapeUrlControls(record.details.url)}` : '';
  return `${record.event} ${record.outcome} user=${escapeTextControls(who)}${url}`;
}

/**
 * `<PRI>1 TIMESTAMP HOSTNAME kekkai - EVENT [kekkai@32473 seq=".." ...] BOM MSG`,
 * one line, no trailing newline (the forwarder frames it).
 */
export function formatSyslog(record: AuditRecord, options: SyslogFormatOptions): string {
  const facility = options.facility ?? 13;
  const severity = OUTCOME_SEVERITY[record.outcome] ?? 5;
  const head = `<${facility * 8 + severity}>1 ${record.time} ${headerToken(options.hostname, 255)} kekkai - ${headerToken(record.event, 32)}`;
  const msg = `\uFEFF${summary(record)}`;
  const build = (withDetails: boolean): string => {
    const sd = sdParams(record, withDetails)
      .map(([name, value]) => `${name}="${escapeSdValue(name === 'url' ? value : escapeTextControls(value))}"`)
      .join(' ');
    return `${head} [${SYSLOG_SD_ID} ${sd}] ${msg}`;
  };
  const full = build(true);
  return Buffer.byteLength(full) <= (options.maxBytes ?? 8192) ? full : build(false);
}
