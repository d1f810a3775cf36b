/** Quarantine review for the security team: list, detail, release, approval, delete, analysis ZIP. */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.js';
import { int, isoRange, oneOf, text, type Query } from '../security/console-query.js';
import type { QuarantineActions } from '../security/quarantine-actions.js';
import type { QuarantineIndex } from '../security/quarantine-search.js';
import type { ReleaseRecord, ReleaseRepository } from '../security/release-repository.js';
import { contentDisposition } from './downloads.http.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';
import { actorOf, attachmentHeaders, bodyField, refusals } from './security-common.http.js';

export interface QuarantineRouteDeps {
  auth: AuthService;
  index: QuarantineIndex;
  releases: ReleaseRepository;
  actions: QuarantineActions;
  needsSecondApproval: () => boolean;
}

/** What the console sees of a release: never the link's token. */
export function releaseView(r: ReleaseRecord): Omit<ReleaseRecord, 'token'> {
  const { token: _token, ...rest } = r;
  return rest;
}

export function registerQuarantineRoutes(app: FastifyInstance, deps: QuarantineRouteDeps): void {
  const { index, releases, actions } = deps;

  app.get('/api/security/quarantine', { config: { permission: 'quarantine:read' } }, async (req) => {
    const q = req.query as Query;
    return refusals(() => {
      const filter = {
        user: text(q, 'user'),
        verdict: oneOf(q, 'verdict', ['sanitized', 'blocked'] as const),
        reason: text(q, 'reason', 64),
        type: text(q, 'type', 100),
        text: text(q, 'q'),
        ...isoRange(q),
      };
      const limit = int(q, 'limit', 1, 200, 50);
      const offset = int(q, 'offset', 0, 1_000_000, 0);
      const page = index.search(filter, { limit, offset });
      return { ...page, offset, limit, facets: index.facets(), releaseNeedsSecondApproval: deps.needsSecondApproval() };
    });
  });

  app.get('/api/security/quarantine/:id', { config: { permission: 'quarantine:read' } }, async (req) => {
    const { id } = req.params as { id: string };
    const record = index.get(id);
    if (!record) throw httpError('quarantine-not-found');
    return { record, releases: releases.forQuarantine(id).map(releaseView), releaseNeedsSecondApproval: deps.needsSecondApproval() };
  });

  app.post('/api/security/quarantine/:id/release', { config: { permission: 'quarantine:act' } }, async (req) => {
    const current = sessionOf(req);
    const { id } = req.params as { id: string };
    const { release, scan } = await refusals(() => actions.requestRelease(actorOf(current, req), id, bodyField(req, 'justification')));
    return { release: releaseView(release), scan };
  });

  // A fresh antivirus scan with current signatures, shown before anyone releases or approves.
  app.post('/api/security/quarantine/:id/scan', { config: { permission: 'quarantine:act' } }, async (req) => {
    const { id } = req.params as { id: string };
    return { scan: await refusals(() => actions.scan(id)) };
  });

  app.post('/api/security/quarantine/:id/delete', { config: { permission: 'quarantine:act' } }, async (req) => {
    const current = sessionOf(req);
    const { id } = req.params as { id: string };
    await refusals(() => actions.delete(actorOf(current, req), id, bodyField(req, 'justification')));
    return { deleted: id };
  });

  app.post('/api/security/quarantine/:id/analysis-zip', { config: { permission: 'quarantine:act' } }, async (req, reply) => {
    const current = sessionOf(req);
    const { id } = req.params as { id: string };
    const { fileName, zip } = await refusals(() => actions.analysisZip(actorOf(current, req), id, bodyField(req, 'justification')));
    return attachmentHeaders(reply, 'application/zip', contentDisposition(fileName)).send(zip);
  });

  app.get('/api/security/releases', { config: { permission: 'quarantine:read' } }, async (req) => {
    const state = await refusals(() => oneOf(req.query as Query, 'state', ['pending', 'released', 'delivered', 'rejected', 'cancelled'] as const) ?? 'pending');
    return { releases: releases.byState(state).map(releaseView) };
  });

  for (const [verb, approve] of [['approve', true], ['reject', false]] as const) {
    app.post(`/api/security/releases/:id/${verb}`, { config: { permission: 'quarantine:act' } }, async (req) => {
      const current = sessionOf(req);
      const { id } = req.params as { id: string };
      const { release, scan } = await refusals(() => actions.decide(actorOf(current, req), id, approve, bodyField(req, 'justification')));
      return { release: releaseView(release), scan };
    });
  }
}
