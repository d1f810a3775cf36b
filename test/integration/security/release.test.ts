/**
 * Releasing a quarantined original: justification, audit, second approval, the user-bound
 * one-time link. Releases rescan with a real private clamd (see release-scan.test.ts for refusals).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClamdScanner } from '../../../sanitizer/clamd-scanner.js';
import { startPrivateClamd, type PrivateClamd } from '../sanitizer/private-clamd.js';
import { startSecurityHarness as startHarness, type SecurityHarness } from './security-harness.js';

let h: SecurityHarness;
let clamd: PrivateClamd;
beforeAll(async () => {
  clamd = await startPrivateClamd();
});
afterAll(async () => {
  await clamd?.stop();
});
afterEach(async () => {
  await h?.close();
});

function startSecurityHarness(opts: { secondApproval?: boolean } = {}): Promise<SecurityHarness> {
  return startHarness({ ...opts, scanner: new ClamdScanner({ address: clamd.socket, timeoutMs: 10_000 }) });
}

interface Release {
  id: string;
  state: string;
  token?: string;
}

const original = Buffer.from('%PDF-1.7 original that was blocked');

async function quarantined(): Promise<{ id: string; sha256: string }> {
  const nurse = h.as('nurse', 'staff');
  return h.quarantineFile({ name: '紹介状.pdf', userId: nurse.userId, userName: 'nurse', reason: 'infected', signature: 'Test-Sig' }, original);
}

async function releasedLinks(client = h.as('nurse', 'staff')): Promise<Array<{ href: string; name: string }>> {
  const res = await h.get(client, '/api/released');
  expect(res.statusCode).toBe(200);
  return (res.json() as { files: Array<{ href: string; name: string }> }).files;
}

describe('release without second approval', () => {
  it('needs a justification; then only the downloading user gets the original, once', async () => {
    h = await startSecurityHarness();
    const rec = await quarantined();
    const sec = h.as('sec', 'security');
    expect((await h.post(sec, `/api/security/quarantine/${rec.id}/release`, { justification: '' })).statusCode).toBe(400);
    expect(await releasedLinks()).toEqual([]);
    h.live.push({ userId: h.as('nurse', 'staff').userId, sent: [] }, { userId: h.as('doctor', 'staff').userId, sent: [] });

    const res = await h.post(sec, `/api/security/quarantine/${rec.id}/release`, { justification: '業務上必要と確認済み' });
    expect(res.statusCode).toBe(200);
    const release = (res.json() as { release: Release }).release;
    expect(release.state).toBe('released');
    expect(release.token).toBeUndefined();
    const [audit] = h.audit.search({ events: ['quarantine-action'] }).records;
    expect(audit).toMatchObject({ userName: 'sec', details: { action: 'release', id: rec.id, sha256: rec.sha256, justification: '業務上必要と確認済み', recipientName: 'nurse' } });
    // The nurse's live browser session is told; the doctor's is not.
    expect(h.live[0]!.sent).toEqual([
      expect.objectContaining({ type: 'notice', code: 'quarantine-released' }),
      expect.objectContaining({ type: 'download', state: 'ready', href: expect.stringMatching(/^\/api\/released\//) }),
    ]);
    expect(h.live[1]!.sent).toEqual([]);

    const [link] = await releasedLinks();
    expect(link!.name).toBe('紹介状.pdf');
    expect(await releasedLinks(h.as('doctor', 'staff'))).toEqual([]);
    expect((await h.get(h.as('doctor', 'staff'), link!.href)).statusCode).toBe(404);
    expect((await h.get(sec, link!.href)).statusCode).toBe(404);
    expect((await h.get(null, link!.href)).statusCode).toBe(401);

    const file = await h.get(h.as('nurse', 'staff'), link!.href);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(original)).toBe(true);
    expect(file.headers['content-type']).toBe('application/octet-stream');
    expect(String(file.headers['content-disposition'])).toMatch(/^attachment; .*filename\*=UTF-8''%E7%B4%B9/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect((await h.get(h.as('nurse', 'staff'), link!.href)).statusCode).toBe(404);
    expect(await releasedLinks()).toEqual([]);
    const delivered = h.audit.search({ events: ['quarantine-action'], text: 'release-delivered' }).records;
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.userName).toBe('nurse');
  });

  it('refuses a second open release of the same file and a file without a recorded user', async () => {
    h = await startSecurityHarness();
    const rec = await quarantined();
    const sec = h.as('sec', 'security');
    expect((await h.post(sec, `/api/security/quarantine/${rec.id}/release`, { justification: 'one' })).statusCode).toBe(200);
    expect((await h.post(sec, `/api/security/quarantine/${rec.id}/release`, { justification: 'two' })).statusCode).toBe(409);
    const orphan = await h.quarantineFile({ userId: null });
    expect((await h.post(sec, `/api/security/quarantine/${orphan.id}/release`, { justification: 'x' })).statusCode).toBe(409);
    expect((await h.post(h.as('nurse', 'staff'), `/api/security/quarantine/${rec.id}/release`, { justification: 'me' })).statusCode).toBe(403);
  });

  it('never releases an original blocked as encrypted or past the archive limits, whatever the scan says', async () => {
    h = await startSecurityHarness();
    const nurse = h.as('nurse', 'staff');
    const sec = h.as('sec', 'security');
    for (const reason of ['encrypted', 'archive-too-deep', 'expansion-ratio', 'too-large']) {
      const rec = await h.quarantineFile({ name: `${reason}.zip`, userId: nurse.userId, userName: 'nurse', reason });
      const res = await h.post(sec, `/api/security/quarantine/${rec.id}/release`, { justification: 'needed for a form' });
      expect(res.statusCode, reason).toBe(409);
      expect(res.json()).toMatchObject({ code: 'KEKKAI_ERR_RELEASE_UNSCANNABLE', message: { ja: expect.stringContaining('暗号化') } });
    }
    const refused = [...h.audit.records({ events: ['quarantine-action'] })].filter((r) => r.outcome === 'failure');
    expect(refused.map((r) => (r.details as { blockedFor?: string }).blockedFor).sort()).toEqual(['archive-too-deep', 'encrypted', 'expansion-ratio', 'too-large']);
  });

  it('cancels the link when the original is deleted', async () => {
    h = await startSecurityHarness();
    const rec = await quarantined();
    const sec = h.as('sec', 'security');
    await h.post(sec, `/api/security/quarantine/${rec.id}/release`, { justification: 'ok' });
    const [link] = await releasedLinks();
    expect((await h.post(sec, `/api/security/quarantine/${rec.id}/delete`, { justification: 'changed my mind' })).statusCode).toBe(200);
    expect((await h.get(h.as('nurse', 'staff'), link!.href)).statusCode).toBe(404);
  });
});

describe('release with second approval', () => {
  it('stays pending until another security user approves; self-approval is refused and audited', async () => {
    h = await startSecurityHarness({ secondApproval: true });
    const rec = await quarantined();
    const first = h.as('sec1', 'security');
    const second = h.as('sec2', 'security');
    const res = await h.post(first, `/api/security/quarantine/${rec.id}/release`, { justification: '申請: 医師の依頼' });
    const pending = (res.json() as { release: Release }).release;
    expect(pending.state).toBe('pending');
    expect(await releasedLinks()).toEqual([]);
    const list = (await h.get(second, '/api/security/releases?state=pending')).json() as { releases: Release[] };
    expect(list.releases.map((r) => r.id)).toEqual([pending.id]);

    const self = await h.post(first, `/api/security/releases/${pending.id}/approve`, { justification: '自分で承認' });
    expect(self.statusCode).toBe(403);
    expect((self.json() as { code: string }).code).toBe('KEKKAI_ERR_SELF_APPROVAL');
    expect(h.audit.search({ events: ['quarantine-action'], outcomes: ['failure'] }).records[0]?.details).toMatchObject({ action: 'release-approved', refused: 'self-approval' });
    expect(await releasedLinks()).toEqual([]);

    expect((await h.post(second, `/api/security/releases/${pending.id}/approve`, {})).statusCode).toBe(400);
    const ok = await h.post(second, `/api/security/releases/${pending.id}/approve`, { justification: '承認: 内容確認済み' });
    expect(ok.statusCode).toBe(200);
    expect((ok.json() as { release: Release }).release.state).toBe('released');
    expect((await h.post(second, `/api/security/releases/${pending.id}/approve`, { justification: 'again' })).statusCode).toBe(409);
    const actions = h.audit.search({ events: ['quarantine-action'], outcomes: ['success'] }, { order: 'asc' }).records.map((r) => [r.userName, r.details.action, r.details.justification]);
    expect(actions).toEqual([
      ['sec1', 'release-requested', '申請: 医師の依頼'],
      ['sec2', 'release-approved', '承認: 内容確認済み'],
    ]);
    const [link] = await releasedLinks();
    expect((await h.get(h.as('nurse', 'staff'), link!.href)).rawPayload.equals(original)).toBe(true);
  });

  it('a rejected request never produces a link', async () => {
    h = await startSecurityHarness({ secondApproval: true });
    const rec = await quarantined();
    const res = await h.post(h.as('sec1', 'security'), `/api/security/quarantine/${rec.id}/release`, { justification: 'please' });
    const { id } = (res.json() as { release: Release }).release;
    expect((await h.post(h.as('sec2', 'security'), `/api/security/releases/${id}/reject`, { justification: '危険なため却下' })).statusCode).toBe(200);
    expect(await releasedLinks()).toEqual([]);
    // A new request is possible after a rejection.
    expect((await h.post(h.as('sec1', 'security'), `/api/security/quarantine/${rec.id}/release`, { justification: 'retry' })).statusCode).toBe(200);
  });
});
