/**
 * `kekkai backup` of a live data directory (database kept open and written to, as
 * by a running gateway) and `kekkai restore` into a fresh one: accounts, policy
 * versions, the audit chain and quarantined originals survive; a damaged or
 * malicious archive is refused before anything is written.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openAuditLog } from '../../../gateway/audit/audit-setup.js';
import { runAudit } from '../../../gateway/cli/audit-command.js';
import { runBackup, runRestore } from '../../../gateway/cli/backup-command.js';
import { loadConfig } from '../../../gateway/config/load-config.js';
import { QuarantineStore } from '../../../gateway/downloads/quarantine-store.js';
import { MANIFEST_NAME } from '../../../gateway/ops/backup-manifest.js';
import { PolicyService } from '../../../gateway/policy-store/policy-service.js';
import { SqlitePolicyRepository } from '../../../gateway/policy-store/sqlite-policy-repository.js';
import { openDatabase, type SqliteDb } from '../../../gateway/database.js';
import { createSqliteStore } from '../../../gateway/store/sqlite-repositories.js';
import { craftArchive } from '../../fixtures/ops/craft-archive.js';

const POLICY = 'default: allow\nrules:\n  - id: no-webmail\n    match: { domain: mail.example.test }\n    action: block\n';

let root: string;
let out: string;
let err: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'kekkai-backup-'));
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

const configFor = (dataDir: string) => loadConfig({ env: {}, overrides: { dataDir } });

interface Live {
  dataDir: string;
  db: SqliteDb;
  quarantineId: string;
  close(): void;
}

/** A data directory as a running gateway leaves it: open database, keys, TLS files, records. */
async function liveGateway(): Promise<Live> {
  const dataDir = path.join(root, 'live');
  const config = configFor(dataDir);
  const db = openDatabase(dataDir);
  const store = createSqliteStore(db);
  store.users.create({ name: 'admin', role: 'admin', passwordHash: 'hash-admin', mustChangePassword: false });
  store.users.create({ name: 'nurse1', role: 'staff', passwordHash: 'hash-nurse', mustChangePassword: true });
  const { audit, close } = openAuditLog(db, config, () => undefined);
  const policies = new PolicyService(new SqlitePolicyRepository(db));
  const saved = policies.save(POLICY, { comment: 'block webmail' });
  if (!saved.ok) throw new Error('policy save failed');
  for (let i = 0; i < 5; i++) audit.record({ event: 'auth.login', outcome: 'success', userName: 'nurse1', details: { i } });
  const quarantine = new QuarantineStore({ db, dataDir });
  const record = await quarantine.put(
    { name: 'report.pdf', trueType: 'application/pdf', sourceUrl: null, userId: 2, userName: 'nurse1', verdict: 'blocked', reason: 'infected', signature: 'Eicar-Test-Signature', steps: [] },
    Buffer.from('original bytes'),
  );
  mkdirSync(path.join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dataDir, 'tls', 'self-signed-key.pem'), 'KEY', { mode: 0o600 });
  writeFileSync(path.join(dataDir, 'tls', 'self-signed-cert.pem'), 'CERT', { mode: 0o644 });
  return { dataDir, db, quarantineId: record.id, close: () => (close(), db.close()) };
}

