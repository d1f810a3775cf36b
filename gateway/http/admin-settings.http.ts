/**
 * Operator settings: block-page contact line (saved as the URL policy's `contact`,
 * as a new policy version), idle timeout, tab cap and source ranges per role.
 */
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import { z } from 'zod';
import { validCidrs } from '../auth/source-ranges.js';
import { parsePolicyDocument } from '../policy-store/policy-document.js';
import { auditChange, parseBody, type AdminContext } from './admin-context.http.js';
import { refusePolicy } from './admin-policy.http.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';

const ranges = z.array(z.string().max(50)).max(50);
const SettingsBody = z.object({
  contact: z.string().max(300).nullable().optional(),
  idleTimeoutSeconds: z.number().int().min(30).max(86_400).optional(),
  maxTabs: z.number().int().min(1).max(50).optional(),
  sourceRanges: z.object({ staff: ranges.optional(), admin: ranges.optional(), security: ranges.optional() }).optional(),
});

export function registerSettingsRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { policy } = ctx.deps;
  const contact = () => policy.current().policy.contact ?? null;

  app.get('/api/admin/settings', { config: { permission: 'settings:write' } }, async () => {
    return { ...ctx.settings.get(), contact: contact() };
  });

  app.put('/api/admin/settings', { config: { permission: 'settings:write' } }, async (req, reply) => {
    const current = sessionOf(req);
    const body = parseBody(SettingsBody, req.body);
    const lists = Object.values(body.sourceRanges ?? {}).flat();
    if (!validCidrs(lists)) throw httpError('invalid-cidr');
    const beforeContact = contact();
    if (body.contact !== undefined && (body.contact || null) !== beforeContact) {
      const record = policy.currentRecord();
      const parsed = parsePolicyDocument(record.yaml, new Set(ctx.deps.policy.categories().map((c) => c.name)));
      if (!parsed.ok) return refusePolicy(reply, parsed.issues);
      const doc: Record<string, unknown> = { ...parsed.policy };
      if (body.contact) doc.contact = body.contact;
      else delete doc.contact;
      const saved = policy.save(stringify(doc, { lineWidth: 0 }), { authorUserId: current.user.id, authorName: current.user.name, comment: 'contact line' });
      if (!saved.ok) return refusePolicy(reply, saved.issues);
    }
    const { before, after } = ctx.settings.update(body);
    auditChange(ctx, current, req, 'settings-change', { before: { ...before, contact: beforeContact }, after: { ...after, contact: contact() } });
    return { ...after, contact: contact() };
  });
}
