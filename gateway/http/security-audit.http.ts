/** Audit log search, export (CSV UTF-8 with BOM, CSV Shift_JIS, JSON lines) and chain status. */
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { AUDIT_OUTCOMES, formatAuditTime } from '../audit/audit-event.js';
import { csvChunks, jsonLines } from '../audit/audit-export.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditQuery } from '../audit/audit-repository.js';
import type { AuthService } from '../auth/auth-service.js';
import { auditRange, int, oneOf, text, type Query } from '../security/console-query.js';
import { sessionOf } from './route-access.js';
import { actorOf, attachmentHeaders, refusals } from './security-common.http.js';

const FORMATS = {
  csv: { contentType: 'text/csv; charset=utf-8', ext: 'csv' },
  'csv-sjis': { contentType: 'text/csv; charset=Shift_JIS', ext: 'csv' },
  jsonl: { contentType: 'application/x-ndjson; charset=utf-8', ext: 'jsonl' },
} as const;
type Format = keyof typeof FORMATS;

/** The console's filters as an AuditQuery; refuses malformed values. */
export function auditQueryOf(q: Query): AuditQuery {
  const event = text(q, 'event', 64);
  const outcome = oneOf(q, 'outcome', AUDIT_OUTCOMES);
  return {
    ...auditRange(q),
    userName: text(q, 'user'),
    events: event ? [event] : undefined,
    outcomes: outcome ? [outcome] : undefined,
    text: text(q, 'q'),
  };
}

export function registerAuditRoutes(app: FastifyInstance, deps: { auth: AuthService; audit: AuditLog }): void {
  const { audit } = deps;

  app.get('/api/security/audit', { config: { permission: 'audit:read' } }, async (req) => {
    const q = req.query as Query;
    return refusals(() => {
      const query = auditQueryOf(q);
      const limit = int(q, 'limit', 1, 500, 50);
      const offset = int(q, 'offset', 0, 10_000_000, 0);
      return { ...audit.search(query, { limit, offset, order: 'desc' }), limit, offset };
    });
  });

  app.get('/api/security/audit/verify', { config: { permission: 'audit:read' } }, async () => {
    return audit.verify();
  });

  app.get('/api/security/audit/export', { config: { permission: 'audit:read' } }, async (req, reply) => {
    const current = sessionOf(req);
    const q = req.query as Query;
    const { format, query } = await refusals(() => ({ format: oneOf(q, 'format', Object.keys(FORMATS) as Format[]) ?? 'csv', query: auditQueryOf(q) }));
    // Fix the upper bound now so the export is exactly what was counted and audited.
    const bounded: AuditQuery = { ...query, to: query.to ?? formatAuditTime(new Date()) };
    const count = audit.count(bounded);
    const actor = actorOf(current, req);
    audit.record({
      event: 'audit-export',
      outcome: 'success',
      userId: actor.id,
      userName: actor.name,
      role: actor.role,
      sourceIp: actor.sourceIp,
      details: { format, count, filters: JSON.parse(JSON.stringify(query)) as Record<string, unknown> },
    });
    const records = audit.records(bounded);
    const body = format === 'jsonl' ? Readable.from(jsonLines(records)) : Readable.from(csvChunks(records, format === 'csv' ? 'utf8-bom' : 'shift_jis'));
    const stamp = formatAuditTime(new Date()).slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    const name = `kekkai-audit-${stamp}${format === 'csv-sjis' ? '-sjis' : ''}.${FORMATS[format].ext}`;
    return attachmentHeaders(reply, FORMATS[format].contentType, `attachment; filename="${name}"`).send(body);
  });
}
