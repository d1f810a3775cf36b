/**
 * Upload of a local file into a remote file input. Off unless configured. The
 * file is written to the session's upload directory, hashed and logged (user,
 * site, name, size, SHA-256), then set on the remote input that asked for it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AuditSink } from '../audit/audit-setup.js';
import type { AuthService } from '../auth/auth-service.js';
import type { GatewaySession } from '../browser/local-browser.js';
import { safeUploadName, sessionUploadDir } from '../browser/upload-broker.js';
import type { LeakGuardService } from '../security/leak-guard-service.js';
import type { ExtractedText } from '../../sanitizer/text-extract.js';
import { requireCsrf } from './auth-guard.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';

export interface UploadRouteDeps {
  auth: AuthService;
  audit: AuditSink;
  enabled: boolean;
  maxBytes: number;
  uploadDir: string;
  /** The upload broker of the signed-in user's browser session. */
  findSession(id: string): Pick<GatewaySession, 'uploads'> | undefined;
  /** Patient-data check of the file's text before it reaches the page (docs/leak-guard.md). */
  leakGuard?: { service: LeakGuardService; extractText(bytes: Uint8Array): Promise<ExtractedText> };
}

/** Header carrying the user's reason for uploading a file a leak-guard rule warns about (percent-encoded UTF-8). */
export const LEAK_REASON_HEADER = 'x-kekkai-leak-reason';

function leakReason(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4000) return undefined;
  try {
    const reason = decodeURIComponent(value).trim();
    return reason.length > 0 ? reason.slice(0, 500) : undefined;
  } catch {
    return undefined;
  }
}

export function registerUploadRoute(app: FastifyInstance, deps: UploadRouteDeps): void {
  app.register(async (scoped) => {
    scoped.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: deps.maxBytes }, (_req, body, done) => done(null, body));
    scoped.post('/api/upload/:chooserId', { bodyLimit: deps.maxBytes, config: { access: 'session' } }, async (req) => {
      const current = sessionOf(req);
      requireCsrf(current, req);
      if (!deps.enabled) throw httpError('upload-disabled');
      const chooserId = Number((req.params as { chooserId: string }).chooserId);
      const session = deps.findSession(current.session.idHash);
      const target = Number.isInteger(chooserId) ? session?.uploads.target(chooserId) : null;
      if (!session || !target) throw httpError('not-found');
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw httpError('bad-request');
      const name = safeUploadName(String(req.headers['x-file-name'] ?? 'upload'));
      const guard = deps.leakGuard;
      if (guard?.service.guards('upload')) {
        const actor = { userId: current.user.id, userName: current.user.name, role: current.user.role, sourceIp: req.ip };
        const context = { site: target.url, fileName: name, reason: leakReason(req.headers[LEAK_REASON_HEADER]) };
        const extracted = await guard.extractText(body);
        if (extracted.kind === 'unreadable') {
          guard.service.unreadable(actor, { ...context, detail: extracted.detail });
          throw httpError('leak-unreadable');
        }
        if (extracted.kind === 'text') {
          const decision = guard.service.check('upload', extracted.text, actor, context);
          if (decision.verdict !== 'pass') {
            const rules = decision.ruleNames;
            const code = decision.verdict === 'block' ? 'leak-blocked' : 'leak-warning';
            throw httpError(code, { params: { rules: rules.join('、') }, body: { rules } });
          }
        }
      }
      const dir = path.join(sessionUploadDir(deps.uploadDir, current.session.idHash), randomBytes(12).toString('hex'));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, name);
      await writeFile(file, body, { mode: 0o600 });
      const sha256 = createHash('sha256').update(body).digest('hex');
      if (!(await session.uploads.complete(chooserId, [file]))) {
        // The chooser was cancelled or its tab closed meanwhile: nothing was uploaded.
        await rm(dir, { recursive: true, force: true });
        throw httpError('not-found');
      }
      deps.audit.record({
        userId: current.user.id,
        userName: current.user.name,
        role: current.user.role,
        sourceIp: req.ip,
        event: 'upload',
        outcome: 'success',
        details: { site: target.url, name, size: body.length, sha256 },
      });
      return { ok: true, name, size: body.length, sha256 };
    });
  });
}