describe('kekkai backup and restore', () => {
  it('backs up a running gateway and restores accounts, policies, audit chain and quarantine into a fresh directory', async () => {
    const live = await liveGateway();
    const archive = path.join(root, 'kekkai.backup');
    try {
      // A write in the WAL that no checkpoint has moved into kekkai.db yet.
      createSqliteStore(live.db).users.create({ name: 'late', role: 'security', passwordHash: 'h', mustChangePassword: false });
      expect(statSync(path.join(live.dataDir, 'kekkai.db-wal')).size).toBeGreaterThan(0);
      expect(await runBackup(['--out', archive, '--with-quarantine'], configFor(live.dataDir))).toBe(0);
      // The gateway keeps working during and after the backup.
      createSqliteStore(live.db).users.create({ name: 'after-backup', role: 'staff', passwordHash: 'h', mustChangePassword: false });
    } finally {
      live.close();
    }
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(out).toContain('kekkai.db');
    expect(out).toContain('keys/audit.key');
    expect(out).toMatch(/quarantine\/.+\.bin/);

    const fresh = path.join(root, 'restored');
    expect(await runRestore([archive], configFor(fresh))).toBe(0);
    expect(out).toContain(`restored into ${fresh}`);

    const db = openDatabase(fresh);
    try {
      const users = createSqliteStore(db).users;
      expect(users.findByName('admin')?.role).toBe('admin');
      expect(users.findByName('nurse1')?.passwordHash).toBe('hash-nurse');
      expect(users.findByName('late')?.role).toBe('security');
      expect(users.findByName('after-backup')).toBeUndefined();
      const policies = new PolicyService(new SqlitePolicyRepository(db));
      expect(policies.currentRecord().yaml).toBe(POLICY);
      expect(policies.currentVersion()).toBe(2);
      expect(policies.evaluate('https://mail.example.test/').verdict).toBe('block');
      const blob = await new QuarantineStore({ db, dataDir: fresh }).get(live.quarantineId);
      expect(blob?.bytes.toString()).toBe('original bytes');
    } finally {
      db.close();
    }
    out = '';
    expect(await runAudit(['verify'], configFor(fresh))).toBe(0);
    expect(out).toMatch(/OK/);

    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(fresh, 'keys')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(fresh, 'keys', 'audit.key')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(fresh, 'tls', 'self-signed-cert.pem')).mode & 0o777).toBe(0o600);
    expect(readdirSync(fresh).filter((n) => n.startsWith('.restore-'))).toEqual([]);
  });

  it('leaves the quarantine blobs out unless asked', async () => {
    const live = await liveGateway();
    const archive = path.join(root, 'small.backup');
    try {
      expect(await runBackup(['--out', archive], configFor(live.dataDir))).toBe(0);
    } finally {
      live.close();
    }
    expect(out).not.toMatch(/quarantine\//);
    expect(out).toContain('keys/quarantine.key');
  });

  it('refuses an archive with a flipped byte and writes nothing', async () => {
    const archive = await backupOf();
    const bytes = readFileSync(archive);
    bytes[600] = bytes[600]! ^ 0x01; // inside kekkai.db's data (after its 512-byte header)
    writeFileSync(archive, bytes);
    const fresh = path.join(root, 'restored');
    expect(await runRestore([archive], configFor(fresh))).toBe(1);
    expect(err).toMatch(/kekkai\.db.*SHA-256/);
    expect(existsSync(fresh)).toBe(false);
  });

  it('refuses a member that climbs out of the data directory', async () => {
    const archive = path.join(root, 'evil.backup');
    await craftArchive(archive, [['../../escaped', 'x']]);
    const fresh = path.join(root, 'restored');
    expect(await runRestore([archive], configFor(fresh))).toBe(1);
    expect(err).toMatch(/path traversal/);
    expect(existsSync(fresh)).toBe(false);
    expect(existsSync(path.join(root, '..', 'escaped'))).toBe(false);
  });

  it('refuses a non-empty data directory, and with --force one whose database is open', async () => {
    const archive = await backupOf();
    const target = path.join(root, 'target');
    const db = openDatabase(target);
    try {
      expect(await runRestore([archive], configFor(target))).toBe(1);
      expect(err).toMatch(/not empty/);
      err = '';
      expect(await runRestore([archive, '--force'], configFor(target))).toBe(1);
      expect(err).toMatch(/in use/);
    } finally {
      db.close();
    }
    expect(await runRestore([archive, '--force'], configFor(target))).toBe(0);
    const restored = openDatabase(target);
    try {
      expect(createSqliteStore(restored).users.findByName('nurse1')).toBeDefined();
    } finally {
      restored.close();
    }
  });

  it('refuses an archive whose manifest does not list a member', async () => {
    const archive = path.join(root, 'extra.backup');
    const db = { path: 'kekkai.db', size: 1, sha256: '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881' };
    const manifest = JSON.stringify({ format: 'kekkai-backup', version: 1, createdAt: 'now', schemaVersion: 1, withQuarantine: false, files: [db] });
    await craftArchive(archive, [['kekkai.db', 'x'], ['keys/planted.key', 'y'], [MANIFEST_NAME, manifest]]);
    expect(await runRestore([archive], configFor(path.join(root, 'restored')))).toBe(1);
    expect(err).toMatch(/keys\/planted\.key.*not in the manifest/);
  });

  it('restores an archive written by the hand-written ustar writer of earlier versions', async () => {
    // Made by `kekkai backup --with-quarantine` before backups were written with node-tar.
    const archive = path.join(root, 'old.backup');
    writeFileSync(archive, gunzipSync(readFileSync(path.join(import.meta.dirname, '../../fixtures/ops/backup-written-by-hand-ustar.kekkai.gz'))));
    const fresh = path.join(root, 'restored');
    expect(await runRestore([archive], configFor(fresh))).toBe(0);
    expect(out).toContain('archive verified: 4 files, SHA-256 OK');
    const db = openDatabase(fresh);
    try {
      expect(createSqliteStore(db).users.findByName('nurse1')?.passwordHash).toBe('hash-nurse');
    } finally {
      db.close();
    }
    expect(readFileSync(path.join(fresh, 'keys', 'audit.key'), 'utf8')).toBe('k'.repeat(32));
    // A name longer than 100 bytes: the old writer split it into ustar's prefix field.
    const [blob] = readdirSync(path.join(fresh, 'quarantine', 'ab'));
    expect(blob).toBe(`${'ab'.repeat(40)}-prefix.bin`);
    expect(readFileSync(path.join(fresh, 'quarantine', 'ab', blob!), 'utf8')).toBe('blob');
  });

  it('carries the audit head anchor, so a restored log verifies to the end the backup saw', async () => {
    const dataDir = path.join(root, 'anchored');
    const db = openDatabase(dataDir);
    const log = openAuditLog(db, configFor(dataDir), () => undefined);
    const archive = path.join(root, 'anchored.backup');
    try {
      for (let i = 1; i <= 6; i++) log.audit.record({ event: 'navigation', outcome: 'allowed', userName: 'nurse1', details: { i } });
      await log.audit.flushHead();
      expect(await runBackup(['--out', archive], configFor(dataDir))).toBe(0);
      // The gateway goes on after the snapshot; its anchor moves past what the backup holds.
      for (let i = 7; i <= 9; i++) log.audit.record({ event: 'navigation', outcome: 'allowed', userName: 'nurse1', details: { i } });
    } finally {
      await log.close();
      db.close();
    }
    expect(out).toContain('audit-head.json');

    const fresh = path.join(root, 'restored');
    expect(await runRestore([archive], configFor(fresh))).toBe(0);
    out = '';
    expect(await runAudit(['verify'], configFor(fresh))).toBe(0);
    expect(out).toContain('audit chain OK: 6 records; head anchor at seq 6');

    // Restored over the directory that went on to seq 9: its newer anchor must not stay behind.
    expect(await runAudit(['verify'], configFor(dataDir))).toBe(0);
    expect(out).toContain('audit chain OK: 9 records; head anchor at seq 9');
    expect(await runRestore([archive, '--force'], configFor(dataDir))).toBe(0);
    out = '';
    err = '';
    expect(await runAudit(['verify'], configFor(dataDir))).toBe(0);
    expect(err).toBe('');
    expect(out).toContain('audit chain OK: 6 records; head anchor at seq 6');
  });

  it('explains its usage and refuses to overwrite an existing file', async () => {
    expect(await runBackup([], configFor(root))).toBe(2);
    expect(await runRestore([], configFor(root))).toBe(2);
    const live = await liveGateway();
    try {
      writeFileSync(path.join(root, 'exists'), '');
      expect(await runBackup(['--out', path.join(root, 'exists')], configFor(live.dataDir))).toBe(1);
      expect(err).toMatch(/exists/);
    } finally {
      live.close();
    }
  });
});

async function backupOf(): Promise<string> {
  const live = await liveGateway();
  const archive = path.join(root, `b-${Math.random().toString(36).slice(2)}.backup`);
  try {
    expect(await runBackup(['--out', archive], configFor(live.dataDir))).toBe(0);
  } finally {
    live.close();
  }
  rmSync(live.dataDir, { recursive: true, force: true });
  return archive;
}
