/** Audit console: search with filters and paging, exports in three formats (audited), chain status. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../gateway/audit/audit-chain.js';
import type { AuditRecord } from '../../../gateway/audit/audit-event.js';
import { startSecurityHarness, type SecurityHarness } from './security-harness.js';

let h: SecurityHarness;
beforeEach(async () => {
  h = await startSecurityHarness();
  h.audit.record({ event: 'login', outcome: 'success', userId: 1, userName: 'nurse', role: 'staff', sourceIp: '10.0.0.5' });
  h.audit.record({ event: 'navigation-blocked', outcome: 'blocked', userId: 1, userName: 'nurse', role: 'staff', details: { url: 'https://bad.example/', rule: 'block-bad' } });
  h.audit.record({ event: 'login', outcome: 'failure', userName: '山田', details: { reason: 'invalid-credentials' } });
  h.audit.record({ event: 'navigation', outcome: 'allowed', userId: 2, userName: 'doctor', role: 'staff', details: { url: 'https://pmda.go.jp/', title: '添付文書' } });
});
afterEach(async () => {
  await h.close();
});

interface SearchBody {
  records: AuditRecord[];
  total: number;
}

describe('audit search', () => {
  it('needs audit:read (security and admin, not staff)', async () => {
    expect((await h.get(null, '/api/security/audit')).statusCode).toBe(401);
    expect((await h.get(h.as('staff1', 'staff'), '/api/security/audit')).statusCode).toBe(403);
    expect((await h.get(h.as('boss', 'admin'), '/api/security/audit')).statusCode).toBe(200);
  });

  it('filters by user, event, outcome, text and time, newest first, with paging', async () => {
    const sec = h.as('sec', 'security');
    const seqs = async (qs: string): Promise<number[]> => ((await h.get(sec, `/api/security/audit?${qs}`)).json() as SearchBody).records.map((r) => r.seq);
    expect(await seqs('')).toEqual([4, 3, 2, 1]);
    expect(await seqs('user=nurse')).toEqual([2, 1]);
    expect(await seqs('event=login')).toEqual([3, 1]);
    expect(await seqs('event=login&outcome=failure')).toEqual([3]);
    expect(await seqs('q=pmda')).toEqual([4]);
    expect(await seqs('q=添付文書')).toEqual([4]);
    expect(await seqs('to=2001-01-01')).toEqual([]);
    const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
    expect(await seqs(`from=${today}&to=${today}`)).toEqual([4, 3, 2, 1]);
    const page = (await h.get(sec, '/api/security/audit?limit=2&offset=2')).json() as SearchBody;
    expect(page.total).toBe(4);
    expect(page.records.map((r) => r.seq)).toEqual([2, 1]);
    expect((await h.get(sec, '/api/security/audit?outcome=maybe')).statusCode).toBe(400);
    expect((await h.get(sec, '/api/security/audit?limit=100000')).statusCode).toBe(400);
  });

  it('reports the chain status', async () => {
    const res = await h.get(h.as('sec', 'security'), '/api/security/audit/verify');
    expect(res.json()).toMatchObject({ ok: true, count: 4 });
  });
});

describe('audit export', () => {
  it('CSV in UTF-8 starts with a BOM and keeps Japanese text; the export itself is audited', async () => {
    const res = await h.get(h.as('sec', 'security'), '/api/security/audit/export?format=csv&event=login');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(String(res.headers['content-disposition'])).toMatch(/^attachment; filename="kekkai-audit-\d{8}-\d{4}\.csv"$/);
    const bytes = res.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^seq,time,user_id,user_name/);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('山田');
    const [exported] = h.audit.search({ events: ['audit-export'] }).records;
    expect(exported).toMatchObject({ userName: 'sec', role: 'security', outcome: 'success', details: { format: 'csv', count: 2, filters: { events: ['login'] } } });
  });

  it('CSV in Shift_JIS encodes Japanese for Excel on hospital PCs', async () => {
    const res = await h.get(h.as('sec', 'security'), '/api/security/audit/export?format=csv-sjis&user=山田');
    expect(res.headers['content-type']).toBe('text/csv; charset=Shift_JIS');
    const bytes = res.rawPayload;
    expect(bytes[0]).toBe(0x73); // "s" of "seq": no BOM
    // 山田 in Shift_JIS is 8E 52 93 63.
    expect(bytes.includes(Buffer.from([0x8e, 0x52, 0x93, 0x63]))).toBe(true);
    expect(bytes.includes(Buffer.from('山田', 'utf8'))).toBe(false);
    expect(new TextDecoder('shift_jis').decode(bytes)).toContain('山田');
  });

  it('JSON lines are complete records whose chain verifies', async () => {
    const res = await h.get(h.as('sec', 'security'), '/api/security/audit/export?format=jsonl');
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const records = res.body.trimEnd().split('\n').map((l) => JSON.parse(l) as AuditRecord);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(records[3]!.details).toEqual({ url: 'https://pmda.go.jp/', title: '添付文書' });
    expect(records.every((r) => /^[0-9a-f]{64}$/.test(r.mac))).toBe(true);
    // A verifier with another key must fail, so this checks the MACs are the real ones.
    expect(verifyChain(records, Buffer.alloc(32)).ok).toBe(false);
    expect((await h.get(h.as('sec', 'security'), '/api/security/audit/export?format=xml')).statusCode).toBe(400);
    expect((await h.get(h.as('staff1', 'staff'), '/api/security/audit/export?format=csv')).statusCode).toBe(403);
    expect(h.audit.count({ events: ['audit-export'] })).toBe(1);
  });
});
