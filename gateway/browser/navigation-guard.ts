/**
 * Navigation-level URL policy through CDP: every document request of a tab
 * (main frame and iframes) pauses at Fetch, is judged with the user's identity,
 * then continues, or is answered with the block page or the warning page. The
 * egress proxy judges every other request by host; this adds paths, `warn` and
 * `read-only`. Any failure here answers with the block page (fail closed).
 *
 * Requests are not enough on their own: a popup's first document can load before
 * the tab's guard is attached (puppeteer resumes new targets itself, and a
 * `target=_blank` link opens without an opener), and a history restore loads with
 * no request at all. So every committed document is judged again: the page's
 * limits (read-only, capabilities) come from what committed, and a web document
 * that committed without passing the guard is audited and, when its rule says
 * block or warn, loaded again through the guard.
 */
import { randomBytes } from 'node:crypto';
import type { CDPSession } from 'puppeteer';
import type { Verdict } from '../../policies/index.js';
import type { Actor } from '../actor.js';
import { navigationVerdict, type UrlPolicy } from '../egress/url-decision.js';
import { blockPage, continuePage, KEKKAI_INTERNAL_HOST, warnPage } from './block-page.js';
import { limitsOf, type PageRestrictions } from './page-restrictions.js';

export interface NavigationRecord {
  url: string;
  mainFrame: boolean;
  verdict: Verdict['verdict'] | 'warn-acknowledged';
  rule: { id: string; name: string | null } | null;
  reason: string;
  /** The user's reason when they continued past a warning. */
  userReason?: string;
}

/** Warnings a user continued past, per session: key = rule id + host. */
export class WarnAcknowledgements {
  private readonly pending = new Map<string, { url: string; key: string; rule: NavigationRecord['rule'] }>();
  private readonly acknowledged = new Set<string>();

  issue(url: string, key: string, rule: NavigationRecord['rule']): string {
    const token = randomBytes(18).toString('base64url');
    this.pending.set(token, { url, key, rule });
    if (this.pending.size > 100) this.pending.delete(this.pending.keys().next().value!);
    return token;
  }

  redeem(token: string): { url: string; rule: NavigationRecord['rule'] } | null {
    const entry = this.pending.get(token);
    if (!entry) return null;
    this.pending.delete(token);
    this.acknowledged.add(entry.key);
    return entry;
  }

  has(key: string): boolean {
    return this.acknowledged.has(key);
  }
}

export interface GuardDeps {
  policy: UrlPolicy;
  identity: Actor;
  allowPrivate: readonly string[];
  acks: WarnAcknowledgements;
  record(entry: NavigationRecord): void;
}

interface PausedRequest {
  requestId: string;
  frameId: string;
  request: { url: string; urlFragment?: string };
}

/** A document that committed in a frame (CDP Page.frameNavigated). */
export interface CommittedFrame {
  id: string;
  parentId?: string;
  url: string;
  urlFragment?: string;
}

/** Why a committed web document had passed no check. */
type UncheckedCause = 'restored' | 'unchecked';

const HTML = [{ name: 'Content-Type', value: 'text/html; charset=utf-8' }, { name: 'Cache-Control', value: 'no-store' }];
/**
 * Block and warning pages are served at the blocked URL's origin; a sandbox gives them
 * an opaque origin so a same-origin parent page cannot read the warning's token.
 */
const SANDBOXED_HTML = [
  ...HTML,
  { name: 'Content-Security-Policy', value: `sandbox allow-forms; default-src 'none'; style-src 'unsafe-inline'; form-action https://${KEKKAI_INTERNAL_HOST}` },
];

export class NavigationGuard {
  /** Per frame, the last URL the guard judged; a commit of any other web URL passed no check. */
  private readonly judged = new Map<string, string>();
  /** Frame + URL already loaded again once; a second unchecked commit goes to about:blank (no loop). */
  private readonly reloaded = new Set<string>();

