import { describe, expect, it } from 'vitest';
import type { ClientMessage } from '../../../../protocol/index.js';
import { parseLeakGuardPolicy } from '../../../../policies/leak-guard.js';
import type { AuditEventInput } from '../../../../gateway/audit/audit-log.js';
import { LeakGuardService } from '../../../../gateway/security/leak-guard-service.js';
import { TypedTextGuard } from '../../../../gateway/http/typed-text-guard.js';

function setup() {
  const settings = new Map<string, unknown>();
  const records: AuditEventInput[] = [];
  const service = new LeakGuardService({ get: (k) => settings.get(k), set: (k, v) => settings.set(k, v) }, { record: (r) => records.push(r) });
  service.update(
    parseLeakGuardPolicy({
      rules: [
        { id: 'my-number', name: 'マイナンバー', detector: 'my-number', action: 'block', channels: ['typing'] },
        { id: 'phone', name: '電話番号', detector: 'phone', action: 'warn', channels: ['typing'] },
      ],
    }),
    { userId: null, userName: 'test', role: null, sourceIp: null },
  );
  records.length = 0;
  const typed = new TypedTextGuard(service, () => ({ userId: 7, userName: 'nurse', role: 'staff', sourceIp: '10.0.0.5' }));
  const sent: ClientMessage[] = [];
  const notices: string[] = [];
  const feed = (msg: ClientMessage): void => {
    const out = typed.process(msg);
    sent.push(...out.forward);
    if (out.notify?.type === 'leak-guard') notices.push(out.notify.verdict);
  };
  const key = (k: string, modifiers = 0): void => {
    const printable = [...k].length === 1;
    feed({ type: 'key', action: 'down', key: k, code: k, keyCode: 0, modifiers, ...(printable ? { text: k } : {}) });
    feed({ type: 'key', action: 'up', key: k, code: k, keyCode: 0, modifiers });
  };
  const type = (text: string): void => [...text].forEach((c) => key(c));
  const downs = (): string[] => sent.filter((m): m is Extract<ClientMessage, { type: 'key' }> => m.type === 'key' && m.action === 'down').map((m) => m.key);
  return { records, feed, key, type, downs, notices, sent };
}

describe('numbers typed key by key', () => {
  it('erase a My Number when its run ends, withhold the key that ended it, and audit it masked', () => {
    const t = setup();
    t.type('番号1234 5678 9018');
    t.key('Tab');
    expect(t.notices).toEqual(['blocked']);
    const downs = t.downs();
    expect(downs.slice(0, 16)).toEqual([...'番号1234 5678 9018']);
    // 14 characters erased; Tab never reached the page.
    expect(downs.slice(16)).toEqual(Array(14).fill('Backspace'));
    expect(t.records).toMatchObject([{ event: 'leak-guard', outcome: 'blocked', userName: 'nurse', details: { channel: 'typing', masked: ['************18'] } }]);
  });

  it('let a wrong check digit and a longer number through', () => {
    const t = setup();
    t.type('123456789012円 1234567890185。');
    t.key('Enter');
    expect(t.notices).toEqual([]);
    expect(t.downs().at(-1)).toBe('Enter');
    expect(t.records).toEqual([]);
  });

  it('erase before a click goes through, and judge a number that a letter ends', () => {
    const t = setup();
    t.type('123456789018');
    t.feed({ type: 'pointer', action: 'down', x: 1, y: 1, button: 'left', buttons: 1, clickCount: 1, modifiers: 0 });
    expect(t.sent.at(-1)?.type).toBe('pointer');
    expect(t.downs().filter((k) => k === 'Backspace')).toHaveLength(12);
    t.type('123456789018a');
    expect(t.downs().at(-1)).toBe('Backspace');
    expect(t.notices).toEqual(['blocked', 'blocked']);
  });

  it('ask for a reason on a warn rule: typing waits, a reason keeps the number, none erases it', () => {
    const t = setup();
    t.type('03-1234-5678');
    t.key('Enter');
    expect(t.notices).toEqual(['warn']);
    expect(t.downs().includes('Enter')).toBe(false);
    t.type('x');
    expect(t.downs().includes('x')).toBe(false);
    t.feed({ type: 'leak-reason', reason: '紹介先への連絡' });
    expect(t.records.map((r) => r.outcome)).toEqual(['warned', 'allowed-with-reason']);
    expect(t.downs().includes('Backspace')).toBe(false);

    const u = setup();
    u.type('03-1234-5678。');
    expect(u.notices).toEqual(['warn']);
    u.feed({ type: 'leak-reason' });
    expect(u.downs().filter((k) => k === 'Backspace')).toHaveLength(12);
  });

  it('forget the run when a shortcut or navigation moves the caret', () => {
    const t = setup();
    t.type('123456');
    t.key('a', 2);
    t.type('789018');
    t.key('Tab');
    expect(t.notices).toEqual([]);
    t.type('123456');
    t.feed({ type: 'navigate', url: 'https://example.jp/' });
    t.type('789018 ');
    expect(t.notices).toEqual([]);
  });
});
