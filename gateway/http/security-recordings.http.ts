/**
 * Session recordings for the security team (docs/recording.md): search, the data a
 * player needs, and a clip export with a reason. Every playback and export is audited
 * (`recording-view`, `recording-export`) with the recording's owner and time.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditSink } from '../audit/audit-setup.js';
import type { RecordingService } from '../recording/recording-service.js';
import type { RecordingSummary } from '../recording/recording-store.js';
import { clipRecords } from '../recording/recording-clip.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';
import { actorOf, attachmentHeaders } from './security-common.http.js';

const isoTime = z.string().datetime({ offset: true }).max(40);
const ListQuery = z.object({
  user: z.string().trim().max(100).optional(),
  site: z.string().trim().max(255).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const ExportBody = z.object({
  reason: z.string().trim().min(1).max(500),
  fromMs: z.number().int().min(0).max(0xffffffff).default(0),
  toMs: z.number().int().min(0).max(0xffffffff).optional(),
});
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function registerRecordingRoutes(app: FastifyInstance, deps: { audit: AuditSink; recording: RecordingService }): void {
  const { store } = deps.recording;
  const found = (id: string): RecordingSummary => {
    const summary = ID.test(id) ? store.get(id) : undefined;
    if (!summary) throw httpError('recording-not-found');
    return summary;
  };
  const owner = (r: RecordingSummary) => ({ recording: r.id, owner: r.userName, ownerRole: r.role, startedAt: r.startedAt });

  app.get('/api/security/recordings', { config: { permission: 'recordings:read' } }, async (req) => {
    const query = ListQuery.safeParse(req.query);
    if (!query.success) throw httpError('invalid-query');
    return { recordings: store.list(query.data) };
  });

  app.get('/api/security/recordings/:id/data', { config: { permission: 'recordings:read' } }, async (req, reply) => {
    const current = sessionOf(req);
    const summary = found((req.params as { id: string }).id);
    const data = await store.read(summary.id);
    if (!data) throw httpError('recording-not-found');
    const actor = actorOf(current, req);
    deps.audit.record({ userId: actor.id, userName: actor.name, role: actor.role, sourceIp: actor.sourceIp, event: 'recording-view', outcome: 'success', details: owner(summary) });
    return reply.header('content-type', 'application/octet-stream').header('cache-control', 'no-store').send(data);
  });

  // The access hook checks the CSRF token of this POST (route-access.ts).
  app.post('/api/security/recordings/:id/export', { bodyLimit: 8 * 1024, config: { permission: 'recordings:read' } }, async (req, reply) => {
    const current = sessionOf(req);
    const summary = found((req.params as { id: string }).id);
    const body = ExportBody.safeParse(req.body);
    if (!body.success) throw httpError('reason-required');
    const data = await store.read(summary.id);
    if (!data) throw httpError('recording-not-found');
    const clip = clipRecords(data, body.data.fromMs, body.data.toMs ?? 0xffffffff);
    const actor = actorOf(current, req);
    deps.audit.record({
      userId: actor.id,
      userName: actor.name,
      role: actor.role,
      sourceIp: actor.sourceIp,
      event: 'recording-export',
      outcome: 'success',
      details: { ...owner(summary), fromMs: body.data.fromMs, toMs: body.data.toMs ?? null, reason: body.data.reason, bytes: clip.byteLength },
    });
    return attachmentHeaders(reply, 'application/octet-stream', `attachment; filename="recording-${summary.id}.kekkai-rec"`).send(clip);
  });
}
