import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUARANTINE_MIGRATION_SQL } from '../../../gateway/downloads/quarantine-migration.js';
import { QuarantineIntegrityError, QuarantineStore, loadOrCreateQuarantineKey, type QuarantineMeta } from '../../../gateway/downloads/quarantine-store.js';

let dataDir: string;
let db: Database.Database;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-q-'));
  db = new Database(':memory:');
  db.exec(QUARANTINE_MIGRATION_SQL);
});
afterEach(() => {
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const meta = (over: Partial<QuarantineMeta> = {}): QuarantineMeta => ({
  name: '様式.xlsx',
  trueType: 'xlsx',
  sourceUrl: 'https://mhlw.example/form.xlsx',
  userId: 7,
  userName: 'nurse',
  verdict: 'sanitized',
  reason: null,
  signature: null,
  steps: [{ stage: 'scan', detail: 'clean', ms: 3 }],
  ...over,
});

function blobFiles(): string[] {
  const root = path.join(dataDir, 'quarantine');
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

describe('QuarantineStore', () => {
  it('round-trips an original and its metadata, encrypted at rest', async () => {
    const store = new QuarantineStore({ db, dataDir, now: () => new Date('2026-04-01T09:00:00Z') });
    const bytes = Buffer.from('PK\x03\x04 secret spreadsheet contents '.repeat(20));
    const rec = await store.put(meta(), bytes);
    expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.size).toBe(bytes.length);
    const files = blobFiles();
    expect(files).toHaveLength(1);
    const onDisk = readFileSync(files[0]!);
    expect(onDisk.includes(Buffer.from('secret spreadsheet'))).toBe(false);
    expect(statSync(files[0]!).mode & 0o777).toBe(0o600);
    const got = await store.get(rec.id);
    expect(got?.bytes.equals(bytes)).toBe(true);
    expect(got?.record).toMatchObject({ name: '様式.xlsx', trueType: 'xlsx', userId: 7, userName: 'nurse', verdict: 'sanitized', createdAt: '2026-04-01T09:00:00.000Z', steps: [{ stage: 'scan' }] });
    // A fresh store on the same data dir reads it with the key file.
    expect((await new QuarantineStore({ db, dataDir }).get(rec.id))?.bytes.equals(bytes)).toBe(true);
  });

  it('refuses a blob with one flipped byte (GCM tag)', async () => {
    const store = new QuarantineStore({ db, dataDir });
    const rec = await store.put(meta(), Buffer.from('original bytes of a PDF'));
    const file = blobFiles()[0]!;
    const blob = readFileSync(file);
    blob[blob.length - 3]! ^= 0x01;
    writeFileSync(file, blob);
    await expect(store.get(rec.id)).rejects.toBeInstanceOf(QuarantineIntegrityError);
  });

  it('refuses a blob swapped in from another record', async () => {
    const store = new QuarantineStore({ db, dataDir });
    const a = await store.put(meta({ name: 'a.pdf' }), Buffer.from('AAAA'));
    const b = await store.put(meta({ name: 'b.pdf' }), Buffer.from('BBBB'));
    const pathOf = (id: string): string => path.join(dataDir, 'quarantine', (db.prepare('SELECT blob_path FROM quarantine WHERE id = ?').get(id) as { blob_path: string }).blob_path);
    writeFileSync(pathOf(a.id), readFileSync(pathOf(b.id)));
    await expect(store.get(a.id)).rejects.toThrow(/authentication tag/);
    expect((await store.get(b.id))?.bytes.toString()).toBe('BBBB');
  });

  it('creates the key file 0600 in a 0700 directory and refuses a key others can read', () => {
    const key = loadOrCreateQuarantineKey(dataDir);
    expect(key).toHaveLength(32);
    const file = path.join(dataDir, 'keys', 'quarantine.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(loadOrCreateQuarantineKey(dataDir).equals(key)).toBe(true);
    chmodSync(file, 0o644);
    expect(() => loadOrCreateQuarantineKey(dataDir)).toThrow(/0600/);
  });

  it('cannot decrypt with another key', async () => {
    const rec = await new QuarantineStore({ db, dataDir }).put(meta(), Buffer.from('x'));
    const other = new QuarantineStore({ db, dataDir, key: Buffer.alloc(32, 9) });
    await expect(other.get(rec.id)).rejects.toBeInstanceOf(QuarantineIntegrityError);
  });

  it('lists records newest first with filters', async () => {
    let t = Date.parse('2026-04-01T00:00:00Z');
    const store = new QuarantineStore({ db, dataDir, now: () => new Date((t += 1000)) });
    await store.put(meta({ name: 'one.pdf' }), Buffer.from('1'));
    await store.put(meta({ name: 'virus.exe', verdict: 'blocked', reason: 'infected', signature: 'Win.Test.EICAR_HDB-1', userId: 8 }), Buffer.from('2'));
    await store.put(meta({ name: 'three.pdf' }), Buffer.from('3'));
    expect(store.list().map((r) => r.name)).toEqual(['three.pdf', 'virus.exe', 'one.pdf']);
    expect(store.list({ verdict: 'blocked' })).toMatchObject([{ name: 'virus.exe', reason: 'infected', signature: 'Win.Test.EICAR_HDB-1' }]);
    expect(store.list({ userId: 7 }).map((r) => r.name)).toEqual(['three.pdf', 'one.pdf']);
    expect(store.list({ limit: 1 })).toHaveLength(1);
    const rec = store.list({ verdict: 'blocked' })[0]!;
    expect(await store.delete(rec.id)).toBe(true);
    expect(store.list({ verdict: 'blocked' })).toEqual([]);
    expect(await store.get(rec.id)).toBeUndefined();
  });
});
