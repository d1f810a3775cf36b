/**
 * Scheduled backups as the systemd timer runs them (issue 15): the built
 * `kekkai backup --scheduled` against a running gateway's data directory, encrypted
 * with age for a recipient whose private key is elsewhere, rotated, copied to a
 * second directory (a mounted share) or mirrored with rsync; a failed run shows in
 * the log, the audit log, /metrics and the compliance page; and the restore drill:
 * the newest backup from the second location, restored with the key kept apart into
 * a fresh data directory, passes `kekkai audit verify` and has the accounts and the
 * URL policy.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBackupStatus } from '../../../gateway/ops/backup-status.js';
import { scheduledBackupName } from '../../../gateway/ops/backup-rotation.js';
import { openDatabase } from '../../../gateway/database.js';
import { createSqliteStore } from '../../../gateway/store/sqlite-repositories.js';
import { buildTestApp, type AppHarness } from '../gateway/app-harness.js';
import { addUser, host, signInEnrolling } from '../admin/admin-helpers.js';

const BIN = path.resolve('bin/kekkai.js');
const POLICY = 'default: allow\nrules:\n  - id: no-webmail\n    match: { domain: mail.example.test }\n    action: block\n';
const hasRsync = spawnSync('sh', ['-c', 'command -v rsync']).status === 0;

let h: AppHarness;
let root: string;
let backups: string;
let nas: string;
let identity: string;
let recipient: string;

beforeEach(async () => {
  h = await buildTestApp({}, { consoles: true });
  root = mkdtempSync(path.join(os.tmpdir(), 'kekkai-scheduled-'));
  backups = path.join(root, 'backups');
  nas = path.join(root, 'nas');
  mkdirSync(nas);
  // The private key lives elsewhere (with the person who restores); the server has only the recipient.
  identity = path.join(root, 'offline', 'restore-key.txt');
  mkdirSync(path.dirname(identity));
  const keygen = spawnSync('age-keygen', ['-o', identity], { encoding: 'utf8' });
  expect(keygen.status, `age-keygen: ${keygen.stderr} (Debian package "age", scripts/install.sh)`).toBe(0);
  recipient = /public key: (age1\S+)/.exec(readFileSync(identity, 'utf8'))![1]!;
  // What the gateway holds: accounts, a URL policy version, audit records.
  await addUser(h, 'kango', 'staff');
  await addUser(h, 'jouhou', 'admin');
  expect(h.policy.save(POLICY, { comment: 'webmail blocked' }).ok).toBe(true);
  for (let i = 0; i < 3; i++) h.audit.record({ event: 'navigation', outcome: 'allowed', userName: 'kango', details: { url: `https://example.jp/${i}` } });
});
afterEach(async () => {
  await h.close();
  rmSync(root, { recursive: true, force: true });
});

function kekkai(args: string[], env: Record<string, string>, dataDir = h.dataDir) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', KEKKAI_DATA_DIR: dataDir, ...env }, timeout: 120_000 });
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const archives = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('kekkai-')).sort();
const backupRecords = () => [...h.audit.records({})].filter((r) => r.event === 'backup');

/** Archives of earlier days, as earlier runs left them (contents do not matter to rotation). */
function earlierRuns(dir: string, days: number): string[] {
  const names = Array.from({ length: days }, (_, i) => scheduledBackupName(new Date(Date.now() - (i + 1) * 86_400_000), true));
  mkdirSync(dir, { recursive: true });
  for (const name of names) writeFileSync(path.join(dir, name), 'older');
  return names;
}

