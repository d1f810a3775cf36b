/**
 * The one CSV writer: column definitions with the caller's headers, and the same formula
 * neutralisation in every export (audit log and compliance evidence), full-width forms,
 * U+2212, tab and CR included.
 */
import { describe, expect, it } from 'vitest';
import { complianceCsv } from '../../../../gateway/admin/compliance-service.js';
import type { AuditRecord } from '../../../../gateway/audit/audit-event.js';
import { csvChunks } from '../../../../gateway/audit/audit-export.js';
import { csvTable } from '../../../../gateway/export/csv-writer.js';

const LEADING = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠', '\u2212'];

function auditRecord(userName: string): AuditRecord {
  return { seq: 1, time: '2026-12-02T09:14:00.000+09:00', userId: 1, userName, role: 'staff', sourceIp: '10.0.0.1', event: 'login', outcome: 'success', details: {}, mac: 'ab' };
}

/** The cell holding `evil` as a spreadsheet would read it back (quotes undone). */
function cellOf(csvText: string, evil: string): string {
  const rest = evil.slice(1);
  const m = new RegExp(`"?('?)${escape(evil[0]!)}${escape(rest)}`).exec(csvText);
  if (!m) throw new Error(`cell ${JSON.stringify(evil)} not found in ${JSON.stringify(csvText)}`);
  return `${m[1]}${evil}`;
}
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('CSV writer', () => {
  it('writes the headers the caller gives (Japanese included) and cells by column', () => {
    const table = csvTable<{ name: string; n: number }>([
      { key: 'name', header: '利用者名', value: (r) => r.name },
      { key: 'count', header: '件数', value: (r) => r.n },
    ]);
    expect(table.keys).toEqual(['name', 'count']);
    expect([...table.lines([{ name: '山田 太郎', n: 3 }])]).toEqual(['利用者名,件数\r\n', '山田 太郎,3\r\n']);
    expect(table.document([{ name: 'a,b', n: -1 }])).toBe('\uFEFF利用者名,件数\r\n"a,b",-1\r\n');
  });

  for (const lead of LEADING) {
    it(`neutralises a cell starting with ${JSON.stringify(lead)} the same way in every export`, () => {
      const evil = `${lead}cmd|' /C calc'!A0`;
      const table = csvTable<string>([{ key: 'v', header: 'v', value: (r) => r }]);
      const generic = table.document([evil]);
      const audit = Buffer.concat([...csvChunks([auditRecord(evil)], 'utf8-bom')]).toString('utf8');
      const compliance = complianceCsv([{ id: 'unused-accounts', title: { ja: '未使用', en: 'Unused' }, figures: { names: evil }, ok: false }]);
      for (const text of [generic, audit, compliance]) expect(cellOf(text, evil)).toBe(`'${evil}`);
    });
  }

  it('neutralises headers too and leaves ordinary text and numbers alone', () => {
    const table = csvTable<number>([{ key: 'x', header: '=HEADER', value: (n) => n }]);
    expect(table.document([-5])).toBe("\uFEFF'=HEADER\r\n-5\r\n");
    expect(csvTable<string>([{ key: 'x', header: 'x', value: (s) => s }]).line('a-b=c')).toBe('a-b=c\r\n');
  });
});
