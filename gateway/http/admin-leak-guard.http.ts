/**
 * The leak guard's rules (docs/leak-guard.md): read, replace (validated field by
 * field, audited with before/after) and try a text against the saved or a draft
 * policy without sending anything anywhere.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LEAK_CHANNELS, LeakGuardPolicySchema, scanForLeaks, strictestAction, type LeakGuardPolicy } from '../../policies/leak-guard.js';
import { parseBody, type AdminContext } from './admin-context.http.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';

/** Field-level problems for the console: `rules.2.pattern` → a code the console words in Japanese. */
function issuesOf(error: z.ZodError): Array<{ path: string; code: string }> {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code === 'custom' ? issue.message : issue.code }));
}

function parsePolicy(body: unknown): LeakGuardPolicy {
  const parsed = LeakGuardPolicySchema.safeParse(body);
  if (!parsed.success) throw httpError('leak-policy-invalid', { body: { issues: issuesOf(parsed.error) } });
  return parsed.data;
}

const TryBody = z.object({
  text: z.string().min(1).max(100_000),
  channel: z.enum(LEAK_CHANNELS),
  /** A draft policy to try instead of the saved one. */
  policy: z.unknown().optional(),
});

export function registerLeakGuardRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const guard = ctx.deps.leakGuard;

  app.get('/api/admin/leak-guard', { config: { permission: 'policy:read' } }, async () => guard.policy());

  app.put('/api/admin/leak-guard', { bodyLimit: 256 * 1024, config: { permission: 'policy:write' } }, async (req) => {
    const current = sessionOf(req);
    const next = parsePolicy(req.body);
    guard.update(next, { userId: current.user.id, userName: current.user.name, role: current.user.role, sourceIp: req.ip });
    return guard.policy();
  });

  app.post('/api/admin/leak-guard/try', { bodyLimit: 512 * 1024, config: { permission: 'policy:read' } }, async (req) => {
    const body = parseBody(TryBody, req.body);
    const policy = body.policy === undefined ? guard.policy() : parsePolicy(body.policy);
    const matches = scanForLeaks(policy, body.channel, body.text);
    return { action: strictestAction(matches), matches };
  });
}
