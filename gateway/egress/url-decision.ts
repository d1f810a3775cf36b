/**
 * One verdict for a URL, used by enforcement and by every preview of it.
 *
 * Browsing applies two layers: the navigation guard (CDP) judges a document URL against
 * the URL policy before Chromium fetches it, then Chromium's request reaches the
 * context's egress proxy, which resolves the name and applies the destination checks
 * (the gateway itself, allowed ports, denied address ranges) and the URL policy again
 * with the resolved addresses (egress-decision.ts). The functions here are those two
 * layers: the navigation guard calls {@link navigationVerdict}, the proxy's `decide`
 * hook is {@link egressPolicyDecision}, and {@link decideNavigation} chains them for the
 * admin console's test box and `kekkai policy test`, so a preview cannot drift from
 * what is enforced.
 */
import type { EvaluationContext, RuleAction, Verdict } from '../../policies/index.js';
import { checkDestination, egressRequestOf, type Decision, type DecisionDeps, type EgressRequest, type HookDecision } from './egress-decision.js';
import { parseConnectTarget, parseForwardTarget, type ProxyTarget } from './request-target.js';

/** The URL policy as the gateway sees it (the policy store implements it). */
export interface UrlPolicy {
  evaluate(url: string, ctx: EvaluationContext): Verdict;
  /** Contact line admins put on block pages. */
  contact(): string | null;
}

/** The part of the URL policy a decision needs. */
export type PolicyJudge = Pick<UrlPolicy, 'evaluate'>;

/** Who browses: the policy's scope keys. */
export interface BrowsingIdentity {
  readonly role: string | null;
  readonly sourceIp: string | null;
}

/** The navigation guard's verdict: the URL policy without resolved addresses. */
export function navigationVerdict(policy: PolicyJudge, identity: BrowsingIdentity, allowPrivate: readonly string[], url: string, now: Date = new Date()): Verdict {
  return policy.evaluate(url, { role: identity.role, sourceIp: identity.sourceIp, now, allowPrivate });
}

/**
 * The egress proxy's policy hook for one request: the URL policy on scheme, host, port,
 * (plain http only) path, and the resolved addresses. warn and read-only are decided per
 * navigation by the guard; a request fails here only on block.
 */
export function egressPolicyDecision(policy: PolicyJudge, identity: BrowsingIdentity, allowPrivate: readonly string[], req: EgressRequest, now: Date = new Date()): HookDecision {
  const host = req.host.includes(':') ? `[${req.host}]` : req.host;
  const verdict = policy.evaluate(`${req.scheme}://${host}:${req.port}${req.path ?? '/'}`, {
    role: identity.role,
    sourceIp: identity.sourceIp,
    now,
    resolvedAddresses: req.addresses,
    allowPrivate,
  });
  if (verdict.verdict === 'block') return { allow: false, reason: `${verdict.rule?.id ?? 'default'}: ${verdict.reason}` };
  return { allow: true, reason: verdict.reason };
}

/** The request Chromium sends the proxy for `url`: CONNECT for https/wss, an absolute-form request for http/ws. */
export function proxyRequestFor(url: string): { kind: 'connect' | 'http'; target: ProxyTarget } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'wss:';
  if (!secure && parsed.protocol !== 'http:' && parsed.protocol !== 'ws:') return null;
  if (secure) {
    const target = parseConnectTarget(`${parsed.hostname}:${parsed.port || 443}`);
    return target ? { kind: 'connect', target } : null;
  }
  parsed.hash = '';
  if (parsed.protocol === 'ws:') parsed.protocol = 'http:';
  const target = parseForwardTarget(parsed.href);
  return target ? { kind: 'http', target } : null;
}

/** The proxy's part of a decision: its checks and the policy hook, for the given identity. */
export type DestinationDeps = Omit<DecisionDeps, 'decide'>;

/** What enforcement does with a navigation to one URL. */
export interface NavigationDecision {
  /** What browsing gets: the guard's verdict unless the proxy refuses the destination. */
  readonly outcome: RuleAction;
  /** The navigation guard's verdict. */
  readonly verdict: Verdict;
  /** The proxy's decision; null when the guard blocked first or no proxy request is made (about:blank, refused schemes). */
  readonly egress: Decision | null;
  /** Which layer refused, if one did. A name that does not resolve is not a refusal: the page fails to load whatever the policy says. */
  readonly refusedBy: 'navigation' | 'egress' | null;
}

/** Both layers, in the order browsing applies them. */
export async function decideNavigation(
  url: string,
  identity: BrowsingIdentity,
  deps: { policy: PolicyJudge; allowPrivate: readonly string[]; destination: DestinationDeps; now?: Date },
): Promise<NavigationDecision> {
  const now = deps.now ?? new Date();
  const verdict = navigationVerdict(deps.policy, identity, deps.allowPrivate, url, now);
  if (verdict.verdict === 'block') return { outcome: 'block', verdict, egress: null, refusedBy: 'navigation' };
  const request = proxyRequestFor(url);
  if (!request) return { outcome: verdict.verdict, verdict, egress: null, refusedBy: null };
  const { target } = request;
  const egress = await checkDestination(egressRequestOf(request.kind, target), target.isIp, {
    ...deps.destination,
    decide: (r) => egressPolicyDecision(deps.policy, identity, deps.allowPrivate, r, now),
  });
  if (egress.allowed || egress.code === 'resolve-failed') return { outcome: verdict.verdict, verdict, egress, refusedBy: null };
  return { outcome: 'block', verdict, egress, refusedBy: 'egress' };
}
