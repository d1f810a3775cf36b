/** Quarantine retention on a real SQLite index, real encrypted blobs and a real audit log, with a fixed clock. */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../../gateway/audit/audit-log.js';
import { openAuditLog } from '../../../gateway/audit/audit-setup.js';
import { loadConfig } from '../../../gateway/config/load-config.js';
import { QuarantineStore, type QuarantineMeta } from '../../../gateway/downloads/quarantine-store.js';
import { purgeExpired, startRetentionTimer } from '../../../gateway/downloads/quarantine-retention.js';
import { openDatabase, type SqliteDb } from '../../../gateway/database.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-06-30T03:00:00.000Z');

let dataDir: string;
let db: SqliteDb;
let audit: AuditLog;
let closeAudit: () => void;
let clock: Date;
let quarantine: QuarantineStore;

const meta = (name: string): QuarantineMeta => ({ name, trueType: 'pdf', sourceUrl: 'https://x.example/', userId: 7, userName: 'nurse', verdict: 'sanitized', reason: null, signature: null, steps: [] });

async function putAt(ageDays: number, name: string): Promise<string> {
  clock = new Date(NOW.getTime() - ageDays * DAY);
  return (await quarantine.put(meta(name), new TextEncoder().encode(`original ${name}`))).id;
}

const blobPath = (id: string): string => path.join(dataDir, 'quarantine', id.slice(0, 2), `${id}.bin`);

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-retention-'));
  const config = loadConfig({ env: {}, overrides: { dataDir } });
  expect(config.download.quarantineRetentionDays).toBe(90);
  db = openDatabase(dataDir);
  ({ audit, close: closeAudit } = openAuditLog(db, config, () => undefined));
  clock = NOW;
  quarantine = new QuarantineStore({ db, dataDir, now: () => clock });
});
afterEach(() => {
  closeAudit();
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('quarantine retention', () => {
  it('deletes records older than the retention with their blobs, keeps younger ones, and audits once', async () => {
    const old = [await putAt(400, 'ancient.pdf'), await putAt(91, 'old.pdf'), await putAt(90 + 1 / 24, 'just-over.pdf')];
    const young = [await putAt(90 - 1 / 24, 'just-under.pdf'), await putAt(10, 'recent.pdf'), await putAt(0, 'today.pdf')];
    for (const id of [...old, ...young]) expect(existsSync(blobPath(id))).toBe(true);

    const result = await purgeExpired(quarantine, { retentionDays: 90, now: () => NOW, audit });

    expect(result.cutoff).toBe(new Date(NOW.getTime() - 90 * DAY).toISOString());
    expect([...result.deleted].sort()).toEqual([...old].sort());
    expect(result.failed).toEqual([]);
    for (const id of old) {
      expect(await quarantine.get(id)).toBeUndefined();
      expect(existsSync(blobPath(id))).toBe(false);
    }
    for (const id of young) {
      const kept = await quarantine.get(id);
      expect(kept?.record.id).toBe(id);
      expect(existsSync(blobPath(id))).toBe(true);
    }
    expect(quarantine.list().map((r) => r.id).sort()).toEqual([...young].sort());
    const blobs = readdirSync(path.join(dataDir, 'quarantine'), { recursive: true }).filter((f) => String(f).endsWith('.bin'));
    expect(blobs).toHaveLength(young.length);

    const records = [...audit.records({ events: ['quarantine-retention'] })];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ event: 'quarantine-retention', outcome: 'success', userId: null });
    expect(records[0]!.details).toMatchObject({ retentionDays: 90, cutoff: result.cutoff, count: 3 });
    expect([...(records[0]!.details.ids as string[])].sort()).toEqual([...old].sort());
    expect(audit.verify().ok).toBe(true);

    // A second run finds nothing due: no record, nothing deleted.
    const again = await purgeExpired(quarantine, { retentionDays: 90, now: () => NOW, audit });
    expect(again.deleted).toEqual([]);
    expect(audit.count({ events: ['quarantine-retention'] })).toBe(1);
  });

  it('runs through the timer at once', async () => {
    const old = await putAt(120, 'old.pdf');
    const young = await putAt(1, 'young.pdf');
    const timer = startRetentionTimer((signal) => purgeExpired(quarantine, { retentionDays: 30, now: () => NOW, audit, signal }), 60_000);
    for (let i = 0; i < 200 && audit.count({ events: ['quarantine-retention'] }) === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await timer.stop();
    expect(await quarantine.get(old)).toBeUndefined();
    expect((await quarantine.get(young))?.record.id).toBe(young);
    expect(audit.count({ events: ['quarantine-retention'] })).toBe(1);
  });
});
