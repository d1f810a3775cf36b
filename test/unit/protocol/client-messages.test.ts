import { describe, expect, it } from 'vitest';
import { ClientMessage, MAX_PASTE_CHARS, PROTOCOL_VERSION } from '../../../protocol/index.js';

describe('client message schema', () => {
  it('accepts well-formed messages of each kind', () => {
    const valid = [
      { type: 'hello', version: PROTOCOL_VERSION, viewport: { width: 1280, height: 800, dpr: 2 } },
      { type: 'pointer', action: 'down', x: 10, y: 20, button: 'left', buttons: 1, clickCount: 2, modifiers: 0 },
      { type: 'wheel', x: 1, y: 1, deltaX: -30, deltaY: 120, modifiers: 8 },
      { type: 'key', action: 'down', key: 'a', code: 'KeyA', keyCode: 65, modifiers: 2 },
      { type: 'ime', phase: 'update', text: 'にほん' },
      { type: 'paste', text: '貼り付け' },
      { type: 'navigate', url: 'example.jp' },
      { type: 'tab', action: 'close', tabId: 3 },
      { type: 'dialog-reply', dialogId: 1, accept: true, suppressFurther: true },
      { type: 'end-session' },
      { type: 'picker-choose', pickerId: 4, index: 2 },
      { type: 'picker-choose', pickerId: 4, value: '2026-04-01' },
      { type: 'picker-cancel', pickerId: 4 },
    ];
    for (const msg of valid) expect(ClientMessage.safeParse(msg).success, JSON.stringify(msg)).toBe(true);
  });

  it('refuses unknown types, wrong versions, oversize and out-of-range values', () => {
    const invalid = [
      { type: 'eval', code: 'alert(1)' },
      { type: 'hello', version: PROTOCOL_VERSION + 1, viewport: { width: 1280, height: 800, dpr: 1 } },
      { type: 'hello', version: PROTOCOL_VERSION, viewport: { width: 99_999, height: 800, dpr: 1 } },
      { type: 'pointer', action: 'down', x: Number.NaN, y: 0, button: 'left', buttons: 1, clickCount: 1, modifiers: 0 },
      { type: 'key', action: 'down', key: '', code: 'KeyA', keyCode: 65, modifiers: 0 },
      { type: 'paste', text: 'x'.repeat(MAX_PASTE_CHARS + 1) },
      { type: 'navigate', url: '' },
      { type: 'picker-choose', pickerId: -1, index: 0 },
      { type: 'picker-choose', pickerId: 1, index: 1.5 },
      { type: 'picker-choose', pickerId: 1, value: 'x'.repeat(65) },
      { type: 'picker-cancel' },
      null,
      'hello',
    ];
    for (const msg of invalid) expect(ClientMessage.safeParse(msg).success, JSON.stringify(msg)?.slice(0, 80)).toBe(false);
  });
});
