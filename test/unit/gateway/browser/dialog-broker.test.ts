import type { Dialog } from 'puppeteer';
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../../protocol/index.js';
import { DialogBroker } from '../../../../gateway/browser/dialog-broker.js';

function fakeDialog(type: string, message: string, defaultValue = ''): Dialog {
  return {
    type: () => type,
    message: () => message,
    defaultValue: () => defaultValue,
    accept: async () => undefined,
    dismiss: async () => undefined,
  } as unknown as Dialog;
}

describe('DialogBroker', () => {
  it('sends dialog text without bidi or other invisible characters, keeping line breaks', () => {
    const sent: ServerMessage[] = [];
    const broker = new DialogBroker((msg) => sent.push(msg));
    broker.open(1, fakeDialog('prompt', 'お支払い\u202Efdp.exe\r\n2行目\u200B', 'abc\u2066def\u2069'));
    const msg = sent[0];
    expect(msg?.type).toBe('dialog');
    if (msg?.type !== 'dialog') return;
    expect(msg.message).toBe('お支払いfdp.exe\n2行目');
    expect(msg.defaultValue).toBe('abcdef');
  });
});

describe('DialogBroker.isWaiting (a tab in a dialog is not hung)', () => {
  it('is true only while a forwarded dialog of that tab waits for the user', async () => {
    const broker = new DialogBroker(() => undefined);
    broker.open(1, fakeDialog('alert', 'hello'));
    expect(broker.isWaiting(1)).toBe(true);
    expect(broker.isWaiting(2)).toBe(false);
    await broker.reply({ dialogId: 1, accept: true, suppressFurther: true });
    expect(broker.isWaiting(1)).toBe(false);
    // Suppressed dialogs are answered at once and never wait for the user.
    broker.open(1, fakeDialog('alert', 'again'));
    expect(broker.isWaiting(1)).toBe(false);
  });
});
