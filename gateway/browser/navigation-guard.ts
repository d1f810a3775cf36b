/**
 * Navigation-level URL policy through CDP: every document request of a tab
 * (main frame and iframes) pauses at Fetch, is judged with the user's identity,
 * then continues, or is answered with the block page or the warning page. The
 * egress proxy judges every other request by host; this adds paths, `warn` and
 * `read-only`. Any failure here answers with the block page (fail closed).
 */
import { randomBytes } from 'node:crypto';
import type { CDPSession } from 'puppeteer';
import type { Verdict } from '../../policies/index.js';
import type { EgressIdentity, UrlPolicy } from '../egress/context-egress.js';
import { blockPage, continuePage, KEKKAI_INTERNAL_HOST, warnPage } from './block-page.js';

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
  identity: EgressIdentity;
  allowPrivate: readonly string[];
  acks: WarnAcknowledgements;
  record(entry: NavigationRecord): void;
}

interface PausedRequest {
  requestId: string;
  frameId: string;
  request: { url: string; urlFragment?: string };
}

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
  constructor(
    private readonly cdp: CDPSession,
    private readonly mainFrameId: () => string,
    private readonly deps: GuardDeps,
    private readonly onMainFrameVerdict: (verdict: Verdict) => void,
  ) {}

  async enable(): Promise<void> {
    this.cdp.on('Fetch.requestPaused', (event) => void this.onPaused(event as PausedRequest));
    await this.cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Request' }] });
  }

  private async onPaused(event: PausedRequest): Promise<void> {
    const url = event.request.url + (event.request.urlFragment ?? '');
    const mainFrame = event.frameId === this.mainFrameId();
    try {
      if (hostOf(url) === KEKKAI_INTERNAL_HOST) return await this.onContinue(event, url, mainFrame);
      const { identity } = this.deps;
      const verdict = this.deps.policy.evaluate(url, {
        role: identity.role,
        sourceIp: identity.sourceIp,
        now: new Date(),
        allowPrivate: this.deps.allowPrivate,
      });
      const ackKey = `${verdict.rule?.id ?? 'default'}|${hostOf(url)}`;
      const acknowledged = verdict.verdict === 'warn' && this.deps.acks.has(ackKey);
      this.deps.record({ url, mainFrame, verdict: acknowledged ? 'warn-acknowledged' : verdict.verdict, rule: verdict.rule, reason: verdict.reason });
      if (verdict.verdict === 'block') return await this.fulfill(event, 403, blockPage(this.facts(url, verdict)), SANDBOXED_HTML);
      if (verdict.verdict === 'warn' && !acknowledged) {
        const token = this.deps.acks.issue(url, ackKey, verdict.rule);
        return await this.fulfill(event, 200, warnPage(this.facts(url, verdict), token), SANDBOXED_HTML);
      }
      if (mainFrame) this.onMainFrameVerdict(verdict);
      await this.cdp.send('Fetch.continueRequest', { requestId: event.requestId });
    } catch {
      await this.fulfill(event, 403, blockPage({ url, ruleId: 'system:error', ruleName: 'Policy check failed', contact: this.deps.policy.contact() })).catch(() => undefined);
    }
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

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
