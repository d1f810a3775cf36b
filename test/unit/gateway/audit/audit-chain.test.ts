import { describe, expect, it } from 'vitest';
import { computeMac, describeVerifyResult, sealRecord, verifyChain } from '../../../../gateway/audit/audit-chain.js';
import { canonicalForm, formatAuditTime, parseAuditTime, type AuditRecord } from '../../../../gateway/audit/audit-event.js';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);

function chain(n: number, key: Uint8Array = KEY): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const unsealed = {
      seq,
      time: formatAuditTime(new Date(Date.UTC(2026, 10, 27, 4, 5, seq))),
      userId: seq % 3 === 0 ? null : 10 + seq,
      userName: seq % 3 === 0 ? null : `看護師${seq}`,
      role: seq % 3 === 0 ? null : ('staff' as const),
      sourceIp: '10.1.2.3',
      event: seq % 2 ? 'navigation' : 'navigation-blocked',
      outcome: seq % 2 ? 'allowed' : 'blocked',
      details: { url: `https://example.jp/${seq}?q=検索`, rule: seq % 2 ? null : 'block-social', nested: { b: 2, a: [1, 'x'] } },
    };
    out.push(sealRecord(key, out.at(-1)?.mac ?? null, unsealed));
  }
  return out;
}

describe('canonical form', () => {
  it('sorts keys at every depth, has no whitespace and leaves out the MAC', () => {
    const [record] = chain(1);
    const text = canonicalForm(record!);
    expect(text).toBe(
      '{"details":{"nested":{"a":[1,"x"],"b":2},"rule":null,"url":"https://example.jp/1?q=検索"},"event":"navigation","outcome":"allowed",' +
        '"role":"staff","seq":1,"sourceIp":"10.1.2.3","time":"2026-11-27T13:05:01.000+09:00","userId":11,"userName":"看護師1"}',
    );
    expect(text).not.toContain('mac');
  });

  it('does not depend on the order members were written in', () => {
    const [r] = chain(1);
    const shuffled = { mac: r!.mac, details: { nested: { a: [1, 'x'], b: 2 }, url: r!.details.url!, rule: null }, outcome: r!.outcome, event: r!.event, time: r!.time, sourceIp: r!.sourceIp, role: r!.role, userName: r!.userName, userId: r!.userId, seq: r!.seq };
    expect(canonicalForm(shuffled)).toBe(canonicalForm(r!));
  });
});

describe('audit time', () => {
  it('is Japan time with a +09:00 offset whatever the server zone', () => {
    expect(formatAuditTime(new Date('2026-11-27T04:05:00.123Z'))).toBe('2026-11-27T13:05:00.123+09:00');
    expect(formatAuditTime(new Date('2026-12-31T15:00:00Z'))).toBe('2027-01-01T00:00:00.000+09:00');
  });

  it('parses search bounds, reading times without offset as Japan time', () => {
    expect(parseAuditTime('2026-11-01')).toBe('2026-11-01T00:00:00.000+09:00');
    expect(parseAuditTime('2026-11-01T09:30')).toBe('2026-11-01T09:30:00.000+09:00');
    expect(parseAuditTime('2026-11-01T00:00:00Z')).toBe('2026-11-01T09:00:00.000+09:00');
    expect(parseAuditTime('yesterday')).toBeUndefined();
    expect(parseAuditTime('2026-13-45')).toBeUndefined();
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and an empty one', () => {
    expect(verifyChain(chain(50), KEY)).toMatchObject({ ok: true, count: 50, lastSeq: 50 });
    expect(verifyChain([], KEY)).toEqual({ ok: true, count: 0, lastSeq: null, lastMac: null });
    expect(describeVerifyResult(verifyChain(chain(3), KEY))).toBe('audit chain OK: 3 records');
  });

  it.each([
    ['time', (r: AuditRecord) => ({ ...r, time: r.time.replace('13:05', '13:06') })],
    ['userId', (r: AuditRecord) => ({ ...r, userId: 999 })],
    ['userName', (r: AuditRecord) => ({ ...r, userName: 'someone-else' })],
    ['role', (r: AuditRecord) => ({ ...r, role: 'admin' as const })],
    ['sourceIp', (r: AuditRecord) => ({ ...r, sourceIp: '10.9.9.9' })],
    ['event', (r: AuditRecord) => ({ ...r, event: 'logout' })],
    ['outcome', (r: AuditRecord) => ({ ...r, outcome: 'allowed' })],
    ['details.url', (r: AuditRecord) => ({ ...r, details: { ...r.details, url: 'https://other.example/' } })],
    ['details added member', (r: AuditRecord) => ({ ...r, details: { ...r.details, extra: true } })],
    ['mac', (r: AuditRecord) => ({ ...r, mac: computeMac(KEY, null, r) })],
  ])('detects an edited %s and names that record', (_field, edit) => {
    const records = chain(10);
    records[5] = edit(records[5]!);
    expect(verifyChain(records, KEY)).toEqual({ ok: false, count: 5, firstBadSeq: 6, reason: 'mac-mismatch' });
  });

  it('detects a deleted record, naming the missing seq', () => {
    const records = chain(10);
    records.splice(3, 1);
    const result = verifyChain(records, KEY);
    expect(result).toEqual({ ok: false, count: 3, firstBadSeq: 4, reason: 'sequence-gap' });
    expect(describeVerifyResult(result)).toContain('seq 4');
  });

  it('detects a deleted and renumbered record by its MAC', () => {
    const records = chain(10);
    records.splice(3, 1);
    const renumbered = records.map((r, i) => ({ ...r, seq: i + 1 }));
    expect(verifyChain(renumbered, KEY)).toMatchObject({ ok: false, firstBadSeq: 4, reason: 'mac-mismatch' });
  });

  it('detects the first record deleted', () => {
    expect(verifyChain(chain(5).slice(1), KEY)).toMatchObject({ ok: false, firstBadSeq: 1, reason: 'sequence-gap' });
  });

  it('detects reordered and duplicated records', () => {
    const records = chain(6);
    const swapped = [records[0]!, records[2]!, records[1]!, ...records.slice(3)];
    expect(verifyChain(swapped, KEY)).toMatchObject({ ok: false, firstBadSeq: 2 });
    const duplicated = [...records.slice(0, 4), records[3]!, ...records.slice(4)];
    expect(verifyChain(duplicated, KEY)).toEqual({ ok: false, count: 4, firstBadSeq: 4, reason: 'out-of-order' });
  });

  it('detects an inserted record even with a plausible MAC from another chain', () => {
    const records = chain(6);
    const forged = chain(6, OTHER_KEY)[3]!;
    const inserted = [...records.slice(0, 3), forged, ...records.slice(3).map((r) => ({ ...r, seq: r.seq + 1 }))];
    expect(verifyChain(inserted, KEY)).toMatchObject({ ok: false, firstBadSeq: 4, reason: 'mac-mismatch' });
  });

  it('fails at the first record with the wrong key', () => {
    expect(verifyChain(chain(5), OTHER_KEY)).toEqual({ ok: false, count: 0, firstBadSeq: 1, reason: 'mac-mismatch' });
  });

  it('reports a malformed MAC instead of throwing', () => {
    const records = chain(3);
    records[1] = { ...records[1]!, mac: 'not-hex' };
    expect(verifyChain(records, KEY)).toMatchObject({ ok: false, firstBadSeq: 2, reason: 'malformed' });
  });
});
