/**
 * Issue 9 item 3: every release rescans the quarantined original with current
 * signatures (real private clamd) and refuses anything but a clean answer. The
 * attack: an EICAR named `eicar.com` is blocked as `type-mismatch` before the
 * sanitizer's scan stage, so its record has no signature; releasing it used to hand
 * the raw file to the user.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClamdScanner } from '../../../sanitizer/clamd-scanner.js';
import type { Scanner } from '../../../sanitizer/index.js';
import { startPrivateClamd, type PrivateClamd } from '../sanitizer/private-clamd.js';
import { startSecurityHarness, type SecurityHarness } from './security-harness.js';

// Assembled at run time so no file in the repository is itself the EICAR file.
const EICAR = Buffer.from(['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''));
const HARMLESS = Buffer.from('お知らせ: 来週の勉強会は 3 階会議室です。\n');

interface Scan {
  status: string;
  signature: string | null;
  scannedAt: string;
}

let current: PrivateClamd;
let h: SecurityHarness;
const scannerOf = (c: PrivateClamd): Scanner => new ClamdScanner({ address: c.socket, timeoutMs: 10_000 });

beforeAll(async () => {
  current = await startPrivateClamd();
});
afterAll(async () => {
  await current?.stop();
});
afterEach(async () => {
  await h?.close();
});

/** Quarantined as the pipeline records a type mismatch: blocked before any scan, no signature. */
function blockedAsTypeMismatch(name: string, bytes: Buffer): ReturnType<SecurityHarness['quarantineFile']> {
  const nurse = h.as('nurse', 'staff');
  return h.quarantineFile({ name, userId: nurse.userId, userName: 'nurse', trueType: 'text', reason: 'type-mismatch', signature: null }, bytes);
}

async function links(): Promise<unknown[]> {
  return ((await h.get(h.as('nurse', 'staff'), '/api/released')).json() as { files: unknown[] }).files;
}

function quarantineActions(outcome?: 'success' | 'failure'): Array<Record<string, unknown>> {
  return h.audit.search({ events: ['quarantine-action'], ...(outcome ? { outcomes: [outcome] } : {}) }, { order: 'asc' }).records.map((r) => r.details);
}

describe('release rescans the original', () => {
  it('refuses an EICAR that was blocked as type-mismatch before the scan; the audit shows the scan', async () => {
    h = await startSecurityHarness({ scanner: scannerOf(current) });
    const rec = await blockedAsTypeMismatch('eicar.com', EICAR);
    h.live.push({ userId: h.as('nurse', 'staff').userId, sent: [] });
    const sec = h.as('sec', 'security');

    const res = await h.post(sec, `/api/security/quarantine/${rec.id}/release`, { justification: '医師から依頼あり' });
    expect(res.statusCode).toBe(409);
    const body = res.json() as { code: string; message: { ja: string; en: string }; scan: Scan };
    expect(body.code).toBe('KEKKAI_ERR_RELEASE_INFECTED');
    expect(body.scan).toMatchObject({ status: 'infected', signature: expect.stringMatching(/Eicar/i) });
    expect(body.message.ja).toContain(body.scan.signature);
    expect(body.message.en).toContain(body.scan.signature);
    // The console's fresh scan (shown before anyone decides) says the same.
    const preview = await h.post(sec, `/api/security/quarantine/${rec.id}/scan`);
    expect(preview.statusCode).toBe(200);
    expect((preview.json() as { scan: Scan }).scan).toMatchObject({ status: 'infected', signature: expect.stringMatching(/Eicar/i) });

    // Nothing was released, nobody was told, and the refusal is audited with the scan.
    expect(await links()).toEqual([]);
    expect(h.live[0]!.sent).toEqual([]);
    expect(((await h.get(sec, `/api/security/quarantine/${rec.id}`)).json() as { releases: unknown[] }).releases).toEqual([]);
    expect(quarantineActions('success')).toEqual([]);
    expect(quarantineActions('failure')).toEqual([
      expect.objectContaining({ action: 'release', id: rec.id, refused: 'scan', justification: '医師から依頼あり', scan: expect.objectContaining({ status: 'infected', signature: expect.stringMatching(/Eicar/i) }) }),
    ]);
  });

  it('releases a harmless file blocked as type-mismatch, with the clean scan in the reply and the audit', async () => {
    h = await startSecurityHarness({ scanner: scannerOf(current) });
    const rec = await blockedAsTypeMismatch('お知らせ.pdf', HARMLESS);
    const res = await h.post(h.as('sec', 'security'), `/api/security/quarantine/${rec.id}/release`, { justification: '内容を確認済み' });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { scan: Scan }).scan).toMatchObject({ status: 'clean', signature: null });
    expect(quarantineActions('success')).toEqual([expect.objectContaining({ action: 'release', scan: expect.objectContaining({ status: 'clean' }) })]);
    const [link] = (await links()) as Array<{ href: string }>;
    const file = await h.get(h.as('nurse', 'staff'), link!.href);
    expect(file.rawPayload.equals(HARMLESS)).toBe(true);
  });

  it('refuses every release while clamd is down (fail closed) and says why in both languages', async () => {
    const down = await startPrivateClamd();
    await down.stop();
    h = await startSecurityHarness({ scanner: scannerOf(down) });
    const rec = await blockedAsTypeMismatch('お知らせ.pdf', HARMLESS);
    const sec = h.as('sec', 'security');
    expect(((await h.post(sec, `/api/security/quarantine/${rec.id}/scan`)).json() as { scan: Scan }).scan.status).toBe('unavailable');
    const res = await h.post(sec, `/api/security/quarantine/${rec.id}/release`, { justification: '内容を確認済み' });
    expect(res.statusCode).toBe(503);
    const body = res.json() as { code: string; message: { ja: string; en: string }; scan: Scan };
    expect(body.code).toBe('KEKKAI_ERR_RELEASE_SCAN_UNAVAILABLE');
    expect(body.scan.status).toBe('unavailable');
    expect(body.message.ja).toContain('ウイルス検査エンジンが応答しない');
    expect(body.message.en).toContain('virus scanner did not answer');
    expect(await links()).toEqual([]);
    expect(quarantineActions('failure')).toEqual([expect.objectContaining({ action: 'release', refused: 'scan', scan: expect.objectContaining({ status: 'unavailable', detail: expect.any(String) }) })]);
  });
});

