import { describe, expect, it } from 'vitest';
import { isCopyShortcut, keyToCdp, pointerToCdp, wheelToCdp } from '../../../../gateway/browser/input-mapper.js';

const key = (over: Partial<Parameters<typeof keyToCdp>[0]>) => keyToCdp({ type: 'key', action: 'down', key: 'a', code: 'KeyA', keyCode: 65, modifiers: 0, ...over });

describe('input mapping to CDP', () => {
  it('printable keys carry their text so the page gets keypress and input', () => {
    expect(key({ text: 'a' })).toMatchObject({ type: 'keyDown', text: 'a', key: 'a', code: 'KeyA', windowsVirtualKeyCode: 65 });
  });

  it('shortcuts and editing keys are raw key downs without text', () => {
    expect(key({ modifiers: 2, text: 'a' })).toMatchObject({ type: 'rawKeyDown', modifiers: 2 });
    expect(key({ modifiers: 2, text: 'a' }).text).toBeUndefined();
    expect(key({ key: 'Backspace', code: 'Backspace', keyCode: 8 })).toMatchObject({ type: 'rawKeyDown', windowsVirtualKeyCode: 8 });
    expect(key({ key: 'ArrowLeft', code: 'ArrowLeft', keyCode: 37 })).toMatchObject({ type: 'rawKeyDown' });
    expect(key({ key: 'Tab', code: 'Tab', keyCode: 9 })).toMatchObject({ type: 'rawKeyDown' });
  });

  it('Enter produces a carriage return (form submit), key up never has text', () => {
    expect(key({ key: 'Enter', code: 'Enter', keyCode: 13 })).toMatchObject({ type: 'keyDown', text: '\r' });
    expect(key({ action: 'up', text: 'a' })).toMatchObject({ type: 'keyUp' });
    expect(key({ action: 'up', text: 'a' }).text).toBeUndefined();
  });

  it('refuses control characters as key text', () => {
    expect(key({ key: 'x', text: '\u0007' }).type).toBe('rawKeyDown');
  });

  it('maps pointer actions, click counts and drag buttons', () => {
    const base = { type: 'pointer' as const, x: 5, y: 6, modifiers: 0 };
    expect(pointerToCdp({ ...base, action: 'down', button: 'left', buttons: 1, clickCount: 2 })).toMatchObject({ type: 'mousePressed', button: 'left', clickCount: 2 });
    expect(pointerToCdp({ ...base, action: 'up', button: 'right', buttons: 0, clickCount: 1 })).toMatchObject({ type: 'mouseReleased', button: 'right' });
    expect(pointerToCdp({ ...base, action: 'move', button: 'none', buttons: 1, clickCount: 0 })).toMatchObject({ type: 'mouseMoved', button: 'left', buttons: 1 });
  });

  it('maps horizontal and vertical wheel deltas', () => {
    expect(wheelToCdp({ type: 'wheel', x: 1, y: 2, deltaX: 40, deltaY: -120, modifiers: 0 })).toMatchObject({ type: 'mouseWheel', deltaX: 40, deltaY: -120 });
  });

  it('recognises copy and cut shortcuts only on key down with Ctrl or Cmd', () => {
    expect(isCopyShortcut({ type: 'key', action: 'down', key: 'c', code: 'KeyC', keyCode: 67, modifiers: 2 })).toBe('copy');
    expect(isCopyShortcut({ type: 'key', action: 'down', key: 'x', code: 'KeyX', keyCode: 88, modifiers: 4 })).toBe('cut');
    expect(isCopyShortcut({ type: 'key', action: 'down', key: 'c', code: 'KeyC', keyCode: 67, modifiers: 0 })).toBeNull();
    expect(isCopyShortcut({ type: 'key', action: 'up', key: 'c', code: 'KeyC', keyCode: 67, modifiers: 2 })).toBeNull();
  });
});
