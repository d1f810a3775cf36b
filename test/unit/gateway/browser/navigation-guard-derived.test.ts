/**
 * A read-only page must not shed its limits by moving into a document it makes
 * itself (blob:, about:blank, data:) — no request passes the guard for those, so
 * the commit alone decides (review of issue 9, item 5).
 */
import { EventEmitter } from 'node:events';
import type { CDPSession } from 'puppeteer';
import { describe, expect, it } from 'vitest';
import { NavigationGuard, WarnAcknowledgements } from '../../../../gateway/browser/navigation-guard.js';
import { PageRestrictions } from '../../../../gateway/browser/page-restrictions.js';
import { DEFAULT_CAPABILITIES } from '../../../../policies/evaluate.js';
import type { Verdict } from '../../../../policies/index.js';

const READ_ONLY_HOST = 'ro.example.jp';

/** A CDP session that records commands; tests emit the events a tab would. */
class FakeCdp extends EventEmitter {
  readonly sent: Array<{ method: string; params: unknown }> = [];
  async send(method: string, params?: unknown): Promise<unknown> {
    this.sent.push({ method, params });
    return {};
  }
}

function guarded(): { cdp: FakeCdp; limits: PageRestrictions } {
  const cdp = new FakeCdp();
  const limits = new PageRestrictions();
  const verdict = (url: string): Verdict =>
    ({
      verdict: new URL(url).hostname === READ_ONLY_HOST ? 'read-only' : 'allow',
      capabilities: { ...DEFAULT_CAPABILITIES },
      rule: null,
      reason: 'test',
      normalizedUrl: url,
    }) as unknown as Verdict;
  const guard = new NavigationGuard(cdp as unknown as CDPSession, () => 'MAIN', {
    policy: { evaluate: verdict, contact: () => null },
    identity: { id: 1, name: 'nurse', role: 'staff', sourceIp: '10.0.0.5' },
    allowPrivate: [],
    acks: new WarnAcknowledgements(),
    record: () => undefined,
  }, limits);
  void guard.enable();
  return { cdp, limits };
}

const commit = (cdp: FakeCdp, url: string) => cdp.emit('Page.frameNavigated', { frame: { id: 'MAIN', url, loaderId: 'l', securityOrigin: '', mimeType: 'text/html' }, type: 'Navigation' });
const settle = () => new Promise((r) => setImmediate(r));

describe('documents a page makes itself', () => {
  for (const url of [`blob:https://${READ_ONLY_HOST}/3f1c9a7e-0000-4000-8000-000000000000`, 'about:blank', 'data:text/html,<input>', 'about:srcdoc']) {
    it(`keep a read-only page read-only after it moves to ${url.split(':')[0]}:`, async () => {
      const { cdp, limits } = guarded();
      commit(cdp, `https://${READ_ONLY_HOST}/form`);
      await settle();
      expect(limits.current.readOnly).toBe(true);
      commit(cdp, url);
      await settle();
      expect(limits.current.readOnly).toBe(true);
    });
  }

  it('a blob: document takes its origin’s limits even from an allowed page', async () => {
    const { cdp, limits } = guarded();
    commit(cdp, 'https://www.example.jp/');
    await settle();
    expect(limits.current.readOnly).toBe(false);
    commit(cdp, `blob:https://${READ_ONLY_HOST}/3f1c9a7e-0000-4000-8000-000000000000`);
    await settle();
    expect(limits.current.readOnly).toBe(true);
  });

  it('a new web page in the main frame is judged on its own again', async () => {
    const { cdp, limits } = guarded();
    commit(cdp, `https://${READ_ONLY_HOST}/form`);
    commit(cdp, 'about:blank');
    commit(cdp, 'https://www.example.jp/');
    await settle();
    expect(limits.current.readOnly).toBe(false);
  });
});

describe('a popup opened by a read-only page', () => {
  it('starts with its opener’s limits', () => {
    const limits = new PageRestrictions();
    limits.derivedDocument({ readOnly: true, capabilities: null });
    expect(limits.current.readOnly).toBe(true);
  });
});
