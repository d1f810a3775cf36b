/**
 * What the egress proxy would do with a URL, for the admin console's test box: the
 * same checks in the same order (gateway's own endpoints, port allow-list, denied
 * address ranges after resolving the name) as egress-decision.ts applies to real
 * requests, so what an admin tests is what browsing gets. The URL policy itself is
 * judged separately (policy-service.ts); this adds what lies outside it.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import { checkDestination, parseAllowList, type Decision } from './egress-decision.js';

export interface EgressPreviewConfig {
  allowPrivate: readonly string[];
  allowedPorts: readonly number[];
}

const RESOLVE_TIMEOUT_MS = 3000;

/** Adds `https://` to an address typed without a scheme ("www.mhlw.go.jp", "host:8443/x"), as the address bar does. */
export function withAssumedScheme(input: string): { url: string; assumed: boolean } {
  const text = input.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:(?!\d+(?:[/?#]|$))/i.test(text);
  if (hasScheme) return { url: text, assumed: false };
  return { url: `https://${text.replace(/^\/\//, '')}`, assumed: true };
}

/** The proxy's decision for an http(s) URL, or null for other schemes (the policy alone decides those). */
export async function previewEgress(url: string, config: EgressPreviewConfig, ownPorts: readonly number[]): Promise<Decision | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  const localAddresses = new Set(Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)));
  return checkDestination({ scheme: parsed.protocol === 'https:' ? 'https' : 'http', host, port }, isIP(host) !== 0, {
    allowPrivate: parseAllowList(config.allowPrivate),
    allowedPorts: new Set(config.allowedPorts),
    ownEndpoints: ownPorts.map((p) => ({ port: p })),
    localAddresses,
    resolve: (name) => withTimeout(lookup(name, { all: true, verbatim: true }).then((found) => found.map((a) => a.address)), RESOLVE_TIMEOUT_MS),
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
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
