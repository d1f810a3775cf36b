/** `kekkai audit verify|export` through runAudit on a real data directory. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadAuditKey } from '../../../gateway/audit/audit-key.js';
import { openAuditLog } from '../../../gateway/audit/audit-setup.js';
import { verifyChain } from '../../../gateway/audit/audit-chain.js';
import type { AuditRecord } from '../../../gateway/audit/audit-event.js';
import { runAudit } from '../../../gateway/cli/audit-command.js';
import { openDatabase } from '../../../gateway/database.js';

let dataDir: string;
let out: string;
let err: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-audit-cli-'));
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Writes n records the way the gateway does (head anchor included): day d of November 2026, 10:00 Japan time. */
function seed(n: number): void {
  const db = openDatabase(dataDir);
  let day = 0;
  const opened = openAuditLog(db, { dataDir }, () => undefined, { now: () => new Date(Date.UTC(2026, 10, ++day, 1)) });
  const log = opened.audit;
  for (let i = 1; i <= n; i++) {
    log.record({ event: 'download', outcome: i === 3 ? 'blocked' : 'success', userId: 5, userName: '渡辺', role: 'staff', sourceIp: '10.0.0.2', details: { url: `https://files.example/${i}.pdf`, sha256: String(i).repeat(3), note: '=1+1, "quoted"\nnext' } });
  }
  void opened.close();
  db.close();
}

function tamper(sql: string): void {
  const db = openDatabase(dataDir);
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  db.exec(sql);
  db.close();
}

const config = () => ({ dataDir });

describe('kekkai audit verify', () => {
  it('returns 0 on an intact chain and 1 naming the edited record', async () => {
    seed(12);
    expect(await runAudit(['verify'], config())).toBe(0);
    expect(out).toContain('audit chain OK: 12 records');
    tamper("UPDATE audit_log SET outcome = 'success' WHERE seq = 3");
    expect(await runAudit(['verify'], config())).toBe(1);
    expect(err).toContain('seq 3');
    expect(err).toContain('mac-mismatch');
  });

  it('names a deleted record', async () => {
    seed(6);
    tamper('DELETE FROM audit_log WHERE seq = 4');
    expect(await runAudit(['verify'], config())).toBe(1);
    expect(err).toMatch(/seq 4: sequence-gap/);
  });

  it('names an inserted record', async () => {
    seed(6);
    const db = openDatabase(dataDir);
    const rows = db.prepare('SELECT * FROM audit_log WHERE seq >= 3 ORDER BY seq DESC').all() as Array<Record<string, unknown>>;
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_next_seq');
    // Shift records 3..6 up by one and put a forged record in seq 3.
    db.exec('DELETE FROM audit_log WHERE seq >= 3');
    const insert = db.prepare('INSERT INTO audit_log (seq, time, user_id, user_name, role, source_ip, event, outcome, details, mac) VALUES (@seq, @time, @user_id, @user_name, @role, @source_ip, @event, @outcome, @details, @mac)');
    for (const row of rows) insert.run({ ...row, seq: (row.seq as number) + 1 });
    insert.run({ ...rows.at(-1)!, seq: 3, event: 'login', mac: 'ee'.repeat(32) });
    db.close();
    expect(await runAudit(['verify'], config())).toBe(1);
    expect(err).toMatch(/seq 3: mac-mismatch/);
  });

  it('fails with the wrong key given by --key', async () => {
    seed(2);
    const other = path.join(dataDir, 'other.key');
    loadAuditKey({ dataDir: path.join(dataDir, 'elsewhere'), create: true });
    expect(await runAudit(['verify', '--key', path.join(dataDir, 'elsewhere', 'keys', 'audit.key')], config())).toBe(1);
    expect(err).toMatch(/seq 1: mac-mismatch/);
    expect(await runAudit(['verify', '--key', other], config())).toBe(1);
    expect(err).toContain('does not exist');
  });

  it('reports an empty log as OK and records without a key as unverifiable', async () => {
    expect(await runAudit(['verify'], config())).toBe(0);
    expect(out).toContain('audit chain OK: 0 records');
    seed(1);
    rmSync(path.join(dataDir, 'keys'), { recursive: true });
    expect(await runAudit(['verify'], config())).toBe(1);
    expect(err).toContain('no audit key');
  });
});

describe('kekkai audit export', () => {
  it('writes JSON lines that verify with the key, limited by --from/--to', async () => {
    seed(10);
    const file = path.join(dataDir, 'out.jsonl');
    expect(await runAudit(['export', '--format', 'jsonl', '--out', file], config())).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const records = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditRecord);
    expect(records).toHaveLength(10);
    expect(verifyChain(records, loadAuditKey({ dataDir, create: false })!.key)).toMatchObject({ ok: true, count: 10 });
    expect(await runAudit(['export', '--format', 'jsonl', '--from', '2026-11-03', '--to', '2026-11-06T00:00+09:00'], config())).toBe(0);
    expect(out.trim().split('\n').map((l) => (JSON.parse(l) as AuditRecord).seq)).toEqual([3, 4, 5]);
  });

  it('writes CSV with a BOM, or Shift_JIS, that a spreadsheet can read', async () => {
    seed(3);
    const utf8 = path.join(dataDir, 'a.csv');
    const sjis = path.join(dataDir, 'b.csv');
    expect(await runAudit(['export', '--format', 'csv', '--out', utf8], config())).toBe(0);
    expect(await runAudit(['export', '--format', 'csv-sjis', '--out', sjis], config())).toBe(0);
    const a = readFileSync(utf8);
    expect([...a.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = a.toString('utf8').slice(1);
    expect(text.split('\r\n')).toHaveLength(5);
    expect(text).toContain('渡辺');
    expect(text).toContain('"{""url"":""https://files.example/1.pdf"",""sha256"":""111""');
    expect(new TextDecoder('shift_jis', { fatal: true }).decode(readFileSync(sjis))).toBe(text);
  });

  it('refuses a bad format or date with exit 2', async () => {
    expect(await runAudit(['export', '--format', 'xlsx'], config())).toBe(2);
    expect(await runAudit(['export', '--format', 'csv', '--from', 'last week'], config())).toBe(2);
    expect(await runAudit(['export', '--bogus'], config())).toBe(2);
    expect(await runAudit(['rotate'], config())).toBe(2);
  });
});
