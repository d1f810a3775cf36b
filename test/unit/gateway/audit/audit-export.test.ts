import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../../gateway/audit/audit-event.js';
import { csvChunks, escapeSdValue, escapeUrlControls, formatSyslog, jsonLines } from '../../../../gateway/audit/audit-export.js';

const MAC = 'ab'.repeat(32);

function record(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    seq: 7,
    time: '2026-11-27T13:05:00.123+09:00',
    userId: 12,
    userName: '山田 太郎',
    role: 'staff',
    sourceIp: '10.20.30.40',
    event: 'navigation-blocked',
    outcome: 'blocked',
    details: { url: 'https://sns.example/投稿?a=1', rule: 'block-sns', verdict: 'deny' },
    mac: MAC,
    ...overrides,
  };
}

const text = (chunks: Iterable<Buffer>): Buffer => Buffer.concat([...chunks]);

describe('CSV export', () => {
  it('starts UTF-8 with a BOM and a header, uses CRLF, and keeps Japanese', () => {
    const bytes = text(csvChunks([record()], 'utf8-bom'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe('seq,time,user_id,user_name,role,source_ip,event,outcome,url,details,mac');
    expect(lines[1]).toContain('山田 太郎');
    expect(lines[1]!.startsWith('7,2026-11-27T13:05:00.123+09:00,12,')).toBe(true);
    expect(lines[2]).toBe('');
  });

  /** The exported CSV (UTF-8) cell of the user name, as written, and the rest of the line. */
  const userCell = (userName: string): string => {
    const line = text(csvChunks([record({ userName })], 'utf8-bom')).toString('utf8').split('\r\n')[1]!;
    const prefix = '7,2026-11-27T13:05:00.123+09:00,12,';
    expect(line.startsWith(prefix)).toBe(true);
    return line.slice(prefix.length, line.indexOf(',staff,10.20.30.40,'));
  };

  it('quotes commas, quotes and newlines; leaves empty and numeric cells plain', () => {
    expect(userCell('a,b')).toBe('"a,b"');
    expect(userCell('say "hi"')).toBe('"say ""hi"""');
    expect(userCell('line1\nline2')).toBe('"line1\nline2"');
    const line = text(csvChunks([record({ seq: -3, userId: null })], 'utf8-bom')).toString('utf8').split('\r\n')[1]!;
    expect(line.startsWith('-3,2026-11-27T13:05:00.123+09:00,,')).toBe(true);
  });

  it('neutralises cells that Excel would run as formulas', () => {
    for (const evil of ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx', '＝1+1', '＋1', '－1', '＠A1', '\u22121+1']) {
      expect(userCell(evil).replace(/^"/, ''), JSON.stringify(evil)).toMatch(/^'/);
    }
    expect(userCell('=cmd|" /c calc"!A1')).toBe(`"'=cmd|"" /c calc""!A1"`);
    expect(userCell('https://a.example/=x')).toBe('https://a.example/=x');
  });

  it('writes Shift_JIS that decodes back to the same text', () => {
    const r = record({ userName: '髙橋 ①ｶﾅ', details: { url: 'https://病院.example/～' } });
    const bytes = text(csvChunks([r], 'shift_jis'));
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    const decoded = new TextDecoder('shift_jis', { fatal: true }).decode(bytes);
    const utf8 = text(csvChunks([r], 'utf8-bom')).toString('utf8').slice(1);
    expect(decoded).toBe(utf8);
    expect(decoded).toContain('髙橋 ①ｶﾅ');
    // 髙 as the IBM extension 0xFBFC (what Windows writes), 橋 as 0x8BB4.
    expect(bytes.includes(Buffer.from([0xfb, 0xfc, 0x8b, 0xb4]))).toBe(true);
  });

  it('replaces characters Shift_JIS cannot hold with "?"', () => {
    const bytes = text(csvChunks([record({ userName: 'a😀b𠮷' })], 'shift_jis'));
    expect(new TextDecoder('shift_jis').decode(bytes)).toContain(',a?b?,');
  });

  it('writes U+2212 MINUS SIGN as Shift_JIS 0x817C, neutralised since Excel reads it as a minus', () => {
    const bytes = text(csvChunks([record({ userName: '\u22121+1' })], 'shift_jis'));
    expect(bytes.includes(Buffer.from([0x2c, 0x27, 0x81, 0x7c, 0x31, 0x2b, 0x31, 0x2c]))).toBe(true); // ,'－1+1,
  });
});

describe('JSON lines export', () => {
  it('writes one complete record per line, MAC included', () => {
    const lines = [...jsonLines([record(), record({ seq: 8, details: { note: 'a\nb' } })])];
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual(record());
  });
});

describe('RFC 5424 syslog line', () => {
  it('has the header, structured data and a BOM-prefixed message', () => {
    const line = formatSyslog(record(), { hostname: 'kekkai-gw1' });
    // facility 13 (log audit) * 8 + severity 4 (warning) for a blocked outcome
    expect(line.startsWith('<108>1 2026-11-27T13:05:00.123+09:00 kekkai-gw1 kekkai - navigation-blocked [kekkai@32473 ')).toBe(true);
    expect(line).toContain('seq="7"');
    expect(line).toContain('user="山田 太郎"');
    expect(line).toContain('rule="block-sns"');
    expect(line).toContain(`mac="${MAC}"`);
    expect(line).toMatch(/\] \uFEFFnavigation-blocked blocked user=山田 太郎 https:\/\/sns\.example\/投稿\?a=1$/);
    expect(formatSyslog(record({ outcome: 'success', event: 'login' }), { hostname: 'h', facility: 10 })).toMatch(/^<86>1 /);
  });

  it('escapes control characters in URLs so a line cannot be split or forged', () => {
    const url = 'https://x.example/a\r\n<14>1 2026-01-01T00:00:00Z fake kekkai - login\u0000\u2028\u202E';
    const line = formatSyslog(record({ details: { url } }), { hostname: 'h' });
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/[\u0000-\u001F\u007F\u2028\u202E]/);
    expect(line).toContain('url="https://x.example/a%0D%0A<14>1 2026-01-01T00:00:00Z fake kekkai - login%00%E2%80%A8%E2%80%AE"');
    expect(escapeUrlControls('a\u0085b\u007f')).toBe('a%C2%85b%7F');
  });

  it('escapes ", \\ and ] in SD-PARAM values', () => {
    expect(escapeSdValue('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
    const line = formatSyslog(record({ userName: 'x"] [evil@1 a="b' }), { hostname: 'h' });
    expect(line).toContain('user="x\\"\\] [evil@1 a=\\"b"');
    // Exactly one SD element: in the header and SD, every ] except the closing one is escaped.
    const beforeMsg = line.slice(0, line.indexOf('\uFEFF'));
    expect(beforeMsg.match(/(?<!\\)\]/g)).toHaveLength(1);
    expect(beforeMsg.endsWith('] ')).toBe(true);
  });

  it('keeps header fields printable ASCII and drops details from over-long lines', () => {
    const line = formatSyslog(record({ event: 'bad event\n名' }), { hostname: 'host name\n' });
    expect(line).toMatch(/^<\d+>1 \S+ hostname kekkai - badevent \[/);
    const long = formatSyslog(record({ details: { url: 'https://a.example/', blob: 'x'.repeat(10_000) } }), { hostname: 'h', maxBytes: 2048 });
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(2048);
    expect(long).toContain('truncated="1"');
    expect(long).toContain('url="https://a.example/"');
  });
});
