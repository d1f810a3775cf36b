/**
 * `GET /healthz` (the process answers) and `GET /readyz` (Chromium, the store and
 * clamd are usable). No authentication, so the bodies say nothing an attacker
 * could use: no versions, no component names. Which component failed goes to the
 * server log.
 */
import type { FastifyInstance } from 'fastify';
import { Readiness, type ReadinessChecks, type ReadinessOptions } from '../ops/readiness.js';

export interface HealthRouteDeps extends ReadinessOptions {
  checks: ReadinessChecks;
}

export function registerHealthRoutes(app: FastifyInstance, deps: HealthRouteDeps): Readiness {
  const { checks, ...options } = deps;
  const readiness = new Readiness(checks, options);
  let lastFailed = '';

  app.get('/healthz', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (request, reply) => {
    const result = await readiness.check();
    void reply.header('cache-control', 'no-store');
    const failed = result.failed.join(',');
    // Log on changes only: a load balancer polling every few seconds would flood the log.
    if (failed !== lastFailed) {
      if (failed) request.log.warn({ component: 'readiness', failed: result.failed }, 'gateway not ready');
      else request.log.info({ component: 'readiness' }, 'gateway ready again');
      lastFailed = failed;
    }
    if (result.ready) return { status: 'ready' };
    return reply.code(503).send({ status: 'not-ready' });
  });
  return readiness;
}
