import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../../../../policies/evaluate.js';
import { limitsOf, PageRestrictions } from '../../../../gateway/browser/page-restrictions.js';

const allow = { verdict: 'allow' as const, capabilities: { ...DEFAULT_CAPABILITIES } };
const readOnly = { verdict: 'read-only' as const, capabilities: { ...DEFAULT_CAPABILITIES, clipboardFromClient: false, upload: false } };
const noCopy = { verdict: 'allow' as const, capabilities: { ...DEFAULT_CAPABILITIES, clipboardToClient: false } };
const blocked = { verdict: 'block' as const, capabilities: { clipboardToClient: false, clipboardFromClient: false, print: false, upload: false, download: false } };

describe('page restrictions (strictest document on the page)', () => {
  it('a read-only subframe makes an allowed page read-only, with the stricter flags', () => {
    const page = new PageRestrictions();
    page.mainDocument(limitsOf(allow));
    page.subframeDocument(limitsOf(readOnly));
    expect(page.current).toEqual({ readOnly: true, capabilities: readOnly.capabilities });
  });

  it('subframes only tighten; each flag is the AND of the documents', () => {
    const page = new PageRestrictions();
    page.mainDocument(limitsOf(noCopy));
    page.subframeDocument(limitsOf(readOnly));
    page.subframeDocument(limitsOf(allow));
    expect(page.current.readOnly).toBe(true);
    expect(page.current.capabilities).toMatchObject({ clipboardToClient: false, clipboardFromClient: false, upload: false, print: true });
  });

  it('a new main-frame document starts over', () => {
    const page = new PageRestrictions();
    page.mainDocument(limitsOf(readOnly));
    page.mainDocument(limitsOf(allow));
    expect(page.current).toEqual({ readOnly: false, capabilities: allow.capabilities });
  });

  it('a blocked document adds nothing: kekkai shows its own block page there', () => {
    const page = new PageRestrictions();
    page.mainDocument(limitsOf(allow));
    page.subframeDocument(limitsOf(blocked));
    expect(page.current).toEqual({ readOnly: false, capabilities: allow.capabilities });
  });
});
