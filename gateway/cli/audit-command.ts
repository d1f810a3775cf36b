/**
 * `kekkai audit verify [--key FILE] [--head SEQ:MAC]`,
 * `kekkai audit export --format csv|csv-sjis|jsonl [--from ISO] [--to ISO] [--out FILE]` and
 * `kekkai audit anchor --reset --reason TEXT` (audit-anchor-command.ts).
 * Verify checks the chain and compares its end with the head anchor file (and any
 * head given with --head, e.g. the last seq and MAC a syslog collector received).
 * Exit codes: 0 OK, 1 chain broken or failure, 2 usage.
 */
import { once } from 'node:events';
import { createWriteStream, openSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeVerifyResult, verifyChain, type ExpectedHead } from '../audit/audit-chain.js';
import { anchorPath, readAnchor } from '../audit/audit-anchor.js';
import { parseAuditTime } from '../audit/audit-event.js';
import { csvChunks, jsonLines } from '../audit/audit-export.js';
import { AuditKeyError, loadAuditKey } from '../audit/audit-key.js';
import { SqliteAuditRepository } from '../audit/sqlite-audit-repository.js';
import type { AuditSetupConfig } from '../audit/audit-setup.js';
import { openDatabase } from '../database.js';
import { runAnchor } from './audit-anchor-command.js';

/** The settings this command reads (a full Config from the CLI; tests pass less). */
export type AuditCommandConfig = AuditSetupConfig;

const USAGE = `Usage:
  kekkai audit verify [--key FILE] [--head SEQ:MAC]
  kekkai audit export --format csv|csv-sjis|jsonl [--from ISO] [--to ISO] [--out FILE]
  kekkai audit anchor --reset --reason TEXT
`;

export async function runAudit(args: string[], config: Readonly<AuditCommandConfig>): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'verify') return runVerify(rest, config);
    if (sub === 'export') return await runExport(rest, config);
    if (sub === 'anchor') return await runAnchor(rest, config);
  } catch (err) {
    if (err instanceof AuditKeyError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  process.stderr.write(USAGE);
  return 2;
}

function runVerify(args: string[], config: Readonly<AuditCommandConfig>): number {
  const { values } = parseArgs({ args, options: { key: { type: 'string' }, head: { type: 'string', multiple: true } } });
  const given = (values.head ?? []).map(parseHead);
  if (given.some((h) => h === undefined)) {
    process.stderr.write(`--head takes SEQ:MAC, e.g. 1234:<64 hex digits> (seq and mac of the last record your syslog collector received)\n${USAGE}`);
    return 2;
  }
  const db = openDatabase(config.dataDir);
  try {
    const repo = new SqliteAuditRepository(db);
    const key = loadAuditKey({ dataDir: config.dataDir, keyFile: values.key ?? config.audit?.keyFile, create: false });
    for (const warning of key?.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
    if (!key) {
      const count = repo.count();
      if (count === 0) {
        process.stdout.write('audit chain OK: 0 records\n');
        return 0;
      }
      process.stderr.write(`audit chain cannot be verified: ${count} records but no audit key in ${config.dataDir}/keys/audit.key\n`);
      return 1;
    }
    // The anchor before the records: it never names a record that is not yet committed.
    const heads = [readAnchor(anchorPath(config.dataDir), key.key), ...(given as ExpectedHead[])];
    const result = verifyChain(repo.iterate(), key.key, heads);
    if (result.ok) {
      process.stdout.write(`${describeVerifyResult(result)}\n`);
      for (const line of anchorHistory(repo)) process.stdout.write(`${line}\n`);
      return 0;
    }
    process.stderr.write(`${describeVerifyResult(result)}\n`);
    return 1;
  } finally {
    db.close();
  }
}

function parseHead(text: string): ExpectedHead | undefined {
  const m = /^(\d{1,15}):([0-9a-fA-F]{64})$/.exec(text.trim());
  return m ? { state: 'ok', seq: Number(m[1]), mac: m[2]!.toLowerCase(), source: '--head' } : undefined;
}

/** The times the anchor was re-created or reset: a reviewer should know where coverage restarted. */
function anchorHistory(repo: SqliteAuditRepository): string[] {
  const { records } = repo.search({ events: ['audit-anchor'] }, { order: 'asc', limit: 100 });
  return records.map((r) => {
    const d = r.details as { action?: string; reason?: string; lastSeqBefore?: number };
    return `note: seq ${r.seq} (${r.time}): head anchor ${d.action ?? '?'} by ${r.userName ?? 'kekkai'} (${d.reason ?? '-'}); records cut off the end before this point would not show here, compare with your syslog collector / 記録 ${r.seq} でヘッドアンカーが再作成されています。それ以前の末尾削除は検出できないため、syslog 側の記録と照合してください`;
  });
}

async function runExport(args: string[], config: Readonly<AuditCommandConfig>): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { format: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
  });
  const format = values.format;
  if (format !== 'csv' && format !== 'csv-sjis' && format !== 'jsonl') {
    process.stderr.write(`--format must be csv, csv-sjis or jsonl\n${USAGE}`);
    return 2;
  }
  const from = values.from === undefined ? undefined : parseAuditTime(values.from);
  const to = values.to === undefined ? undefined : parseAuditTime(values.to);
  if ((values.from !== undefined && !from) || (values.to !== undefined && !to)) {
    process.stderr.write('--from and --to take ISO 8601 dates such as 2026-11-01 or 2026-11-01T09:00+09:00 (Japan time when no offset)\n');
    return 2;
  }
  // Opened before anything is read so a bad path fails with a message, not a stream error.
  const fd = values.out ? openSync(values.out, 'w', 0o600) : undefined;
  const db = openDatabase(config.dataDir);
  try {
    const records = new SqliteAuditRepository(db).iterate({ from, to });
    const chunks: Iterable<Buffer | string> =
      format === 'jsonl' ? jsonLines(records) : csvChunks(records, format === 'csv-sjis' ? 'shift_jis' : 'utf8-bom');
    const out = fd === undefined ? process.stdout : createWriteStream('', { fd });
    for (const chunk of chunks) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
    return 0;
  } finally {
    db.close();
  }
}
