/**
 * One egress proxy per browser context. Chromium sends every request of the
 * context through it (per-context --proxy-server), so each request is judged with
 * the identity of the user the context belongs to: role, source address and time
 * for URL policy, on top of the address checks every request gets. A context from
 * the warm pool has no identity yet and reaches nothing until it is assigned.
 */
import type { Actor } from '../actor.js';
import { startEgressProxy, type EgressDecisionEvent } from './egress-proxy.js';
import { egressPolicyDecision, type UrlPolicy } from './url-decision.js';

export type { UrlPolicy } from './url-decision.js';

export interface ContextEgressDeps {
  policy: UrlPolicy;
  allowPrivate: readonly string[];
  allowedPorts: readonly number[];
  /** The gateway's own listening ports: never reachable from the remote browser. */
  ownPorts: () => readonly number[];
  onRefusal: (identity: Actor | null, event: EgressDecisionEvent) => void;
  resolve?: (host: string) => Promise<string[]>;
}

export class ContextEgress {
  private identity: Actor | null = null;

  private constructor(private readonly proxy: { host: string; port: number; close(): Promise<void> }) {}

  static async start(deps: ContextEgressDeps): Promise<ContextEgress> {
    let self: ContextEgress | null = null;
    const proxy = await startEgressProxy({
      allowPrivate: deps.allowPrivate,
      allowedPorts: deps.allowedPorts,
      ownEndpoints: deps.ownPorts().map((port) => ({ port })),
      ...(deps.resolve ? { resolve: deps.resolve } : {}),
      decide: (req) => {
        const identity = self?.identity;
        if (!identity) return { allow: false, reason: 'browser context not assigned to a user' };
        return egressPolicyDecision(deps.policy, identity, deps.allowPrivate, req);
      },
      onDecision: (event) => {
        if (!event.allowed) deps.onRefusal(self?.identity ?? null, event);
      },
    });
    self = new ContextEgress(proxy);
    return self;
  }

  /** The proxy address for Chromium's per-context proxyServer. */
  get proxyServer(): string {
    return `http://${this.proxy.host}:${this.proxy.port}`;
  }

  assign(identity: Actor): void {
    this.identity = identity;
  }

  close(): Promise<void> {
    this.identity = null;
    return this.proxy.close();
  }
}

/** The browser-wide proxy: refuses everything (only per-context proxies carry traffic). */
export async function startDenyAllProxy(): Promise<{ proxyServer: string; close(): Promise<void> }> {
  const proxy = await startEgressProxy({ decide: () => ({ allow: false, reason: 'no browser context' }) });
  return { proxyServer: `${proxy.host}:${proxy.port}`, close: () => proxy.close() };
}
