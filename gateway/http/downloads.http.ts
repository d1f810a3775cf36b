/**
 * One-time links for sanitized downloads. The token alone is not enough: the
 * request must come with the sign-in session whose browser session made the
 * download. The file is sent once, as an attachment, never as something the
 * browser could render in our origin, streamed from disk (never held in memory).
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService, CurrentSession } from '../auth/auth-service.js';
import type { ReleasedFile } from '../downloads/download-manager.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';

export interface DownloadRouteDeps {
  auth: AuthService;
  downloads: { take(token: string, sessionId: string): Promise<ReleasedFile | undefined> };
  /** The browser-session id the DownloadManager knows this sign-in by (default: the auth session's idHash). */
  findSessionId?: (current: CurrentSession) => string | undefined;
}

// Types a browser might render or run in our origin are never labelled as such.
const ACTIVE_TYPES = /html|xml|javascript|ecmascript|svg|xsl|x-shockwave|multipart/i;

/** The Content-Type to send: the verdict's when it is plain and inert, else octet-stream. */
export function safeContentType(mime: string): string {
  const [base = '', ...params] = mime.split(';').map((p) => p.trim().toLowerCase());
  if (!/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/.test(base) || ACTIVE_TYPES.test(base)) return 'application/octet-stream';
  const charset = params.includes('charset=utf-8') ? '; charset=utf-8' : '';
  return base + charset;
}

/** `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(name: string): string {
  const clean = name.replace(/[\p{Cc}\p{Cf}/\\]/gu, '_').trim() || 'download';
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(clean)?.[0] ?? '';
  let ascii = clean.replace(/[^\x20-\x7e]/g, '_').replace(/["%;]/g, '_');
  if (/^[_\s.]*$/.test(ascii.slice(0, ascii.length - ext.length))) ascii = `download${ext}`;
  const encoded = encodeURIComponent(clean).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function registerDownloadRoutes(app: FastifyInstance, deps: DownloadRouteDeps): void {
  const sessionIdOf = deps.findSessionId ?? ((c: CurrentSession) => c.session.idHash);
  app.get('/api/downloads/:token', { config: { access: 'session' } }, async (req, reply) => {
    const current = sessionOf(req);
    const { token } = req.params as { token: string };
    const sessionId = sessionIdOf(current);
    const file = sessionId === undefined ? undefined : await deps.downloads.take(token, sessionId);
    if (!file) throw httpError('download-not-found');
    req.log.info({ event: 'download-released', userId: current.user.id, user: current.user.name, name: file.name, size: file.size }, 'sanitized file sent');
    return reply
      .header('content-type', safeContentType(file.mimeType))
      .header('content-disposition', contentDisposition(file.name))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-length', String(file.size))
      // Streamed from disk; the file was unlinked when it was opened.
      .send(file.stream);
  });
}
