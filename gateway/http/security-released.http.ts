/**
 * Originals the security team released, for the user who downloaded them. The
 * link is one-time and bound to that user's account: anyone else gets 404. Users
 * also ask for the release of their own blocked downloads here (the download
 * panel's 「解放を申請」); the request waits in the security console's approvals.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.js';
import type { QuarantineActions } from '../security/quarantine-actions.js';
import { requireCsrf } from './auth-guard.js';
import { contentDisposition } from './downloads.http.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';
import { actorOf, attachmentHeaders, bodyField, refusals } from './security-common.http.js';

export function registerReleasedRoutes(app: FastifyInstance, deps: { auth: AuthService; actions: QuarantineActions }): void {
  // For the viewer to poll (or show after a `quarantine-released` notice).
  app.get('/api/released', { config: { access: 'session' } }, async (req) => {
    const current = sessionOf(req);
    const files = deps.actions.releasedFor(current.user.id).map((r) => ({
      id: r.id,
      name: r.name,
      size: r.size,
      sha256: r.sha256,
      releasedAt: r.releasedAt,
      expiresAt: r.expiresAt,
      href: `/api/released/${r.token}`,
    }));
    return { files };
  });

  // Any signed-in account may ask, for its own blocked downloads only (checked by the service).
  app.post('/api/release-requests', { bodyLimit: 16 * 1024, config: { access: 'session' } }, async (req) => {
    const current = sessionOf(req);
    if (current.user.mustChangePassword) throw httpError('forbidden');
    requireCsrf(current, req);
    const release = await refusals(() => deps.actions.requestByUser(actorOf(current, req), bodyField(req, 'ref'), bodyField(req, 'reason')));
    return { request: { id: release.id, name: release.name, state: release.state, requestedAt: release.requestedAt } };
  });

  app.get('/api/released/:token', { config: { access: 'session' } }, async (req, reply) => {
    const current = sessionOf(req);
    const { token } = req.params as { token: string };
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) throw httpError('released-not-found');
    const file = await refusals(() => deps.actions.takeReleased(actorOf(current, req), token));
    if (!file) throw httpError('released-not-found');
    // The original is exactly what was blocked: never label it as anything a browser renders.
    return attachmentHeaders(reply, 'application/octet-stream', contentDisposition(file.name)).send(file.bytes);
  });
}
