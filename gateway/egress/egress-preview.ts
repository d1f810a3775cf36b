/**
 * The admin console's URL test box and `kekkai policy test`: what browsing does with an
 * address, computed by the functions enforcement runs (url-decision.ts) with the
 * destination checks built as the egress proxy builds them (egress-proxy.ts). Input is
 * read as the address bar reads it (address-input.ts): no scheme means https://, with
 * the http:// fallback tried when the https load fails at the connection.
 */
import { addressTarget } from '../browser/address-input.js';
import type { Decision } from './egress-decision.js';
import { egressDecisionDeps } from './egress-proxy.js';
import { decideNavigation, type BrowsingIdentity, type NavigationDecision, type PolicyJudge } from './url-decision.js';

export interface EgressPreviewConfig {
  allowPrivate: readonly string[];
  allowedPorts: readonly number[];
}

/** What a preview needs: the policy in force, the egress settings and the gateway's own ports. */
export interface PreviewDeps {
  readonly policy: PolicyJudge;
  readonly egress: EgressPreviewConfig;
  readonly ownPorts: readonly number[];
  /** Name resolution; default as the proxy's (dns.lookup, all addresses). */
  readonly resolve?: (host: string) => Promise<string[]>;
  readonly now?: Date;
}

/** The outcome of {@link previewAddress}. */
export interface AddressPreview {
  /** The URL judged: the entry as the address bar reads it (or its http:// fallback when that is what loads). */
  readonly testedUrl: string;
  /** 'https' when the entry had no scheme and https:// was assumed. */
  readonly assumedScheme: 'https' | null;
  /** False when the address bar would refuse the entry (a scheme other than http(s), about:blank); links can still try it. */
  readonly addressBar: boolean;
  readonly decision: NavigationDecision;
}

const RESOLVE_TIMEOUT_MS = 3000;

function hasScheme(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[^/:]+:\d+(?:[/?#]|$)/.test(text);
}

/** What browsing does with `input` typed in the address bar (or met as a link) for `identity`. */
export async function previewAddress(input: string, identity: BrowsingIdentity, deps: PreviewDeps): Promise<AddressPreview> {
  const destination = egressDecisionDeps({
    allowPrivate: deps.egress.allowPrivate,
    allowedPorts: deps.egress.allowedPorts,
    ownEndpoints: deps.ownPorts.map((port) => ({ port })),
    resolveTimeoutMs: RESOLVE_TIMEOUT_MS,
    ...(deps.resolve ? { resolve: deps.resolve } : {}),
  });
  const decide = (url: string) => decideNavigation(url, identity, { policy: deps.policy, allowPrivate: deps.egress.allowPrivate, destination, ...(deps.now ? { now: deps.now } : {}) });
  const text = input.trim();
  const target = addressTarget(text);
  const assumedScheme = !hasScheme(text) ? 'https' : null;
  if (!target) {
    // Not navigable from the address bar; judged as a link to it would be.
    const url = assumedScheme ? `https://${text}` : text;
    return { testedUrl: url, assumedScheme, addressBar: false, decision: await decide(url) };
  }
  const first = await decide(target.url);
  // A refused tunnel fails the https load at the connection: the address bar then tries http://.
  if (first.refusedBy === 'egress' && target.fallback) {
    const second = await decide(target.fallback);
    if (second.outcome !== 'block') return { testedUrl: target.fallback, assumedScheme, addressBar: true, decision: second };
  }
  return { testedUrl: target.url, assumedScheme, addressBar: true, decision: first };
}

/** The refusal in the admin's words, Japanese and English. */
export function describeRefusal(decision: Decision, host: string, allowedPorts: readonly number[]): { ja: string; en: string } {
  switch (decision.code) {
    case 'port':
      return { ja: `このポートへの接続は許可されていません（許可されているポート: ${allowedPorts.join(', ')}）。`, en: `${decision.reason} (allowed ports: ${allowedPorts.join(', ')}).` };
    case 'own-endpoint':
      return { ja: 'ゲートウェイ自身への接続のため、常に拒否されます。', en: 'This is the gateway itself; always refused.' };
    case 'address':
      return { ja: `${host} は内部・ループバック等のアドレス（${decision.addresses.join(', ')}）に解決されます。許可リスト（KEKKAI_EGRESS_ALLOW_PRIVATE）にないため拒否されます。`, en: `${decision.reason}.` };
    case 'resolve-failed':
      return { ja: `${host} はゲートウェイから名前解決できません（DNS を確認してください）。`, en: `${host} does not resolve from the gateway (check its DNS).` };
    default:
      return { ja: '拒否されます。', en: decision.reason };
  }
}
