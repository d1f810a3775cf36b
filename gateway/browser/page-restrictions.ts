/**
 * What URL policy allows on one page (tab): typing, paste, upload, clipboard and
 * print. A page is as strict as the strictest document on it, so an allowed page
 * that embeds a read-only site in an <iframe> is read-only as a whole (input goes
 * to the page, and the gateway cannot tell which frame a key lands in).
 *
 * Subframe verdicts only ever tighten the page; only a new document in the main
 * frame starts over. This fails closed: a frame that was removed, or a request
 * that never committed, can leave the page stricter than needed, never looser.
 */
import type { Capabilities, Verdict } from '../../policies/index.js';

export interface PagePolicy {
  /** Read-only pages take pointer and wheel input but no typing, paste or upload. */
  readOnly: boolean;
  /** null = no limits from URL policy (the gateway's own settings still apply). */
  capabilities: Capabilities | null;
}

const NO_LIMITS: PagePolicy = { readOnly: false, capabilities: null };

/**
 * The limits a document's verdict puts on its page. Blocked and not-yet-confirmed
 * documents are replaced by kekkai's own block or warning page, which the user
 * must be able to use (the warning page asks for a reason), so they add nothing.
 */
export function limitsOf(verdict: Pick<Verdict, 'verdict' | 'capabilities'>): PagePolicy {
  if (verdict.verdict === 'block') return NO_LIMITS;
  return { readOnly: verdict.verdict === 'read-only', capabilities: verdict.capabilities };
}

function stricter(a: PagePolicy, b: PagePolicy): PagePolicy {
  const caps = a.capabilities && b.capabilities
    ? (Object.fromEntries(Object.keys(a.capabilities).map((k) => {
        const key = k as keyof Capabilities;
        return [key, a.capabilities![key] && b.capabilities![key]];
      })) as unknown as Capabilities)
    : (a.capabilities ?? b.capabilities);
  return { readOnly: a.readOnly || b.readOnly, capabilities: caps ? { ...caps } : null };
}

export class PageRestrictions {
  private state: PagePolicy = NO_LIMITS;

  get current(): PagePolicy {
    return this.state;
  }

  /** A new document in the main frame: its subframes went with the old one. */
  mainDocument(limits: PagePolicy): void {
    this.state = { ...limits };
  }

  /**
   * A document the page made itself (blob:, data:, about:blank, srcdoc): it keeps the
   * limits of the page that made it and takes those of the blob's origin on top.
   */
  derivedDocument(limits: PagePolicy | null): void {
    if (limits) this.subframeDocument(limits);
  }

  /** A subframe's document (or its judged request): tightens, never loosens. */
  subframeDocument(limits: PagePolicy): void {
    this.state = stricter(this.state, limits);
  }
}
