/**
 * Directory sign-in in the admin console (docs/directory-sign-in.md): status and
 * static settings, the role mapping (errors per row), 「接続テスト」, 「ユーザーを試す」
 * and running the sync now. Changes are audited.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { UserTestRefusal } from '../directory/directory-admin.js';
import { message, type MessageCode } from '../i18n/messages.js';
import { auditChange, parseBody, type AdminContext } from './admin-context.http.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';

const RoleMappingBody = z.object({ rules: z.array(z.object({ group: z.string().max(2000), role: z.string().max(20) })).max(1000) });
const TestUserBody = z.object({ username: z.string().min(1).max(256) });

const REFUSAL_CODES: Record<UserTestRefusal, MessageCode> = {
  'directory-disabled': 'directory-disabled',
  'no-mapped-group': 'no-mapped-group',
  'name-conflict': 'name-conflict',
  'external-name-invalid': 'external-name-invalid',
  disabled: 'disabled',
  'not-found': 'directory-user-not-found',
};

export function registerDirectoryRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { directory } = ctx.deps;
  const configured = () => {
    if (!directory.admin.status().configured) throw httpError('directory-not-configured');
  };

  app.get('/api/admin/directory', { config: { permission: 'directory:manage' } }, async () => {
    return { ...directory.admin.status(), kerberos: (await ctx.deps.kerberos?.status()) ?? null };
  });

  app.put('/api/admin/directory/role-mapping', { config: { permission: 'directory:manage' } }, async (req) => {
    const current = sessionOf(req);
    const { rules } = parseBody(RoleMappingBody, req.body);
    const saved = directory.admin.saveRoleMapping(rules);
    if (!saved.ok) {
      if (saved.tooMany) throw httpError('role-mapping-too-many');
      const fieldErrors = saved.problems.map((p) => ({ index: p.index, field: p.field, code: p.code, message: message(p.code) }));
      throw httpError('role-mapping-invalid', { body: { fieldErrors } });
    }
    auditChange(ctx, current, req, 'settings-change', { setting: 'roleMapping.ldap', before: saved.before, after: saved.after });
    return { roleMapping: saved.after };
  });

  app.post('/api/admin/directory/test-connection', { config: { permission: 'directory:manage' } }, async (req) => {
    configured();
    const result = await directory.admin.testConnection();
    if (result.ok) return { ...result, message: message('directory-connected', { url: result.url, ms: result.ms }) };
    req.log.warn({ component: 'directory', problem: result.problem, url: result.url, err: result.detail }, 'directory connection test failed');
    return { ok: false, problem: result.problem, url: result.url, message: message(`directory-problem-${result.problem}`) };
  });

  app.post('/api/admin/directory/test-user', { config: { permission: 'directory:manage' } }, async (req) => {
    configured();
    const { username } = parseBody(TestUserBody, req.body);
    try {
      const result = await directory.admin.testUser(username);
      return { ...result, message: result.refusal ? message(REFUSAL_CODES[result.refusal]) : null };
    } catch (err) {
      req.log.warn({ component: 'directory', err: (err as Error).message }, 'directory user test failed');
      throw httpError('directory-unavailable');
    }
  });

  app.post('/api/admin/directory/sync', { config: { permission: 'directory:manage' } }, async (req) => {
    const current = sessionOf(req);
    configured();
    const report = await directory.sync!.runNow({ id: current.user.id, name: current.user.name, role: current.user.role, sourceIp: req.ip });
    return { report, ...(report.problem ? { message: message(`directory-problem-${report.problem}` as MessageCode) } : {}) };
  });
}