describe('signatures that change after the request', () => {
  let old: PrivateClamd;
  let oldDir: string;
  beforeAll(async () => {
    // "Yesterday's" signatures: one unrelated hash, so EICAR still scans clean.
    oldDir = await mkdtemp(path.join(os.tmpdir(), 'kekkai-oldsigs-'));
    await writeFile(path.join(oldDir, 'old.hdb'), '0123456789abcdef0123456789abcdef:10:Old-Test-Signature\n');
    old = await startPrivateClamd(oldDir);
  });
  afterAll(async () => {
    await old?.stop();
    await rm(oldDir, { recursive: true, force: true });
  });

  /** A scanner whose signatures the test updates by switching clamd. */
  function switchable(): { scanner: Scanner; update(): void } {
    let target = scannerOf(old);
    return { scanner: { scan: (b) => target.scan(b) }, update: () => (target = scannerOf(current)) };
  }

  it('the approver sees the fresh result, and the approval scans again and refuses', async () => {
    const sigs = switchable();
    h = await startSecurityHarness({ secondApproval: true, scanner: sigs.scanner });
    const rec = await blockedAsTypeMismatch('eicar.com', EICAR);
    const requested = await h.post(h.as('sec1', 'security'), `/api/security/quarantine/${rec.id}/release`, { justification: '申請' });
    expect(requested.statusCode).toBe(200);
    const { release, scan } = requested.json() as { release: { id: string; state: string }; scan: Scan };
    expect([release.state, scan.status]).toEqual(['pending', 'clean']);

    sigs.update();
    const approver = h.as('sec2', 'security');
    const fresh = await h.post(approver, `/api/security/quarantine/${rec.id}/scan`);
    expect((fresh.json() as { scan: Scan }).scan).toMatchObject({ status: 'infected', signature: expect.stringMatching(/Eicar/i) });
    const approved = await h.post(approver, `/api/security/releases/${release.id}/approve`, { justification: '承認' });
    expect(approved.statusCode).toBe(409);
    expect((approved.json() as { code: string }).code).toBe('KEKKAI_ERR_RELEASE_INFECTED');
    expect(await links()).toEqual([]);
    expect(quarantineActions('failure')).toEqual([expect.objectContaining({ action: 'release-approved', refused: 'scan', scan: expect.objectContaining({ status: 'infected' }) })]);
    // Still pending: the approver can reject it.
    expect((await h.post(approver, `/api/security/releases/${release.id}/reject`, { justification: '検出のため却下' })).statusCode).toBe(200);
  });

  it('a released link is scanned again when the user collects it; infected cancels it', async () => {
    const sigs = switchable();
    h = await startSecurityHarness({ scanner: sigs.scanner });
    const rec = await blockedAsTypeMismatch('eicar.com', EICAR);
    expect((await h.post(h.as('sec', 'security'), `/api/security/quarantine/${rec.id}/release`, { justification: '解放' })).statusCode).toBe(200);
    const [link] = (await links()) as Array<{ href: string }>;
    sigs.update();
    const nurse = h.as('nurse', 'staff');
    const res = await h.get(nurse, link!.href);
    expect(res.statusCode).toBe(409);
    expect((res.json() as { code: string }).code).toBe('KEKKAI_ERR_RELEASE_INFECTED');
    expect(res.rawPayload.includes(EICAR)).toBe(false);
    expect(await links()).toEqual([]);
    expect((await h.get(nurse, link!.href)).statusCode).toBe(404);
    expect(quarantineActions('failure')).toEqual([expect.objectContaining({ action: 'release-delivered', refused: 'scan' })]);
  });
});