  constructor(
    private readonly cdp: CDPSession,
    private readonly mainFrameId: () => string,
    private readonly deps: GuardDeps,
    private readonly limits: PageRestrictions,
  ) {}

  async enable(): Promise<void> {
    this.cdp.on('Fetch.requestPaused', (event) => void this.onPaused(event as PausedRequest));
    this.cdp.on('Page.frameNavigated', (e) => void this.onCommitted(e.frame, e.type === 'BackForwardCacheRestore' ? 'restored' : 'unchecked'));
    await this.cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Request' }] });
  }

  /**
   * Judges the documents already in the tab when the guard arrives (a popup's
   * first page may have loaded before): call once Page events are enabled.
   */
  async checkCommitted(): Promise<void> {
    type Tree = { frame: CommittedFrame; childFrames?: Tree[] };
    const walk = async (tree: Tree): Promise<void> => {
      await this.onCommitted(tree.frame, 'unchecked');
      for (const child of tree.childFrames ?? []) await walk(child);
    };
    const { frameTree } = await this.cdp.send('Page.getFrameTree');
    await walk(frameTree as Tree);
  }

  private verdictFor(url: string): Verdict {
    return navigationVerdict(this.deps.policy, this.deps.identity, this.deps.allowPrivate, url);
  }

  private ackKey(url: string, verdict: Verdict): string {
    return `${verdict.rule?.id ?? 'default'}|${hostOf(url)}`;
  }

  private async onPaused(event: PausedRequest): Promise<void> {
    const url = event.request.url + (event.request.urlFragment ?? '');
    const mainFrame = event.frameId === this.mainFrameId();
    this.judged.set(event.frameId, event.request.url);
    try {
      if (hostOf(url) === KEKKAI_INTERNAL_HOST) return await this.onContinue(event, url, mainFrame);
      const verdict = this.verdictFor(url);
      const ackKey = this.ackKey(url, verdict);
      const acknowledged = verdict.verdict === 'warn' && this.deps.acks.has(ackKey);
      this.deps.record({ url, mainFrame, verdict: acknowledged ? 'warn-acknowledged' : verdict.verdict, rule: verdict.rule, reason: verdict.reason });
      // A subframe's own commit may be reported to another session (cross-site
      // frames run in their own process): its verdict counts from the request on.
      if (!mainFrame) this.limits.subframeDocument(limitsOf(verdict));
      if (verdict.verdict === 'block') return await this.fulfill(event, 403, blockPage(this.facts(url, verdict)), SANDBOXED_HTML);
      if (verdict.verdict === 'warn' && !acknowledged) {
        const token = this.deps.acks.issue(url, ackKey, verdict.rule);
        return await this.fulfill(event, 200, warnPage(this.facts(url, verdict), token), SANDBOXED_HTML);
      }
      await this.cdp.send('Fetch.continueRequest', { requestId: event.requestId });
    } catch {
      if (!mainFrame) this.limits.subframeDocument({ readOnly: true, capabilities: null });
      await this.fulfill(event, 403, blockPage({ url, ruleId: 'system:error', ruleName: 'Policy check failed', contact: this.deps.policy.contact() })).catch(() => undefined);
    }
  }

