/**
 * URL policy editor: the document (ordered rules) as JSON for the rule editor, YAML
 * import and export, the "test a URL" box with shadowing of a new rule, categories,
 * version history with diff and rollback. Every edit is saved as a new YAML version
 * through PolicyService; a refused document changes nothing.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { describeRefusal, previewAddress } from '../egress/egress-preview.js';
import { stringify } from 'yaml';
import { z } from 'zod';
import { findShadowingRules, formatIssues, type Policy, type PolicyIssue } from '../../policies/index.js';
import { parsePolicyDocument } from '../policy-store/policy-document.js';
import type { SaveResult } from '../policy-store/policy-repository.js';
import type { CurrentSession } from '../auth/auth-service.js';
import { auditChange, parseBody, type AdminContext } from './admin-context.http.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';

const DocumentBody = z.object({ document: z.record(z.unknown()), comment: z.string().max(500).optional() });
const YamlBody = z.object({ yaml: z.string().min(1).max(2_000_000), comment: z.string().max(500).optional() });
const TestBody = z.object({
  url: z.string().min(1).max(4000),
  role: z.string().max(20).optional(),
  sourceIp: z.string().max(50).optional(),
  candidate: z.record(z.unknown()).optional(),
  position: z.number().int().min(0).optional(),
});
const RollbackBody = z.object({ version: z.number().int().positive() });
const CategoryBody = z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/), text: z.string().max(20_000_000) });

/** Refuses with 400 and the validation messages; nothing was stored. */
export function refusePolicy(_reply: FastifyReply, issues: readonly PolicyIssue[] | readonly string[]): never {
  const text = issues.map((i) => (typeof i === 'string' ? i : formatIssues([i]))).join('\n');
  throw httpError('policy-invalid', { params: { issues: text }, body: { issues: text.split('\n') } });
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

export function registerPolicyRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { policy } = ctx.deps;
  const storeCategories = () => new Set(ctx.deps.policy.categories().map((c) => c.name));
  const documentOf = (yaml: string): Policy | null => {
    const parsed = parsePolicyDocument(yaml, storeCategories());
    return parsed.ok ? parsed.policy : null;
  };
  /** Saves and audits; returns the reply body, or refuses with the issues. */
  const saveAudited = (reply: FastifyReply, current: CurrentSession, req: Parameters<typeof auditChange>[2], result: SaveResult, before: { version: number; yaml: string }, action: string) => {
    if (!result.ok) return refusePolicy(reply, result.issues);
    auditChange(ctx, current, req, 'policy-change', { action, before: { version: before.version, yaml: before.yaml }, after: { version: result.version.version, yaml: result.version.yaml } });
    return { version: result.version.version };
  };
  const meta = (current: CurrentSession, comment?: string) => ({ authorUserId: current.user.id, authorName: current.user.name, comment: comment ?? null });

  app.get('/api/admin/policy', { config: { permission: 'policy:read' } }, async () => {
    const record = policy.currentRecord();
    return { version: record.version, yaml: record.yaml, document: documentOf(record.yaml), categories: ctx.deps.policy.categories() };
  });

  app.put('/api/admin/policy/document', { config: { permission: 'policy:write' } }, async (req, reply) => {
    const current = sessionOf(req);
    const body = parseBody(DocumentBody, req.body);
    const before = policy.currentRecord();
    return saveAudited(reply, current, req, policy.save(stringify(body.document, { lineWidth: 0 }), meta(current, body.comment)), before, 'edit');
  });

  app.put('/api/admin/policy/yaml', { bodyLimit: 4 * 1024 * 1024, config: { permission: 'policy:write' } }, async (req, reply) => {
    const current = sessionOf(req);
    const body = parseBody(YamlBody, req.body);
    const before = policy.currentRecord();
    return saveAudited(reply, current, req, policy.save(body.yaml, meta(current, body.comment ?? 'YAML import')), before, 'import');
  });

  app.get('/api/admin/policy/export', { config: { permission: 'policy:read' } }, async (req, reply) => {
    const record = policy.currentRecord();
    return reply
      .type('application/yaml; charset=utf-8')
      .header('content-disposition', `attachment; filename="kekkai-policy-v${record.version}.yaml"`)
      .send(record.yaml);
  });

  app.post('/api/admin/policy/test', { config: { permission: 'policy:read' } }, async (req) => {
    const body = parseBody(TestBody, req.body);
    const identity = { role: body.role ?? null, sourceIp: body.sourceIp ?? null };
    const { egress: egressConfig } = ctx.deps.config;
    // What browsing does, by the functions enforcement runs (egress/url-decision.ts).
    const preview = await previewAddress(body.url, identity, { policy, egress: egressConfig, ownPorts: [req.socket.localPort ?? ctx.deps.config.port] });
    const { decision, testedUrl } = preview;
    // The policy's explanation (later matches, shadowing) of the same URL.
    const judged = policy.test(testedUrl, { ...identity, allowPrivate: egressConfig.allowPrivate });
    const egress = decision.egress;
    const result = {
      ...judged,
      verdict: decision.verdict,
      testedUrl,
      assumedScheme: preview.assumedScheme,
      addressBar: preview.addressBar,
      egress: egress ? { allowed: egress.allowed, code: egress.code, addresses: egress.addresses, message: egress.allowed ? null : describeRefusal(egress, hostOf(testedUrl), egressConfig.allowedPorts) } : null,
      effective: decision.outcome,
      refusedBy: decision.refusedBy,
    };
    if (!body.candidate) return { ...result, shadowedBy: [] };
    const parsed = parsePolicyDocument(stringify({ default: 'allow', rules: [body.candidate] }), storeCategories());
    if (!parsed.ok) throw httpError('bad-request');
    const compiled = policy.current().policy;
    const shadowedBy = findShadowingRules(compiled.rules, parsed.policy.rules[0]!, { position: body.position ?? compiled.rules.length, categories: compiled.categories });
    return { ...result, shadowedBy };
  });

  app.get('/api/admin/policy/versions', { config: { permission: 'policy:read' } }, async () => {
    return { versions: ctx.deps.policy.history(100) };
  });

  app.get('/api/admin/policy/diff', { config: { permission: 'policy:read' } }, async (req) => {
    const q = req.query as { from?: string; to?: string };
    const diff = ctx.deps.policy.diff(Number(q.from), Number(q.to));
    if (!diff) throw httpError('not-found');
    return { diff };
  });

  app.post('/api/admin/policy/rollback', { config: { permission: 'policy:write' } }, async (req, reply) => {
    const current = sessionOf(req);
    const body = parseBody(RollbackBody, req.body);
    if (!ctx.deps.policy.version(body.version)) throw httpError('not-found');
    const before = policy.currentRecord();
    return saveAudited(reply, current, req, policy.rollback(body.version, meta(current, `rollback to v${body.version}`)), before, 'rollback');
  });

  app.post('/api/admin/policy/categories', { bodyLimit: 24 * 1024 * 1024, config: { permission: 'policy:write' } }, async (req) => {
    const current = sessionOf(req);
    const body = parseBody(CategoryBody, req.body);
    const before = ctx.deps.policy.categories().find((c) => c.name === body.name) ?? null;
    const result = policy.importCategoryText(body.name, body.text, 'auto', 'admin console');
    auditChange(ctx, current, req, 'policy-change', { action: 'category-import', category: body.name, before: before ? { domains: before.domainCount } : null, after: { domains: result.domains, added: result.added, removed: result.removed } });
    return result;
  });
}
