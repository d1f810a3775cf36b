/** /healthz, /readyz and /metrics through Fastify's inject, with fake checks. */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerHealthRoutes } from '../../../gateway/http/health.http.js';
import { registerMetricsRoute } from '../../../gateway/http/metrics.http.js';
import { Metrics } from '../../../gateway/ops/metrics.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function healthApp(state: { chromium: boolean; store: boolean; clamd: boolean }, metrics?: Metrics): FastifyInstance {
  app = Fastify({ logger: false });
  registerHealthRoutes(app, {
    checks: { chromium: () => state.chromium, store: () => state.store, clamd: async () => state.clamd },
    clamdCacheMs: 0,
    ...(metrics ? { onClamdResult: (up: boolean) => metrics.clamdUp(up) } : {}),
  });
  return app;
}

describe('health routes', () => {
  it('/healthz answers ok while the process runs, whatever the components', async () => {
    const res = await healthApp({ chromium: false, store: false, clamd: false }).inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when everything is up and 503 without naming the failed component', async () => {
    const state = { chromium: true, store: true, clamd: true };
    const server = healthApp(state);
    const ok = await server.inject({ url: '/readyz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ready' });
    expect(ok.headers['cache-control']).toBe('no-store');

    for (const down of ['chromium', 'store', 'clamd'] as const) {
      Object.assign(state, { chromium: true, store: true, clamd: true, [down]: false });
      const res = await server.inject({ url: '/readyz' });
      expect(res.statusCode, down).toBe(503);
      expect(res.json()).toEqual({ status: 'not-ready' });
      expect(res.body).not.toMatch(/chromium|store|clamd|sqlite|version/i);
    }
  });

  it('feeds the clamd result to kekkai_clamd_up', async () => {
    const metrics = new Metrics({ processMetrics: false });
    await healthApp({ chromium: true, store: true, clamd: false }, metrics).inject({ url: '/readyz' });
    expect(await metrics.text()).toMatch(/^kekkai_clamd_up 0$/m);
  });
});

describe('/metrics', () => {
  function metricsApp(allow?: string[]): { server: FastifyInstance; metrics: Metrics } {
    const metrics = new Metrics({ activeSessions: () => 2 });
    app = Fastify({ logger: false });
    registerMetricsRoute(app, { metrics, ...(allow ? { metricsAllow: allow } : {}) });
    return { server: app, metrics };
  }

  it('serves Prometheus text to loopback by default', async () => {
    const { server, metrics } = metricsApp();
    metrics.frameSent(2048);
    metrics.download('blocked', 'infected');
    for (const remoteAddress of ['127.0.0.1', '::1']) {
      const res = await server.inject({ url: '/metrics', remoteAddress });
      expect(res.statusCode, remoteAddress).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.body).toMatch(/^kekkai_active_sessions 2$/m);
      expect(res.body).toMatch(/^kekkai_frame_bytes_sent_total 2048$/m);
      expect(res.body).toMatch(/^kekkai_downloads_total\{verdict="blocked",reason="infected"\} 1$/m);
      expect(res.body).toMatch(/^process_resident_memory_bytes /m);
    }
  });

  it('refuses addresses outside the allow list with 403 and no metrics', async () => {
    const { server } = metricsApp(['10.20.0.0/16']);
    const refused = await server.inject({ url: '/metrics', remoteAddress: '192.168.1.5' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('kekkai_');
    expect((await server.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(403);
    expect((await server.inject({ url: '/metrics', remoteAddress: '10.20.3.4' })).statusCode).toBe(200);
    // An IPv4-mapped IPv6 peer (dual-stack listener) matches its IPv4 block.
    expect((await server.inject({ url: '/metrics', remoteAddress: '::ffff:10.20.3.4' })).statusCode).toBe(200);
  });

  it('stops start-up on an invalid allow-list entry', () => {
    expect(() => metricsApp(['10.0.0.0/8', 'intranet'])).toThrow(/intranet/);
  });
});
