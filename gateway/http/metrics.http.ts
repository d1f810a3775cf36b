/**
 * `GET /metrics` (Prometheus text format) for the configured scrapers only. No
 * authentication: the source address decides. trustProxy is off, so the address
 * is the TCP peer's, not a header a client could forge.
 */
import type { FastifyInstance } from 'fastify';
import { cidrContains, parseCidr, type Cidr } from '../../policies/index.js';
import type { Metrics } from '../ops/metrics.js';

export const DEFAULT_METRICS_ALLOW: readonly string[] = ['127.0.0.1/32', '::1/128'];

export interface MetricsRouteDeps {
  metrics: Pick<Metrics, 'text' | 'contentType'>;
  /** CIDRs allowed to scrape; default loopback only. An empty list refuses everyone. */
  metricsAllow?: readonly string[];
}

export function registerMetricsRoute(app: FastifyInstance, deps: MetricsRouteDeps): void {
  const allow = parseAllowList(deps.metricsAllow ?? DEFAULT_METRICS_ALLOW);
  app.get('/metrics', async (request, reply) => {
    const peer = request.socket.remoteAddress ?? request.ip;
    if (!allow.some((block) => cidrContains(block, peer))) {
      request.log.warn({ component: 'metrics', sourceIp: peer }, 'metrics scrape refused: source address not in metricsAllow');
      return reply.code(403).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('forbidden\n');
    }
    const body = await deps.metrics.text();
    return reply.header('cache-control', 'no-store').type('text/plain; version=0.0.4; charset=utf-8').send(body);
  });
}

/** Parses the allow list once at start; a bad entry is a configuration error. */
export function parseAllowList(entries: readonly string[]): Cidr[] {
  return entries.map((entry) => {
    const block = parseCidr(entry);
    if (!block) throw new Error(`metricsAllow: "${entry}" is not a CIDR such as 10.0.0.0/8`);
    return block;
  });
}
