/**
 * The head anchor as a security officer would try it: records appended the way the
 * gateway appends them, then someone with write access to kekkai.db (but not the key)
 * drops the append-only triggers and deletes the newest rows. `kekkai audit verify`
 * (the built command, run as an operator runs it) must fail and name what is missing.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anchorPath } from '../../../gateway/audit/audit-anchor.js';
import { openAuditLog } from '../../../gateway/audit/audit-setup.js';
import { openDatabase } from '../../../gateway/database.js';

const BIN = path.resolve('bin/kekkai.js');
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-anchor-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function kekkai(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', KEKKAI_DATA_DIR: dataDir }, timeout: 30_000 });
}

/** Opens the log as the gateway does, appends n records, closes (the anchor is written). */
async function append(n: number, warnings: string[] = []): Promise<void> {
  const db = openDatabase(dataDir);
  const log = openAuditLog(db, { dataDir }, (m) => warnings.push(m));
  for (let i = 0; i < n; i++) log.audit.record({ event: 'navigation', outcome: 'allowed', userName: 'kango', details: { url: `https://example.jp/${i}` } });
  await log.close();
  db.close();
}

/** What an attacker with the database file (and no key) can do. */
function sql(statements: string): void {
  const db = openDatabase(dataDir);
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; DROP TRIGGER IF EXISTS audit_log_next_seq;');
  db.exec(statements);
  db.close();
}

function macOf(seq: number): string {
  const db = openDatabase(dataDir);
  const row = db.prepare('SELECT mac FROM audit_log WHERE seq = ?').get(seq) as { mac: string };
  db.close();
  return row.mac;
}

