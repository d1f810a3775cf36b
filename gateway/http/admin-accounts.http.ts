/** Accounts: list, create, edit, disable, reset password or second factor, delete, revoke, unused report. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { endAccountSessions } from '../admin/account-sessions.js';
import { DEFAULT_UNUSED_DAYS } from '../admin/account-service.js';
import { validCidrs } from '../auth/source-ranges.js';
import { ROLES } from '../store/repositories.js';
import { auditChange, idParam, parseBody, type AdminContext } from './admin-context.http.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';

const NAME_RULE = /^[\p{L}\p{N}._@-]{1,64}$/u;
const cidrs = z.array(z.string().max(50)).max(50).refine(validCidrs, 'invalid CIDR');
const Profile = z.object({
  role: z.enum(ROLES),
  department: z.string().max(100).default(''),
  jobTitle: z.string().max(100).default(''),
  expiresOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().default(null),
  allowedSources: cidrs.default([]),
  disabled: z.boolean().default(false),
});
const CreateBody = Profile.extend({ name: z.string().regex(NAME_RULE), oneTimePassword: z.string().min(1).max(200) });
const PasswordBody = z.object({ oneTimePassword: z.string().min(1).max(200) });
const DaysBody = z.object({ days: z.number().int().min(1).max(3650).default(DEFAULT_UNUSED_DAYS) });

/** Ends an account's sign-in sessions and browser sessions at once. */
export async function revokeAccount(ctx: AdminContext, userId: number): Promise<{ signIns: number; browsers: number }> {
  return endAccountSessions(ctx.deps.auth, ctx.deps.sessions, userId);
}

function cidrError(req: FastifyRequest): void {
  const body = req.body as { allowedSources?: unknown } | undefined;
  if (Array.isArray(body?.allowedSources) && !validCidrs(body.allowedSources.map(String))) throw httpError('invalid-cidr');
}

export function registerAccountRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { auth } = ctx.deps;

  app.get('/api/admin/accounts', { config: { permission: 'accounts:read' } }, async () => {
    return { accounts: ctx.accounts.list() };
  });

  app.get('/api/admin/accounts/unused', { config: { permission: 'accounts:read' } }, async (req) => {
    const days = Number((req.query as { days?: string }).days ?? DEFAULT_UNUSED_DAYS);
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw httpError('bad-request');
    return { days, accounts: ctx.accounts.unused(days), disabledByDirectory: ctx.accounts.disabledByDirectory() };
  });

  app.post('/api/admin/accounts', { config: { permission: 'accounts:write' } }, async (req) => {
    const current = sessionOf(req);
    cidrError(req);
    const body = parseBody(CreateBody, req.body);
    const outcome = await ctx.accounts.create(body);
    if (!outcome.ok) throw httpError(outcome.reason);
    auditChange(ctx, current, req, 'account-change', { action: 'create', account: outcome.account.name, before: null, after: outcome.account });
    return { account: outcome.account };
  });

  app.put('/api/admin/accounts/:id', { config: { permission: 'accounts:write' } }, async (req) => {
    const current = sessionOf(req);
    const id = idParam(req);
    cidrError(req);
    const patch = parseBody(Profile.partial(), req.body);
    if (id === current.user.id && (patch.disabled === true || (patch.role && patch.role !== current.user.role))) throw httpError('cannot-change-self');
    const change = ctx.accounts.update(id, patch);
    if (!change) throw httpError('not-found');
    if (change === 'managed-externally') throw httpError('managed-externally');
    if (patch.disabled === true || patch.role !== undefined) await revokeAccount(ctx, id);
    auditChange(ctx, current, req, 'account-change', { action: 'update', account: change.after.name, ...change });
    return { account: change.after };
  });

  app.post('/api/admin/accounts/:id/password', { config: { permission: 'accounts:write' } }, async (req) => {
    const current = sessionOf(req);
    const id = idParam(req);
    const body = parseBody(PasswordBody, req.body);
    const before = ctx.accounts.get(id);
    const outcome = await ctx.accounts.resetPassword(id, body.oneTimePassword);
    if (outcome !== 'reset') throw httpError(outcome);
    await revokeAccount(ctx, id);
    const name = ctx.accounts.get(id)?.name ?? null;
    auditChange(ctx, current, req, 'account-change', { action: 'reset-password', account: name, before: { mustChangePassword: before?.mustChangePassword ?? null }, after: { mustChangePassword: true } });
    return { ok: true };
  });

  app.post('/api/admin/accounts/:id/totp-reset', { config: { permission: 'accounts:write' } }, async (req) => {
    const current = sessionOf(req);
    const id = idParam(req);
    const before = ctx.accounts.get(id);
    if (!before || !auth.secondFactor) throw httpError('not-found');
    auth.secondFactor.reset(id);
    await revokeAccount(ctx, id);
    auditChange(ctx, current, req, 'account-change', { action: 'reset-totp', account: before.name, before: { totpEnabled: before.totpEnabled }, after: { totpEnabled: false } });
    return { ok: true };
  });

  app.post('/api/admin/accounts/:id/revoke', { config: { permission: 'sessions:terminate' } }, async (req) => {
    const current = sessionOf(req);
    const id = idParam(req);
    const account = ctx.accounts.get(id);
    if (!account) throw httpError('not-found');
    const ended = await revokeAccount(ctx, id);
    auditChange(ctx, current, req, 'session-terminated', { action: 'revoke', account: account.name, ...ended });
    return ended;
  });

  app.delete('/api/admin/accounts/:id', { config: { permission: 'accounts:write' } }, async (req) => {
    const current = sessionOf(req);
    const id = idParam(req);
    if (id === current.user.id) throw httpError('cannot-change-self');
    await revokeAccount(ctx, id);
    const before = ctx.accounts.delete(id);
    if (!before) throw httpError('not-found');
    auditChange(ctx, current, req, 'account-change', { action: 'delete', account: before.name, before, after: null });
    return { ok: true };
  });

  app.post('/api/admin/accounts/disable-unused', { config: { permission: 'accounts:write' } }, async (req) => {
    const current = sessionOf(req);
    const { days } = parseBody(DaysBody, req.body ?? {});
    const unused = ctx.accounts.unused(days).filter((a) => a.id !== current.user.id);
    for (const account of unused) {
      ctx.accounts.update(account.id, { disabled: true });
      await revokeAccount(ctx, account.id);
    }
    auditChange(ctx, current, req, 'account-change', { action: 'disable-unused', days, accounts: unused.map((a) => a.name), before: { disabled: false }, after: { disabled: true } });
    return { disabled: unused.map((a) => a.name) };
  });
}
