import { describe, expect, it } from 'vitest';
import { EscapeWatch, shortcutFor } from '../../../client/viewer/shortcuts.js';

const key = (k: string, mods: Partial<{ ctrl: boolean; alt: boolean; shift: boolean; meta: boolean }> = {}) => ({
  key: k,
  ctrlKey: mods.ctrl ?? false,
  altKey: mods.alt ?? false,
  shiftKey: mods.shift ?? false,
  metaKey: mods.meta ?? false,
});

describe('viewer shortcuts', () => {
  it('reach the address bar with Ctrl+L, Alt+D and F6', () => {
    expect(shortcutFor(key('l', { ctrl: true }))).toBe('focus-address');
    expect(shortcutFor(key('L', { ctrl: true }))).toBe('focus-address');
    expect(shortcutFor(key('d', { alt: true }))).toBe('focus-address');
    expect(shortcutFor(key('F6'))).toBe('focus-address');
    expect(shortcutFor(key('F6', { shift: true }))).toBe('focus-address');
  });

  it('open, close and switch tabs', () => {
    expect(shortcutFor(key('t', { ctrl: true }))).toBe('new-tab');
    expect(shortcutFor(key('w', { ctrl: true }))).toBe('close-tab');
    expect(shortcutFor(key('Tab', { ctrl: true }))).toBe('next-tab');
    expect(shortcutFor(key('Tab', { ctrl: true, shift: true }))).toBe('previous-tab');
    expect(shortcutFor(key('PageDown', { ctrl: true }))).toBe('next-tab');
    expect(shortcutFor(key('PageUp', { ctrl: true }))).toBe('previous-tab');
  });

  it('leave page keys to the page', () => {
    for (const k of [key('l'), key('d'), key('t', { ctrl: true, shift: true }), key('a', { ctrl: true }), key('c', { ctrl: true }), key('Tab'), key('Escape'), key('F6', { ctrl: true })]) {
      expect(shortcutFor(k), JSON.stringify(k)).toBeNull();
    }
  });

  it('leave the page on a quick second Esc only', () => {
    const watch = new EscapeWatch();
    expect(watch.press(key('Escape'), 0)).toBe(false);
    expect(watch.press(key('Escape'), 500)).toBe(true);
    expect(watch.press(key('Escape'), 700)).toBe(false);
    expect(watch.press(key('a'), 900)).toBe(false);
    expect(watch.press(key('Escape'), 1000)).toBe(false);
    expect(watch.press(key('Escape'), 2000)).toBe(false);
  });
});