describe('kekkai backup --scheduled', () => {
  it('writes an age-encrypted, rotated backup, copies it to the share, and records the run everywhere', async () => {
    const older = earlierRuns(backups, 20);
    earlierRuns(nas, 20);
    // Leftovers of a run that was killed, and a file of the operator's own.
    writeFileSync(path.join(backups, `${scheduledBackupName(new Date(), true)}.partial`), 'half');
    mkdirSync(path.join(backups, '.kekkai-staging-x'));
    writeFileSync(path.join(backups, 'README'), 'mine');

    const run = kekkai(['backup', '--scheduled'], { KEKKAI_BACKUP_DIR: backups, KEKKAI_BACKUP_ENCRYPT_TO: recipient, KEKKAI_BACKUP_COPY_TO: nas, KEKKAI_BACKUP_KEEP_DAILY: '3', KEKKAI_BACKUP_KEEP_WEEKLY: '2' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/"msg":"scheduled backup done"/);

    const kept = archives(backups);
    const newest = kept.at(-1)!;
    expect(newest).toMatch(/^kekkai-\d{8}T\d{6}Z\.backup\.age$/);
    // 3 days (today and the two before) and the newest of 2 weeks: 3 or 4 archives, depending on the weekday.
    expect(kept.length).toBeGreaterThanOrEqual(3);
    expect(kept.length).toBeLessThanOrEqual(4);
    expect(kept).toEqual(expect.arrayContaining([newest, older[0], older[1]]));
    expect(readdirSync(backups).sort()).toEqual(['README', ...kept].sort());
    // Encrypted: age's header, and nothing of the SQLite file or the account names in clear.
    const bytes = readFileSync(path.join(backups, newest));
    expect(bytes.subarray(0, 22).toString('latin1')).toBe('age-encryption.org/v1\n');
    expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(bytes.includes(Buffer.from('jouhou'))).toBe(false);
    expect(statSync(path.join(backups, newest)).mode & 0o777).toBe(0o600);
    // The share holds the same bytes and the same rotation.
    expect(archives(nas)).toEqual(kept);
    expect(sha256(path.join(nas, newest))).toBe(sha256(path.join(backups, newest)));

    expect(readBackupStatus(h.dataDir)).toMatchObject({ ok: true, file: newest, encrypted: true, copiedTo: nas, kept: kept.length, error: null });
    const [record] = backupRecords();
    expect(record).toMatchObject({ outcome: 'success', userName: `os:${os.userInfo().username}` });
    expect(record!.details).toMatchObject({ file: newest, encrypted: true, copiedTo: nas, kept: kept.length, source: 'cli' });
    expect((record!.details as { removed: string[] }).removed).toHaveLength(20 + 1 - kept.length);

    // /metrics and the compliance page of the running gateway show it.
    const metrics = (await h.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).body;
    expect(metrics).toMatch(/^kekkai_backup_last_run_ok 1$/m);
    const ts = Number(/^kekkai_backup_last_success_timestamp_seconds (\S+)$/m.exec(metrics)![1]);
    expect(Math.abs(ts * 1000 - Date.now())).toBeLessThan(120_000);
    await addUser(h, 'boss', 'admin');
    const admin = await signInEnrolling(h, 'boss');
    const items = (await h.app.inject({ url: '/api/compliance', headers: { host, cookie: admin.cookie } })).json().items as Array<{ id: string; ok: boolean; figures: Record<string, unknown> }>;
    expect(items.find((i) => i.id === 'backups')).toMatchObject({ ok: true, figures: { lastAttemptOk: true, encrypted: true, copiedTo: nas, file: newest } });

    // The restore drill: newest backup from the share, the key kept apart, a fresh data directory.
    const drill = await restoreDrill(path.join(nas, newest));
    expect(drill.users).toEqual(expect.arrayContaining(['nurse', 'kango', 'jouhou']));
    // boss was added after the backup.
    expect(drill.users).not.toContain('boss');
  });

  it('raises the alarm when a run fails: exit 1, log, audit record, metric and compliance page', async () => {
    const ok = kekkai(['backup', '--scheduled'], { KEKKAI_BACKUP_DIR: backups, KEKKAI_BACKUP_ENCRYPT_TO: recipient, KEKKAI_BACKUP_COPY_TO: nas });
    expect(ok.status, ok.stderr).toBe(0);
    const firstSuccess = readBackupStatus(h.dataDir)!.lastSuccessAt;
    // The share is not mounted: the run must fail, not write into the empty mount point.
    const unmounted = path.join(root, 'mnt-nas');
    const failed = kekkai(['backup', '--scheduled'], { KEKKAI_BACKUP_DIR: backups, KEKKAI_BACKUP_ENCRYPT_TO: recipient, KEKKAI_BACKUP_COPY_TO: unmounted });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/"level":50.*"msg":"scheduled backup FAILED"/);
    expect(failed.stdout).toContain('is not a directory (is the share mounted?)');
    expect(existsSync(unmounted)).toBe(false);

    const status = readBackupStatus(h.dataDir)!;
    expect(status).toMatchObject({ ok: false, lastSuccessAt: firstSuccess });
    expect(status.error).toMatch(/mnt-nas is not a directory/);
    expect(backupRecords().map((r) => r.outcome)).toEqual(['success', 'error']);
    expect(backupRecords()[1]!.details).toMatchObject({ error: expect.stringMatching(/is not a directory/) });

    const metrics = (await h.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).body;
    expect(metrics).toMatch(/^kekkai_backup_last_run_ok 0$/m);
    expect(Number(/^kekkai_backup_last_success_timestamp_seconds (\S+)$/m.exec(metrics)![1]) * 1000).toBe(Date.parse(firstSuccess!));
    await addUser(h, 'boss', 'admin');
    const admin = await signInEnrolling(h, 'boss');
    const items = (await h.app.inject({ url: '/api/compliance', headers: { host, cookie: admin.cookie } })).json().items as Array<{ id: string; ok: boolean; figures: Record<string, unknown> }>;
    expect(items.find((i) => i.id === 'backups')).toMatchObject({ ok: false, figures: { lastAttemptOk: false, lastError: expect.stringMatching(/not a directory/) } });

    // Without a backup directory, or with a recipient that is not one, it fails the same way.
    expect(kekkai(['backup', '--scheduled'], {}).status).toBe(1);
    expect(readBackupStatus(h.dataDir)!.error).toMatch(/KEKKAI_BACKUP_DIR is not set/);
    const badKey = kekkai(['backup', '--scheduled'], { KEKKAI_BACKUP_DIR: backups, KEKKAI_BACKUP_ENCRYPT_TO: 'age1notakey' });
    expect(badKey.status).toBe(1);
    expect(readBackupStatus(h.dataDir)!.error).toMatch(/must be an age recipient/);
    expect(backupRecords().map((r) => r.outcome)).toEqual(['success', 'error', 'error', 'error']);
    // No plaintext archive was left anywhere in the backup directory by the failed runs.
    expect(readdirSync(backups).every((n) => n.endsWith('.backup.age'))).toBe(true);
  });

  it('refuses to restore an encrypted backup without the key, and with the wrong key', () => {
    expect(kekkai(['backup', '--scheduled'], { KEKKAI_BACKUP_DIR: backups, KEKKAI_BACKUP_ENCRYPT_TO: recipient }).status).toBe(0);
    const newest = path.join(backups, archives(backups).at(-1)!);
    const fresh = path.join(root, 'fresh');
    const noKey = kekkai(['restore', newest], {}, fresh);
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toContain('is encrypted (age): give the private key with --identity FILE');
    const other = path.join(root, 'other-key.txt');
    spawnSync('age-keygen', ['-o', other]);
    const wrongKey = kekkai(['restore', newest, '--identity', other], {}, fresh);
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toMatch(/age failed: .*no identity matched/);
    expect(existsSync(path.join(fresh, 'kekkai.db'))).toBe(false);
  });

  it.skipIf(!hasRsync)('mirrors the rotated archives to an rsync destination', () => {
    const mirror = path.join(root, 'mirror');
    mkdirSync(mirror);
    writeFileSync(path.join(mirror, scheduledBackupName(new Date(Date.now() - 40 * 86_400_000), true)), 'rotated away');
    // A relative destination is an rsync path on this machine (host:path would go over ssh).
    const run = kekkai(['backup', '--scheduled'], { KEKKAI_BACKUP_DIR: backups, KEKKAI_BACKUP_ENCRYPT_TO: recipient, KEKKAI_BACKUP_COPY_TO: `${path.relative(process.cwd(), mirror)}/` });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(archives(mirror)).toEqual(archives(backups));
    expect(archives(mirror)).toHaveLength(1);
  });
});

/** Restores into a fresh directory with the offline key and checks it as the operations guide says. */
async function restoreDrill(archive: string): Promise<{ users: string[] }> {
  const fresh = path.join(root, 'restored');
  const restore = kekkai(['restore', archive, '--identity', identity], {}, fresh);
  expect(restore.status, restore.stdout + restore.stderr).toBe(0);
  expect(restore.stdout).toContain('archive verified');
  // The audit chain is intact and reaches the restored head anchor.
  const verify = kekkai(['audit', 'verify'], {}, fresh);
  expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  // The URL policy in force is the one saved on the live gateway.
  const exported = kekkai(['policy', 'export'], {}, fresh);
  expect(exported.status, exported.stderr).toBe(0);
  expect(exported.stdout).toContain('mail.example.test');
  // Nothing decrypted was left behind.
  expect(readdirSync(os.tmpdir()).filter((n) => n.startsWith('kekkai-restore-'))).toEqual([]);
  const db = openDatabase(fresh);
  try {
    return { users: createSqliteStore(db).users.list().map((u) => u.name) };
  } finally {
    db.close();
  }
}
