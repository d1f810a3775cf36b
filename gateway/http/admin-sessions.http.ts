/** Live browser sessions (user, source address, current URL, since when) and terminating one. */
import type { FastifyInstance } from 'fastify';
import { auditChange, type AdminContext } from './admin-context.http.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';

export function registerSessionRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { sessions, browser, remoteWorkers } = ctx.deps;

  app.get('/api/admin/sessions', { config: { permission: 'sessions:read' } }, async () => {
    return { sessions: sessions.list().map((s) => s.summary()) };
  });

  app.post('/api/admin/sessions/:id/terminate', { config: { permission: 'sessions:terminate' } }, async (req) => {
    const current = sessionOf(req);
    const id = String((req.params as { id: string }).id);
    const session = sessions.get(id);
    if (!session) throw httpError('not-found');
    const summary = session.summary();
    await sessions.end(id, 'terminated');
    auditChange(ctx, current, req, 'session-terminated', { action: 'terminate', account: summary.user.name, sourceIp: summary.sourceIp, url: summary.url, since: summary.since });
    return { ok: true };
  });

  // Browser workers (docs/workers.md): load per worker; draining stops new placements.
  app.get('/api/admin/workers', { config: { permission: 'sessions:read' } }, async () => {
    return { inProcess: !browser.workers, workers: browser.workers?.() ?? [] };
  });

  app.post('/api/admin/workers/:id/drain', { config: { permission: 'sessions:terminate' } }, async (req) => {
    const current = sessionOf(req);
    const id = Number((req.params as { id: string }).id);
    const draining = (req.body as { draining?: unknown } | null)?.draining;
    if (typeof draining !== 'boolean') throw httpError('bad-request');
    if (!browser.drain?.(id, draining)) throw httpError('not-found');
    auditChange(ctx, current, req, 'worker-drain', { worker: id, draining });
    return { ok: true, workers: browser.workers?.() ?? [] };
  });

  // Remote workers that joined (docs/workers.md): listing them, revoking one's certificate.
  app.get('/api/admin/remote-workers', { config: { permission: 'sessions:read' } }, async () => {
    if (!remoteWorkers) return { enabled: false, port: null, caFingerprint: null, workers: [] };
    const workers = remoteWorkers.list().map(({ name, joinedAt, joinedFrom, lastSeenAt, revokedAt, tokenId }) => ({ name, joinedAt, joinedFrom, lastSeenAt, revokedAt, joinId: tokenId }));
    return { enabled: true, port: remoteWorkers.port(), caFingerprint: remoteWorkers.caFingerprint(), workers };
  });

  app.post('/api/admin/remote-workers/:name/revoke', { config: { permission: 'sessions:terminate' } }, async (req) => {
    const current = sessionOf(req);
    const name = String((req.params as { name: string }).name);
    if (!/^worker-[0-9a-f]{12}$/.test(name)) throw httpError('bad-request');
    if (!remoteWorkers?.revoke(name, { id: current.user.id, name: current.user.name, role: current.user.role, sourceIp: req.ip })) throw httpError('not-found');
    return { ok: true };
  });
}
