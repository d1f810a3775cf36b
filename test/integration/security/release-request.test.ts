/**
 * A user asks for the release of their own blocked download (the download panel's
 * 「解放を申請」): own records only, one open request per record, a required reason,
 * audited; the request waits in the security console's approvals and the existing
 * approve/reject flow decides it, telling the requester. Approvals rescan with a real
 * private clamd (fixture signatures: EICAR).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { referenceOf } from '../../../gateway/downloads/download-changes.js';
import { ClamdScanner } from '../../../sanitizer/clamd-scanner.js';
import { startPrivateClamd, type PrivateClamd } from '../sanitizer/private-clamd.js';
import { startSecurityHarness, type SecurityHarness } from './security-harness.js';

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

const start = (secondApproval = false): Promise<SecurityHarness> =>
  startSecurityHarness({ secondApproval, scanner: new ClamdScanner({ address: clamd.socket, timeoutMs: 10_000 }) });

const original = Buffer.from('%PDF-1.7 a referral letter the policy blocked');

async function blockedFor(name: string, meta: { reason?: string; verdict?: 'blocked' | 'sanitized' } = {}): Promise<{ id: string; ref: string }> {
  const user = h.as(name, 'staff');
  const rec = await h.quarantineFile({ name: '紹介状.pdf', userId: user.userId, userName: name, reason: meta.reason ?? 'macro', verdict: meta.verdict ?? 'blocked' }, original);
  return { id: rec.id, ref: referenceOf(rec.id) };
}

interface PendingRelease {
  id: string;
  quarantineId: string;
  requestedByName: string;
  recipientName: string;
  requestJustification: string;
}

async function pending(): Promise<PendingRelease[]> {
  const res = await h.get(h.as('sec', 'security'), '/api/security/releases?state=pending');
  expect(res.statusCode).toBe(200);
  return (res.json() as { releases: PendingRelease[] }).releases;
}

const requestAudits = () => h.audit.search({ events: ['quarantine-action'] }).records.filter((r) => (r.details as { action?: string }).action === 'release-request');

describe('a user requests the release of a blocked download', () => {
  it('files a pending request the security console sees, with the reason, audited', async () => {
    h = await start();
    const rec = await blockedFor('nurse');
    const nurse = h.as('nurse', 'staff');
    const res = await h.post(nurse, '/api/release-requests', { ref: rec.ref, reason: '  病院間の紹介状で、診療に必要です  ' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ request: { name: '紹介状.pdf', state: 'pending' } });

    expect(await pending()).toEqual([
      expect.objectContaining({ quarantineId: rec.id, requestedByName: 'nurse', recipientName: 'nurse', requestJustification: '病院間の紹介状で、診療に必要です' }),
    ]);
    const [audit] = requestAudits();
    expect(audit).toMatchObject({ outcome: 'success', userName: 'nurse', details: { action: 'release-request', id: rec.id, reference: rec.ref, justification: '病院間の紹介状で、診療に必要です' } });
    // The detail view of the record lists it as well.
    const detail = await h.get(h.as('sec', 'security'), `/api/security/quarantine/${rec.id}`);
    expect((detail.json() as { releases: Array<{ state: string }> }).releases).toEqual([expect.objectContaining({ state: 'pending' })]);
  });

  it('refuses another user’s record exactly like a missing one, and audits the attempt', async () => {
    h = await start();
    const rec = await blockedFor('nurse');
    const res = await h.post(h.as('doctor', 'staff'), '/api/release-requests', { ref: rec.ref, reason: '見たい' });
    expect(res.statusCode).toBe(404);
    const missing = await h.post(h.as('doctor', 'staff'), '/api/release-requests', { ref: 'FFFF-FFFF', reason: '見たい' });
    expect(missing.statusCode).toBe(404);
    expect(res.json().code).toBe(missing.json().code);
    expect(await pending()).toEqual([]);
    expect(requestAudits()).toEqual([expect.objectContaining({ outcome: 'failure', userName: 'doctor', details: expect.objectContaining({ refused: 'not-owner', reference: rec.ref }) })]);
    // Not even the security team can file a user request for someone else's download.
    expect((await h.post(h.as('sec', 'security'), '/api/release-requests', { ref: rec.ref, reason: '確認' })).statusCode).toBe(404);
  });

  it('allows one open request per record', async () => {
    h = await start();
    const rec = await blockedFor('nurse');
    const nurse = h.as('nurse', 'staff');
    expect((await h.post(nurse, '/api/release-requests', { ref: rec.ref, reason: '一回目' })).statusCode).toBe(200);
    const again = await h.post(nurse, '/api/release-requests', { ref: rec.ref, reason: '二回目' });
    expect(again.statusCode).toBe(409);
    expect(again.json().message.ja).toContain('処理中の解放申請');
    expect(await pending()).toHaveLength(1);
    expect(requestAudits().map((a) => a.outcome)).toEqual(expect.arrayContaining(['success', 'failure']));
  });

  it('needs a reason of at most 1000 characters, CSRF and a session', async () => {
    h = await start();
    const rec = await blockedFor('nurse');
    const nurse = h.as('nurse', 'staff');
    const empty = await h.post(nurse, '/api/release-requests', { ref: rec.ref, reason: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toEqual({ ja: '理由を入力してください。', en: 'Please write a justification.' });
    expect((await h.post(nurse, '/api/release-requests', { ref: rec.ref })).statusCode).toBe(400);
    expect((await h.post(nurse, '/api/release-requests', { ref: rec.ref, reason: 'あ'.repeat(1001) })).statusCode).toBe(400);
    expect((await h.post(nurse, '/api/release-requests', { ref: rec.ref, reason: '理由' }, 'wrong-token')).statusCode).toBe(403);
    expect((await h.post(null, '/api/release-requests', { ref: rec.ref, reason: '理由' })).statusCode).toBe(401);
    expect(await pending()).toEqual([]);
    expect((await h.post(nurse, '/api/release-requests', { ref: rec.ref, reason: 'あ'.repeat(1000) })).statusCode).toBe(200);
  });

  it('refuses sanitized records and originals a scan cannot see through; allows infected ones', async () => {
    h = await start();
    const nurse = h.as('nurse', 'staff');
    const sanitized = await blockedFor('nurse', { verdict: 'sanitized' });
    const encrypted = await blockedFor('nurse', { reason: 'encrypted' });
    const infected = await blockedFor('nurse', { reason: 'infected' });
    expect((await h.post(nurse, '/api/release-requests', { ref: sanitized.ref, reason: '必要' })).statusCode).toBe(409);
    const enc = await h.post(nurse, '/api/release-requests', { ref: encrypted.ref, reason: '必要' });
    expect(enc.statusCode).toBe(409);
    expect(enc.json().message.ja).toContain('暗号化');
    expect((await h.post(nurse, '/api/release-requests', { ref: infected.ref, reason: '誤検知だと思います' })).statusCode).toBe(200);
    expect((await pending()).map((r) => r.quarantineId)).toEqual([infected.id]);
  });
});

describe('the security team decides a user request', () => {
  it('approval rescans and puts the one-time link in the requester’s live session', async () => {
    h = await start();
    const rec = await blockedFor('nurse');
    const nurse = h.as('nurse', 'staff');
    h.live.push({ userId: nurse.userId, sent: [] }, { userId: h.as('doctor', 'staff').userId, sent: [] });
    await h.post(nurse, '/api/release-requests', { ref: rec.ref, reason: '診療に必要' });
    const [req] = await pending();
    const res = await h.post(h.as('sec', 'security'), `/api/security/releases/${req!.id}/approve`, { justification: '送付元に確認済み' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ release: { state: 'released' }, scan: { status: 'clean' } });
    expect(h.live[0]!.sent).toEqual([
      expect.objectContaining({ type: 'notice', code: 'quarantine-released' }),
      expect.objectContaining({ type: 'download', state: 'ready', href: expect.stringMatching(/^\/api\/released\//) }),
    ]);
    expect(h.live[1]!.sent).toEqual([]);
    const link = (h.live[0]!.sent[1] as { href: string }).href;
    const file = await h.get(nurse, link);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(original)).toBe(true);
  });

  it('rejection tells the requester the security team’s reason, in Japanese and English', async () => {
    h = await start();
    const rec = await blockedFor('nurse');
    const nurse = h.as('nurse', 'staff');
    h.live.push({ userId: nurse.userId, sent: [] });
    await h.post(nurse, '/api/release-requests', { ref: rec.ref, reason: '診療に必要' });
    const [req] = await pending();
    const res = await h.post(h.as('sec', 'security'), `/api/security/releases/${req!.id}/reject`, { justification: 'マクロ付きのため送付元に PDF での再送を依頼してください' });
    expect(res.statusCode).toBe(200);
    expect(h.live[0]!.sent).toEqual([
      {
        type: 'notice',
        code: 'release-request-rejected',
        message: {
          ja: 'セキュリティ担当者が「紹介状.pdf」の解放申請を却下しました。理由: マクロ付きのため送付元に PDF での再送を依頼してください',
          en: 'The security team rejected your release request for “紹介状.pdf”. Reason: マクロ付きのため送付元に PDF での再送を依頼してください',
        },
      },
    ]);
    expect(await pending()).toEqual([]);
    // Once decided, the user may ask again.
    expect((await h.post(nurse, '/api/release-requests', { ref: rec.ref, reason: '再申請' })).statusCode).toBe(200);
  });

  it('with second approval on, a user request needs two different security users', async () => {
    h = await start(true);
    const rec = await blockedFor('nurse');
    const nurse = h.as('nurse', 'staff');
    h.live.push({ userId: nurse.userId, sent: [] });
    await h.post(nurse, '/api/release-requests', { ref: rec.ref, reason: '診療に必要' });
    const [req] = await pending();
    const first = await h.post(h.as('sec', 'security'), `/api/security/releases/${req!.id}/approve`, { justification: '一人目' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ release: { state: 'pending', decidedByName: 'sec' }, scan: { status: 'clean' } });
    expect(h.live[0]!.sent).toEqual([]);
    // The same person cannot give the second approval.
    expect((await h.post(h.as('sec', 'security'), `/api/security/releases/${req!.id}/approve`, { justification: 'もう一度' })).statusCode).toBe(403);
    const second = await h.post(h.as('sec2', 'security'), `/api/security/releases/${req!.id}/approve`, { justification: '二人目' });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ release: { state: 'released', decidedByName: 'sec2' } });
    expect(h.live[0]!.sent).toEqual([expect.objectContaining({ code: 'quarantine-released' }), expect.objectContaining({ type: 'download', state: 'ready' })]);
    const approvals = h.audit.search({ events: ['quarantine-action'] }).records.filter((r) => (r.details as { action?: string }).action === 'release-approved' && r.outcome === 'success');
    expect(approvals.map((a) => [a.userName, (a.details as { stage?: string }).stage])).toEqual(expect.arrayContaining([['sec', 'first-of-two'], ['sec2', undefined]]));
  });

  it('an infected original stays refused at approval', async () => {
    h = await start();
    const nurse = h.as('nurse', 'staff');
    const eicar = Buffer.from(String.raw`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`);
    const rec = await h.quarantineFile({ name: 'eicar.com', userId: nurse.userId, userName: 'nurse', reason: 'infected' }, eicar);
    h.live.push({ userId: nurse.userId, sent: [] });
    expect((await h.post(nurse, '/api/release-requests', { ref: referenceOf(rec.id), reason: '必要' })).statusCode).toBe(200);
    const [req] = await pending();
    const res = await h.post(h.as('sec', 'security'), `/api/security/releases/${req!.id}/approve`, { justification: '確認' });
    expect(res.statusCode).toBe(409);
    expect(h.live[0]!.sent).toEqual([]);
  });
});
