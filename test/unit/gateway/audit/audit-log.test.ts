import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../../../gateway/audit/audit-chain.js';
import type { AuditRecord, NewAuditEntry } from '../../../../gateway/audit/audit-event.js';
import { AuditLog } from '../../../../gateway/audit/audit-log.js';
import type { AuditQuery, AuditRepository, SealFunction } from '../../../../gateway/audit/audit-repository.js';

/** In-memory store with JSON round trips, like a database. */
class MemoryAuditRepository implements AuditRepository {
  rows: string[] = [];
  append(entry: NewAuditEntry, seal: SealFunction): AuditRecord {
    const last = this.rows.length ? (JSON.parse(this.rows.at(-1)!) as AuditRecord) : undefined;
    const unsealed = { ...entry, seq: this.rows.length + 1 };
    const record = { ...unsealed, mac: seal(last?.mac ?? null, unsealed) };
    this.rows.push(JSON.stringify(record));
    return record;
  }
  *iterate(): Iterable<AuditRecord> {
    for (const row of this.rows) yield JSON.parse(row) as AuditRecord;
  }
  search(_query: AuditQuery) {
    const records = [...this.iterate()].reverse();
    return { records, total: records.length };
  }
  count(): number {
    return this.rows.length;
  }
  last(): AuditRecord | undefined {
    return [...this.iterate()].at(-1);
  }
  macAt(seq: number): string | undefined {
    return [...this.iterate()].find((r) => r.seq === seq)?.mac;
  }
}

const KEY = Buffer.alloc(32, 1);
const NOW = () => new Date('2026-11-27T04:05:00.123Z');

describe('AuditLog', () => {
  it('stamps Japan time, seq and a MAC, and the stored chain verifies', () => {
    const repo = new MemoryAuditRepository();
    const log = new AuditLog(repo, KEY, { now: NOW });
    const first = log.record({ event: 'login', outcome: 'success', userId: 3, userName: '佐藤', role: 'admin', sourceIp: '10.0.0.5' });
    expect(first).toMatchObject({ seq: 1, time: '2026-11-27T13:05:00.123+09:00', userName: '佐藤', details: {} });
    expect(first.mac).toMatch(/^[0-9a-f]{64}$/);
    log.record({ event: 'navigation', outcome: 'allowed', details: { url: 'https://a.example/', at: new Date(0), gone: undefined } });
    log.record({ event: 'logout', outcome: 'success', userName: 'bad\uD800name' });
    expect(log.verify()).toMatchObject({ ok: true, count: 3 });
    expect([...repo.iterate()][1]!.details).toEqual({ url: 'https://a.example/', at: '1970-01-01T00:00:00.000Z' });
  });

  it('never stores secrets given in details', () => {
    const log = new AuditLog(new MemoryAuditRepository(), KEY, { now: NOW });
    const r = log.record({
      event: 'account-change',
      outcome: 'success',
      details: { before: { password: 'hunter2-hunter2', mustChangePassword: true }, after: { passwordHash: 'scrypt$x', role: 'admin' }, csrfToken: 'abc', otp: '123456' },
    });
    expect(JSON.stringify(r.details)).not.toMatch(/hunter2|scrypt\$x|abc|123456/);
    expect(r.details).toMatchObject({ before: { password: '[redacted]', mustChangePassword: true }, after: { role: 'admin' } });
  });

  it('detects tampering in the store', () => {
    const repo = new MemoryAuditRepository();
    const log = new AuditLog(repo, KEY, { now: NOW });
    for (let i = 0; i < 5; i++) log.record({ event: 'download', outcome: 'success', details: { sha256: String(i) } });
    repo.rows[2] = repo.rows[2]!.replace('"sha256":"2"', '"sha256":"9"');
    expect(log.verify()).toMatchObject({ ok: false, firstBadSeq: 3, reason: 'mac-mismatch' });
  });

  it('tells listeners about each record and survives a failing listener', () => {
    const errors: unknown[] = [];
    const log = new AuditLog(new MemoryAuditRepository(), KEY, { now: NOW, onListenerError: (e) => errors.push(e) });
    const seen: number[] = [];
    log.subscribe(() => {
      throw new Error('collector down');
    });
    const off = log.subscribe((r) => seen.push(r.seq));
    expect(log.record({ event: 'login', outcome: 'failure' }).seq).toBe(1);
    off();
    log.record({ event: 'login', outcome: 'failure' });
    expect(seen).toEqual([1]);
    expect(errors).toHaveLength(2);
    expect(verifyChain(log.records(), KEY).ok).toBe(true);
  });
});
