import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CURSOR_PROBE, MAX_CURSOR_CHARS, MAX_SELECTION_CHARS, SELECTION_PROBE } from '../../../../gateway/browser/page-probes.js';

/** Runs a probe's source against stand-ins for the page's DOM, as RemoteTab.probe does. */
function runProbe(source: string, globals: Record<string, unknown>, ...args: unknown[]): unknown {
  const fn = vm.runInNewContext(`(${source})`, globals) as (...a: unknown[]) => unknown;
  return fn(...args);
}

const element = { closest: () => null, isContentEditable: false, matches: () => false };

describe('page probes cut their results down inside the page', () => {
  it('returns the fallback keyword of a custom cursor image of any size', () => {
    const cursor = `url("data:image/png;base64,${'A'.repeat(200_000)}") 4 4, pointer`;
    const result = runProbe(CURSOR_PROBE, { document: { elementFromPoint: () => element }, getComputedStyle: () => ({ cursor }) }, 10, 10);
    expect(result).toBe('pointer');
  });

  it('never returns a cursor value longer than the limit', () => {
    const result = runProbe(CURSOR_PROBE, { document: { elementFromPoint: () => element }, getComputedStyle: () => ({ cursor: 'x'.repeat(1_000_000) }) }, 10, 10);
    expect(typeof result === 'string' && result.length <= MAX_CURSOR_CHARS).toBe(true);
  });

  it('truncates a huge document selection to the limit', () => {
    const text = 'あ'.repeat(MAX_SELECTION_CHARS + 5000);
    const result = runProbe(SELECTION_PROBE, { document: { activeElement: null }, getSelection: () => text }, MAX_SELECTION_CHARS) as string;
    expect(result.length).toBe(MAX_SELECTION_CHARS);
  });

  it('truncates a huge selection inside a text field to the limit', () => {
    const field = { tagName: 'TEXTAREA', selectionStart: 3, selectionEnd: 3 + MAX_SELECTION_CHARS * 2, value: 'abc' + 'x'.repeat(MAX_SELECTION_CHARS * 2) };
    const result = runProbe(SELECTION_PROBE, { document: { activeElement: field }, getSelection: () => '' }, MAX_SELECTION_CHARS) as string;
    expect(result).toHaveLength(MAX_SELECTION_CHARS);
    expect(result.startsWith('xxx')).toBe(true);
  });
});
