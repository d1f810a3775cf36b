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

/** One refused field, for the console to show next to it: which field and which rule. */
export interface FieldError {
  field: string;
  rule: 'number' | 'type' | 'pattern' | 'max' | 'min' | 'enum' | 'required' | 'custom';
  limit?: number;
}

/** zod's issues as field errors (first issue per field); no library wording reaches the user. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || '(body)';
    if (out.some((e) => e.field === field)) continue;
    let rule: FieldError['rule'] = 'custom';
    let limit: number | undefined;
    if (issue.code === 'invalid_type') rule = issue.received === 'undefined' ? 'required' : issue.expected === 'number' ? 'number' : 'type';
    else if (issue.code === 'invalid_string') rule = 'pattern';
    else if (issue.code === 'too_big') [rule, limit] = ['max', Number(issue.maximum)];
    else if (issue.code === 'too_small') [rule, limit] = ['min', Number(issue.minimum)];
    else if (issue.code === 'invalid_enum_value') rule = 'enum';
    out.push(limit === undefined ? { field, rule } : { field, rule, limit });
  }
  return out;
}

export function parseBody<S extends z.ZodTypeAny>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw httpError('bad-request', { body: { fieldErrors: fieldErrors(parsed.error) } });
  return parsed.data;
}

export function idParam(req: FastifyRequest): number {
  const id = Number((req.params as { id?: string }).id);
  if (!Number.isInteger(id) || id <= 0) throw httpError('bad-request');
  return id;
}

export type { JsonValue };
