/** The audit log on a real SQLite file: chain, triggers, tampering, search, key file. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../gateway/audit/audit-log.js';
import { AuditKeyError, loadAuditKey } from '../../../gateway/audit/audit-key.js';
import { parseAuditTime } from '../../../gateway/audit/audit-event.js';
import { SqliteAuditRepository } from '../../../gateway/audit/sqlite-audit-repository.js';
import { openDatabase, type SqliteDb } from '../../../gateway/database.js';

let dataDir: string;
let db: SqliteDb;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-audit-'));
  db = openDatabase(dataDir);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function makeLog(start = Date.parse('2026-11-27T00:00:00Z')): AuditLog {
  let t = start;
  const key = loadAuditKey({ dataDir, create: true })!.key;
  return new AuditLog(new SqliteAuditRepository(db), key, { now: () => new Date((t += 60_000)) });
}

function fill(log: AuditLog, n: number): void {
  for (let i = 1; i <= n; i++) {
    log.record({
      event: i % 10 === 0 ? 'navigation-blocked' : 'navigation',
      outcome: i % 10 === 0 ? 'blocked' : 'allowed',
      userId: (i % 3) + 1,
      userName: ['田中', '鈴木', 'yamada'][i % 3]!,
      role: 'staff',
      sourceIp: '10.0.0.9',
      details: { url: `https://site${i % 7}.example/path_${i}?q=100%`, rule: i % 10 === 0 ? 'block-sns' : null },
    });
  }
}

describe('SQLite audit log', () => {
  it('appends many records whose chain verifies', () => {
    const log = makeLog();
    fill(log, 2500);
    expect(log.count()).toBe(2500);
    expect(log.verify()).toMatchObject({ ok: true, count: 2500, lastSeq: 2500 });
  });

  it('refuses UPDATE, DELETE and out-of-sequence INSERT by trigger', () => {
    fill(makeLog(), 3);
    expect(() => db.prepare("UPDATE audit_log SET outcome = 'allowed' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 3').run()).toThrow(/append-only/);
    expect(() =>
      db.prepare("INSERT INTO audit_log (seq, time, event, outcome, details, mac) VALUES (10, 't', 'login', 'success', '{}', 'x')").run(),
    ).toThrow(/append-only/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM audit_log').get()).toEqual({ n: 3 });
  });

  it('detects a row edited after the triggers were dropped, naming its seq', () => {
    const log = makeLog();
    fill(log, 20);
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete');
    db.prepare("UPDATE audit_log SET details = replace(details, 'site', 'evil') WHERE seq = 13").run();
    expect(log.verify()).toEqual({ ok: false, count: 12, firstBadSeq: 13, reason: 'mac-mismatch' });
  });

  it('detects a deleted row and a row whose details are no longer JSON', () => {
    const log = makeLog();
    fill(log, 20);
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete');
    db.prepare("UPDATE audit_log SET details = 'garbage' WHERE seq = 17").run();
    expect(log.verify()).toMatchObject({ ok: false, firstBadSeq: 17, reason: 'mac-mismatch' });
    db.prepare('DELETE FROM audit_log WHERE seq = 8').run();
    expect(log.verify()).toEqual({ ok: false, count: 7, firstBadSeq: 8, reason: 'sequence-gap' });
  });

  it('keeps unusual text exactly so the chain still verifies', () => {
    const log = makeLog();
    log.record({ event: 'navigation', outcome: 'allowed', userName: 'nul\u0000in-name', details: { url: 'https://x.example/\u0000\r\n😀', lone: '\uDC00' } });
    log.record({ event: 'login', outcome: 'failure', userName: null, details: { n: 1.5e-7, big: 2 ** 53 - 1, neg: -0 } });
    expect(log.verify()).toMatchObject({ ok: true, count: 2 });
  });

  it('searches by time, user, event, outcome and text, with paging', () => {
    const log = makeLog();
    fill(log, 100);
    // Record i is at 2026-11-27T09:00+09:00 plus i minutes.
    const range = log.search({ from: parseAuditTime('2026-11-27T09:10'), to: parseAuditTime('2026-11-27T09:20') }, { order: 'asc', limit: 1000 });
    expect(range.records.map((r) => r.seq)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(log.search({ events: ['navigation-blocked'] }).total).toBe(10);
    expect(log.search({ outcomes: ['blocked'], userName: 'YAMADA' }).records.every((r) => r.userName === 'yamada' && r.outcome === 'blocked')).toBe(true);
    expect(log.search({ userId: 2 }).total).toBe(34);
    expect(log.search({ text: 'site3.example' }).total).toBe(14);
    expect(log.search({ text: '鈴木' }).total).toBe(34);
    // LIKE wildcards in the search text are literal.
    expect(log.search({ text: 'path_1?' }).total).toBe(1);
    expect(log.search({ text: '100%' }).total).toBe(100);
    expect(log.search({ text: '_%' }).total).toBe(0);
    const page2 = log.search({}, { limit: 30, offset: 30 });
    expect(page2.total).toBe(100);
    expect(page2.records.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 70 - i));
  });

  it('keeps the user name after the account is deleted', () => {
    const log = makeLog();
    db.prepare("INSERT INTO users (name, role, password_hash, created_at) VALUES ('kato', 'staff', 'x', 'now')").run();
    const id = (db.prepare("SELECT id FROM users WHERE name = 'kato'").get() as { id: number }).id;
    log.record({ event: 'login', outcome: 'success', userId: id, userName: 'kato', role: 'staff' });
    db.prepare('DELETE FROM users WHERE id = ?').run(id);
    expect(log.search({ userId: id }).records[0]).toMatchObject({ userName: 'kato', role: 'staff' });
    expect(log.verify().ok).toBe(true);
  });

  it('two connections appending to one file keep one chain', () => {
    const key = loadAuditKey({ dataDir, create: true })!.key;
    const other = openDatabase(dataDir);
    try {
      const a = new AuditLog(new SqliteAuditRepository(db), key);
      const b = new AuditLog(new SqliteAuditRepository(other), key);
      for (let i = 0; i < 50; i++) (i % 2 ? a : b).record({ event: 'login', outcome: 'success', details: { i } });
      expect(a.verify()).toMatchObject({ ok: true, count: 50 });
    } finally {
      other.close();
    }
  });
});

describe('audit key file', () => {
  it('is created once as 32 bytes, mode 0600 in a 0700 directory, then reused', () => {
    const first = loadAuditKey({ dataDir, create: true })!;
    expect(first.created).toBe(true);
    expect(first.key).toHaveLength(32);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(first.path)).mode & 0o777).toBe(0o700);
    const again = loadAuditKey({ dataDir, create: true })!;
    expect(again.created).toBe(false);
    expect(again.key.equals(first.key)).toBe(true);
    expect(readFileSync(path.join(dataDir, 'keys', 'audit.key')).equals(first.key)).toBe(true);
  });

  it('is not created when create is false', () => {
    expect(loadAuditKey({ dataDir, create: false })).toBeUndefined();
  });

  it('reads an explicit hex key file, warns when others can read it, and refuses a missing or short one', () => {
    const file = path.join(dataDir, 'secret.key');
    writeFileSync(file, `${'0f'.repeat(32)}\n`, { mode: 0o644 });
    const loaded = loadAuditKey({ dataDir, keyFile: file, create: true })!;
    expect(loaded.key.equals(Buffer.alloc(32, 0x0f))).toBe(true);
    expect(loaded.warnings.join()).toContain('chmod 600');
    expect(() => loadAuditKey({ dataDir, keyFile: path.join(dataDir, 'missing.key'), create: true })).toThrow(AuditKeyError);
    writeFileSync(file, 'short', { mode: 0o600 });
    expect(() => loadAuditKey({ dataDir, keyFile: file, create: false })).toThrow(/too short/);
  });
});