  /**
   * A document committed: it sets the page's limits (main frame) or tightens them
   * (subframe). A web document that passed no check is audited, and one whose
   * rule blocks or warns is loaded again so the guard answers it.
   */
  private async onCommitted(frame: CommittedFrame, cause: UncheckedCause): Promise<void> {
    const mainFrame = !frame.parentId;
    const judged = this.judged.get(frame.id);
    this.judged.delete(frame.id);
    if (hostOf(frame.url) === KEKKAI_INTERNAL_HOST) {
      // kekkai's own block and warning pages (the warning asks for a typed reason).
      if (mainFrame) this.limits.mainDocument({ readOnly: false, capabilities: null });
      return;
    }
    if (!/^https?:/i.test(frame.url)) {
      // blob:, data:, about:blank, srcdoc and error pages carry no rule of their own. The
      // page that made them must not shed its limits by moving into one: they stay, and
      // a blob: document also takes its origin's.
      const origin = blobOrigin(frame.url);
      let limits: ReturnType<typeof limitsOf> | null = null;
      try {
        limits = origin ? limitsOf(this.verdictFor(origin)) : null;
      } catch {
        limits = { readOnly: true, capabilities: null };
      }
      this.limits.derivedDocument(limits);
      return;
    }
    let verdict: Verdict;
    try {
      verdict = this.verdictFor(frame.url);
    } catch {
      // Fail closed: a page whose verdict is unknown takes no typing.
      const unknown = { readOnly: true, capabilities: null };
      if (mainFrame) this.limits.mainDocument(unknown);
      else this.limits.subframeDocument(unknown);
      return;
    }
    if (mainFrame) this.limits.mainDocument(limitsOf(verdict));
    else this.limits.subframeDocument(limitsOf(verdict));
    if (cause !== 'restored' && judged === frame.url) return;
    const url = frame.url + (frame.urlFragment ?? '');
    const acknowledged = verdict.verdict === 'warn' && this.deps.acks.has(this.ackKey(url, verdict));
    const why = cause === 'restored' ? 'restored from the back/forward cache' : 'loaded before the navigation check';
    this.deps.record({
      url,
      mainFrame,
      verdict: acknowledged ? 'warn-acknowledged' : verdict.verdict,
      rule: verdict.rule,
      reason: `${why}; ${verdict.reason}`,
    });
    if (verdict.verdict === 'block' || (verdict.verdict === 'warn' && !acknowledged)) await this.reload(frame, url);
  }

  /** Loads an unchecked document again through Fetch, so the block or warning page answers it. */
  private async reload(frame: CommittedFrame, url: string): Promise<void> {
    const key = `${frame.id}|${frame.url}`;
    const again = this.reloaded.has(key);
    this.reloaded.add(key);
    if (this.reloaded.size > 200) this.reloaded.delete(this.reloaded.values().next().value!);
    await this.cdp.send('Page.navigate', { url: again ? 'about:blank' : url, frameId: frame.id }).catch(() => undefined);
  }

  /** The warning page's form: record the reason, then go on to the original URL. */
  private async onContinue(event: PausedRequest, url: string, mainFrame: boolean): Promise<void> {
    const params = new URL(url).searchParams;
    const reason = (params.get('reason') ?? '').trim().slice(0, 500);
    const entry = reason ? this.deps.acks.redeem(params.get('t') ?? '') : null;
    if (!entry) {
      await this.fulfill(event, 400, blockPage({ url: '(invalid confirmation)', ruleId: null, ruleName: null, contact: this.deps.policy.contact() }));
      return;
    }
    this.deps.record({ url: entry.url, mainFrame, verdict: 'warn-acknowledged', rule: entry.rule, reason: 'user continued past a warning', userReason: reason });
    await this.fulfill(event, 200, continuePage(entry.url));
  }

  private facts(url: string, verdict: Verdict) {
    return { url: verdict.normalizedUrl ?? url, ruleId: verdict.rule?.id ?? null, ruleName: verdict.rule?.name ?? null, contact: this.deps.policy.contact() };
  }

  private async fulfill(event: PausedRequest, status: number, html: string, headers = HTML): Promise<void> {
    await this.cdp.send('Fetch.fulfillRequest', {
      requestId: event.requestId,
      responseCode: status,
      responseHeaders: headers,
      body: Buffer.from(html, 'utf8').toString('base64'),
    });
  }
}

/** `https://site/` for `blob:https://site/uuid`; null for anything else. */
function blobOrigin(url: string): string | null {
  if (!/^blob:/i.test(url)) return null;
  try {
    const origin = new URL(url).origin;
    return /^https?:/i.test(origin) ? `${origin}/` : null;
  } catch {
    return null;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
