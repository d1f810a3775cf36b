/**
 * The consoles show what `kekkai audit verify` shows: the compliance page's access-log
 * item and the security console's chain status report the newest records cut off the
 * end of the log (by someone with the database file, triggers dropped).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type AppHarness } from '../gateway/app-harness.js';
import { addUser, host, signInEnrolling, type SignedIn } from './admin-helpers.js';

let h: AppHarness;
let admin: SignedIn;
beforeEach(async () => {
  h = await buildTestApp({}, { consoles: true });
  await addUser(h, 'boss', 'admin');
  admin = await signInEnrolling(h, 'boss');
});
afterEach(async () => {
  await h.close();
});

const get = (url: string) => h.app.inject({ url, headers: { host, cookie: admin.cookie } });
const accessLogs = async () => ((await get('/api/compliance')).json().items as Array<{ id: string; ok: boolean; figures: Record<string, unknown> }>).find((i) => i.id === 'access-logs')!;

describe('chain status in the consoles', () => {
  it('reports the anchored end while intact, and the missing range once the newest records are deleted', async () => {
    for (let i = 0; i < 5; i++) h.audit.record({ event: 'navigation', outcome: 'allowed', userName: 'nurse', details: { url: `https://example.jp/${i}` } });
    await h.audit.flushHead();
    const last = h.audit.count();
    const intact = await accessLogs();
    expect(intact.ok).toBe(true);
    expect(intact.figures).toMatchObject({ chainOk: true, anchoredSeq: last, problem: null, missingRecords: null });

    h.db.exec('DROP TRIGGER audit_log_no_delete');
    h.db.prepare('DELETE FROM audit_log WHERE seq > ?').run(last - 2);
    const cut = await accessLogs();
    expect(cut.ok).toBe(false);
    expect(cut.figures).toMatchObject({ chainOk: false, firstBadSeq: last - 1, problem: 'truncated', missingRecords: `${last - 1}–${last}` });
    expect((await get('/api/security/audit/verify')).json()).toMatchObject({ ok: false, reason: 'truncated', firstBadSeq: last - 1, missingTo: last });
  });
});
