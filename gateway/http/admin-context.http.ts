/** What the admin route modules share: services, and audited change records. */
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AccountService } from '../admin/account-service.js';
import type { FilePolicyService } from '../admin/file-policy-service.js';
import type { SettingsService } from '../admin/settings-service.js';
import type { AuditDetails, JsonValue } from '../audit/audit-event.js';
import type { CurrentSession } from '../auth/auth-service.js';
import type { ConsoleServices } from './console-deps.js';
import { httpError } from './errors.js';

export interface AdminContext {
  deps: ConsoleServices;
  accounts: AccountService;
  filePolicy: FilePolicyService;
  settings: SettingsService;
}

export type ChangeEvent = 'policy-change' | 'account-change' | 'settings-change' | 'session-terminated' | 'worker-drain';

/** Audits a change by the signed-in admin (source `console`) with what it was before and after. */
export function auditChange(ctx: AdminContext, current: CurrentSession, req: FastifyRequest, event: ChangeEvent, details: Record<string, unknown>): void {
  ctx.deps.audit.record({
    userId: current.user.id,
    userName: current.user.name,
    role: current.user.role,
    sourceIp: req.ip,
    event,
    outcome: 'success',
    details: JSON.parse(JSON.stringify({ source: 'console', ...details })) as AuditDetails,
  });
}

export function parseBody<S extends z.ZodTypeAny>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw httpError('bad-request');
  return parsed.data;
}

export function idParam(req: FastifyRequest): number {
  const id = Number((req.params as { id?: string }).id);
  if (!Number.isInteger(id) || id <= 0) throw httpError('bad-request');
  return id;
}

export type { JsonValue };
