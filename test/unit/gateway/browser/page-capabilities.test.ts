import { describe, expect, it } from 'vitest';
import type { Capabilities } from '../../../../policies/index.js';
import { refusalFor, typesIntoPage, type GatewaySwitches, type PageAction } from '../../../../gateway/browser/page-capabilities.js';

const ALL_ON: GatewaySwitches = { clipboardToClient: true, clipboardFromClient: true, uploadEnabled: true, printEnabled: true };
const CAPS_ON: Capabilities = { clipboardToClient: true, clipboardFromClient: true, print: true, upload: true, download: true };
const ACTIONS: PageAction[] = ['paste', 'copy', 'cut', 'type', 'print', 'upload'];
const page = (readOnly: boolean, caps: Partial<Capabilities> | null = null) => ({ readOnly, capabilities: caps ? { ...CAPS_ON, ...caps } : null });

const answers = (p: ReturnType<typeof page> | undefined, switches = ALL_ON) =>
  Object.fromEntries(ACTIONS.map((a) => [a, refusalFor(a, p, switches)]));

describe('one capability check for a page', () => {
  it('allows everything on an ordinary page with every setting on', () => {
    expect(answers(page(false))).toEqual({ paste: null, copy: null, cut: null, type: null, print: null, upload: null });
  });

  it('a read-only page refuses typing, paste, cut and uploads but still allows copy and print', () => {
    expect(answers(page(true))).toEqual({ paste: 'read-only', copy: null, cut: 'read-only', type: 'read-only', print: null, upload: 'upload-disabled' });
  });

  it('URL policy capability flags refuse their action with its own notice', () => {
    expect(answers(page(false, { clipboardFromClient: false, clipboardToClient: false, print: false, upload: false }))).toEqual({
      paste: 'clipboard-from-client-disabled',
      copy: 'clipboard-to-client-disabled',
      cut: 'clipboard-to-client-disabled',
      type: null,
      print: 'print-disabled',
      upload: 'upload-disabled',
    });
  });

  it("the gateway's settings refuse even where the page's policy allows", () => {
    const off: GatewaySwitches = { clipboardToClient: false, clipboardFromClient: false, uploadEnabled: false, printEnabled: false };
    expect(answers(page(false, {}), off)).toEqual({
      paste: 'clipboard-from-client-disabled',
      copy: 'clipboard-to-client-disabled',
      cut: 'clipboard-to-client-disabled',
      type: null,
      print: 'print-disabled',
      upload: 'upload-disabled',
    });
  });

  it('with no tab, only the settings decide', () => {
    expect(refusalFor('paste', undefined, ALL_ON)).toBeNull();
    expect(refusalFor('paste', undefined, { ...ALL_ON, clipboardFromClient: false })).toBe('clipboard-from-client-disabled');
  });

  it('counts typing keys and IME as typing, not arrows, Tab or Ctrl+C', () => {
    const key = (k: string, modifiers = 0) => ({ type: 'key' as const, action: 'down' as const, key: k, code: '', keyCode: 0, modifiers });
    expect(typesIntoPage(key('a'))).toBe(true);
    expect(typesIntoPage(key('Enter'))).toBe(true);
    expect(typesIntoPage(key('v', 2))).toBe(true);
    expect(typesIntoPage({ type: 'ime', phase: 'commit', text: '日本' })).toBe(true);
    expect(typesIntoPage(key('ArrowDown'))).toBe(false);
    expect(typesIntoPage(key('Tab'))).toBe(false);
    expect(typesIntoPage(key('c', 2))).toBe(false);
    expect(typesIntoPage({ type: 'pointer', action: 'down', x: 1, y: 1, button: 'left', buttons: 1, modifiers: 0, clickCount: 1 })).toBe(false);
  });
});