describe('kekkai audit verify and the head anchor', () => {
  it('verifies an untouched log up to its anchored end', async () => {
    await append(10);
    const res = kekkai(['audit', 'verify']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('audit chain OK: 10 records; head anchor at seq 10');
  });

  it('fails when the newest records are deleted, naming the missing range in English and Japanese', async () => {
    await append(10);
    sql('DELETE FROM audit_log WHERE seq > 7');
    const res = kekkai(['audit', 'verify']);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('BROKEN at record seq 8: truncated');
    expect(res.stderr).toContain('records seq 8–10 are missing from the end of the log');
    expect(res.stderr).toContain('末尾の記録 8〜10 が削除されています');
  });

  it('keeps the evidence when the gateway starts again and appends past the old end', async () => {
    await append(10);
    const anchorBefore = readFileSync(anchorPath(dataDir), 'utf8');
    sql('DELETE FROM audit_log WHERE seq > 7');
    const warnings: string[] = [];
    await append(5, warnings);
    expect(warnings.join('\n')).toMatch(/records seq 8–10 are missing from the end/);
    // Seq 10 exists again, but it is not the record the anchor vouched for.
    expect(readFileSync(anchorPath(dataDir), 'utf8')).toBe(anchorBefore);
    const res = kekkai(['audit', 'verify']);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('seq 10: head-mismatch');
  });

  it('fails when the anchor is edited to match the shorter log, or deleted', async () => {
    await append(10);
    sql('DELETE FROM audit_log WHERE seq > 7');
    const file = anchorPath(dataDir);
    const anchor = JSON.parse(readFileSync(file, 'utf8')) as { seq: number; headMac: string };
    writeFileSync(file, JSON.stringify({ ...anchor, seq: 7, headMac: macOf(7) }));
    const edited = kekkai(['audit', 'verify']);
    expect(edited.status).toBe(1);
    expect(edited.stderr).toContain('anchor-invalid');
    expect(edited.stderr).toContain('ヘッドアンカー');
    rmSync(file);
    const deleted = kekkai(['audit', 'verify']);
    expect(deleted.status).toBe(1);
    expect(deleted.stderr).toContain('anchor-missing');
  });

  it('catches an old copy of the anchor put back, with the head a syslog collector received', async () => {
    await append(5);
    const oldCopy = path.join(dataDir, 'old-anchor.json');
    copyFileSync(anchorPath(dataDir), oldCopy);
    await append(5);
    const collectorHead = `10:${macOf(10)}`;
    sql('DELETE FROM audit_log WHERE seq > 5');
    copyFileSync(oldCopy, anchorPath(dataDir));
    // The file alone is fooled by the rollback; the collector's last seq/MAC is not.
    expect(kekkai(['audit', 'verify']).status).toBe(0);
    const res = kekkai(['audit', 'verify', '--head', collectorHead]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('records seq 6–10 are missing');
    expect(kekkai(['audit', 'verify', '--head', 'ten:abc']).status).toBe(2);
  });

  it('moves the anchor within about a second while running, shared with a command on the same log', async () => {
    const db = openDatabase(dataDir);
    const gateway = openAuditLog(db, { dataDir }, () => undefined);
    try {
      for (let i = 0; i < 3; i++) gateway.audit.record({ event: 'login', outcome: 'success', userName: 'kango' });
      const anchoredSeq = () => (JSON.parse(readFileSync(anchorPath(dataDir), 'utf8')) as { seq: number }).seq;
      expect(anchoredSeq()).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(anchoredSeq()).toBe(3);
      // `kekkai user add` meanwhile: its own connection, its own record, anchored as it exits.
      await append(1);
      expect(anchoredSeq()).toBe(4);
      gateway.audit.record({ event: 'logout', outcome: 'success', userName: 'kango' });
      await gateway.audit.flushHead();
      expect(anchoredSeq()).toBe(5);
    } finally {
      await gateway.close();
      db.close();
    }
    expect(kekkai(['audit', 'verify']).stdout).toContain('audit chain OK: 5 records; head anchor at seq 5');
  });

  it.runIf(process.getuid?.() === 0)('run as root, keeps the anchor owned by the data directory\'s account', async () => {
    chownSync(dataDir, 65534, 65534);
    await append(2);
    expect(statSync(anchorPath(dataDir))).toMatchObject({ uid: 65534, gid: 65534 });
    await append(1);
    expect(statSync(anchorPath(dataDir))).toMatchObject({ uid: 65534, gid: 65534 });
  });

  it('accepts a log that runs ahead of its anchor (a crash before the anchor was written)', async () => {
    await append(3);
    const db = openDatabase(dataDir);
    const log = openAuditLog(db, { dataDir }, () => undefined);
    log.audit.record({ event: 'login', outcome: 'success', userName: 'kango' });
    // No close and no flush: as if the process died right after the commit.
    db.close();
    const res = kekkai(['audit', 'verify']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('audit chain OK: 4 records; head anchor at seq 3');
  });

  it('never anchors a record whose transaction rolled back', async () => {
    await append(2);
    const db = openDatabase(dataDir);
    const log = openAuditLog(db, { dataDir }, () => undefined);
    expect(() =>
      db.transaction(() => {
        log.audit.record({ event: 'account-change', outcome: 'success', details: { action: 'create' } });
        throw new Error('the account could not be stored');
      })(),
    ).toThrow('could not be stored');
    await log.close();
    db.close();
    const res = kekkai(['audit', 'verify']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('audit chain OK: 2 records; head anchor at seq 2');
  });

  it('lets an operator acknowledge a known loss with a reason, audited as the OS account', async () => {
    await append(6);
    sql('DELETE FROM audit_log WHERE seq > 4');
    expect(kekkai(['audit', 'anchor', '--reset']).status).toBe(2);
    const reset = kekkai(['audit', 'anchor', '--reset', '--reason', '停電で末尾が失われた (power cut 2026-11-27)']);
    expect(reset.stderr).toBe('');
    expect(reset.status).toBe(0);
    expect(reset.stdout).toContain('head anchor reset at seq 5');
    const verify = kekkai(['audit', 'verify']);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toContain('audit chain OK: 5 records; head anchor at seq 5');
    expect(verify.stdout).toMatch(/note: seq 5 .*head anchor reset by os:/);
    const db = openDatabase(dataDir);
    const row = db.prepare('SELECT user_name, event, details FROM audit_log WHERE seq = 5').get() as { user_name: string; event: string; details: string };
    db.close();
    expect(row.event).toBe('audit-anchor');
    expect(row.user_name).toBe(`os:${os.userInfo().username}`);
    expect(JSON.parse(row.details)).toMatchObject({ action: 'reset', source: 'cli', finding: 'truncated', lastSeqBefore: 4, previous: { state: 'ok', seq: 6, missingTo: 6 } });
  });

  it('refuses to reset while records themselves were edited', async () => {
    await append(4);
    sql("UPDATE audit_log SET outcome = 'blocked' WHERE seq = 2");
    const res = kekkai(['audit', 'anchor', '--reset', '--reason', 'try to hide it']);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('seq 2: mac-mismatch');
    expect(kekkai(['audit', 'verify']).stderr).toContain('seq 2: mac-mismatch');
  });

  it('re-creates a missing anchor at open with an audit-anchor record that verify reports', async () => {
    await append(3);
    rmSync(anchorPath(dataDir));
    expect(kekkai(['audit', 'verify']).status).toBe(1);
    const warnings: string[] = [];
    await append(1, warnings);
    expect(warnings.join('\n')).toContain('is missing while the log holds 3 records');
    const res = kekkai(['audit', 'verify']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('audit chain OK: 5 records');
    expect(res.stdout).toMatch(/note: seq 4 .*head anchor created by kekkai \(anchor-missing\)/);
  });
});
