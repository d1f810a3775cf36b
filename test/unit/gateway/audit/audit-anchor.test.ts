/** The chain's end against an expected head (the anchor file or a collector's last seq/MAC), and the anchor's seal. */
import { describe, expect, it } from 'vitest';
import { describeVerifyResult, genesisMac, sealRecord, verifyChain, type ExpectedHead } from '../../../../gateway/audit/audit-chain.js';
import { parseAnchor, sealAnchor } from '../../../../gateway/audit/audit-anchor.js';
import { formatAuditTime, type AuditRecord } from '../../../../gateway/audit/audit-event.js';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);
const WHEN = '2026-11-27T13:05:00.000+09:00';

function unsealed(seq: number, tag: string) {
  return { seq, time: formatAuditTime(new Date(Date.UTC(2026, 10, 27, 4, 5, seq))), userId: null, userName: 'kango', role: null, sourceIp: null, event: 'navigation', outcome: 'allowed', details: { tag, seq } };
}

/** Records up to seq n; with `from`, appended to those records instead of starting at seq 1. */
function chain(n: number, key: Uint8Array = KEY, tag = 'a', from: AuditRecord[] = []): AuditRecord[] {
  const out = [...from];
  for (let seq = out.length + 1; seq <= n; seq++) out.push(sealRecord(key, out.at(-1)?.mac ?? null, unsealed(seq, tag)));
  return out;
}

const headOf = (records: AuditRecord[], seq: number): ExpectedHead => ({ state: 'ok', seq, mac: records[seq - 1]!.mac, writtenAt: WHEN });

describe('verifyChain with an expected head', () => {
  it('accepts a log that reaches the head or runs past it', () => {
    const records = chain(10);
    expect(verifyChain(records, KEY, [headOf(records, 10)])).toMatchObject({ ok: true, count: 10, anchoredSeq: 10 });
    expect(verifyChain(records, KEY, [headOf(records, 7)])).toMatchObject({ ok: true, count: 10, anchoredSeq: 7 });
    expect(verifyChain([], KEY, [{ state: 'ok', seq: 0, mac: genesisMac(KEY) }])).toMatchObject({ ok: true, count: 0, anchoredSeq: 0 });
    expect(describeVerifyResult(verifyChain(records, KEY, [headOf(records, 10)]))).toBe('audit chain OK: 10 records; head anchor at seq 10');
  });

  it('names the records cut off the end', () => {
    const records = chain(10);
    const result = verifyChain(records.slice(0, 6), KEY, [headOf(records, 10)]);
    expect(result).toEqual({ ok: false, count: 6, firstBadSeq: 7, reason: 'truncated', missingTo: 10, anchorWrittenAt: WHEN });
    const text = describeVerifyResult(result);
    expect(text).toContain('records seq 7–10 are missing from the end of the log');
    expect(text).toContain('末尾の記録 7〜10 が削除されています');
    // Everything deleted is a cut too, once an anchor says there was something.
    expect(verifyChain([], KEY, [headOf(records, 3)])).toMatchObject({ ok: false, firstBadSeq: 1, reason: 'truncated', missingTo: 3 });
  });

  it('reports a log cut back and grown again past the head', () => {
    const original = chain(10);
    // Cut back to seq 5 and grown again to 12 with the key (e.g. a process appending after the cut).
    const regrown = chain(12, KEY, 'b', original.slice(0, 5));
    expect(verifyChain(regrown, KEY)).toMatchObject({ ok: true, count: 12 });
    expect(verifyChain(regrown, KEY, [headOf(original, 10)])).toMatchObject({ ok: false, firstBadSeq: 10, reason: 'head-mismatch' });
  });

  it('reports a chain break before comparing heads', () => {
    const records = chain(10);
    records[2] = { ...records[2]!, outcome: 'blocked' };
    expect(verifyChain(records.slice(0, 6), KEY, [headOf(chain(10), 10)])).toMatchObject({ ok: false, firstBadSeq: 3, reason: 'mac-mismatch' });
  });

  it('treats a missing anchor as a failure only when there are records', () => {
    expect(verifyChain([], KEY, [{ state: 'missing' }])).toMatchObject({ ok: true, count: 0 });
    expect(verifyChain(chain(2), KEY, [{ state: 'missing' }])).toEqual({ ok: false, count: 2, firstBadSeq: 3, reason: 'anchor-missing' });
    expect(verifyChain(chain(2), KEY, [{ state: 'invalid', problem: 'not JSON' }])).toMatchObject({ ok: false, reason: 'anchor-invalid', anchorProblem: 'not JSON' });
  });

  it('checks every head given (anchor file and collector)', () => {
    const records = chain(10);
    expect(verifyChain(records.slice(0, 8), KEY, [headOf(records, 5), headOf(records, 10)])).toMatchObject({ ok: false, reason: 'truncated', firstBadSeq: 9, missingTo: 10 });
    expect(verifyChain(records, KEY, [headOf(records, 5), headOf(records, 8)])).toMatchObject({ ok: true, anchoredSeq: 8 });
  });
});

describe('the anchor file seal', () => {
  const content = { seq: 42, headMac: 'ab'.repeat(32), writtenAt: WHEN };

  it('reads back what was sealed with the same key', () => {
    expect(parseAnchor(JSON.stringify(sealAnchor(KEY, content)), KEY)).toEqual({ state: 'ok', seq: 42, mac: 'ab'.repeat(32), writtenAt: WHEN, source: 'anchor' });
  });

  it('refuses an edited field, another key, or something that is not an anchor', () => {
    const sealed = sealAnchor(KEY, content);
    for (const edited of [{ ...sealed, seq: 41 }, { ...sealed, headMac: 'cd'.repeat(32) }, { ...sealed, writtenAt: '2026-11-28T00:00:00.000+09:00' }]) {
      expect(parseAnchor(JSON.stringify(edited), KEY)).toMatchObject({ state: 'invalid', problem: expect.stringContaining('MAC') });
    }
    expect(parseAnchor(JSON.stringify(sealAnchor(OTHER_KEY, content)), KEY)).toMatchObject({ state: 'invalid' });
    expect(parseAnchor('{"seq":1}', KEY)).toMatchObject({ state: 'invalid' });
    expect(parseAnchor('not json', KEY)).toEqual({ state: 'invalid', problem: 'not JSON' });
    expect(parseAnchor(JSON.stringify({ ...sealed, seq: -1 }), KEY)).toMatchObject({ state: 'invalid' });
  });

  it('is not a record MAC: an anchor MAC never verifies as the head record', () => {
    const records = chain(1);
    const sealed = sealAnchor(KEY, { seq: 1, headMac: records[0]!.mac, writtenAt: WHEN });
    expect(sealed.mac).not.toBe(records[0]!.mac);
  });
});
