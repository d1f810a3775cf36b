/**
 * Resolves the sign-in session from the cookie and guards routes: authentication,
 * CSRF token for state-changing requests, and the Origin check that also protects
 * the WebSocket upgrade.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, CurrentSession } from '../auth/auth-service.js';
import { HttpError } from './errors.js';

export const SESSION_COOKIE = 'kekkai_sid';
export const CSRF_HEADER = 'x-kekkai-csrf';

/**
 * The request's sign-in session. The request must come from the address the
 * session signed in from, and that address must still be allowed for the account
 * (connection-source restriction is checked on every authenticated request).
 */
export function currentSession(auth: AuthService, req: FastifyRequest): CurrentSession | undefined {
  return auth.resolve(req.cookies[SESSION_COOKIE], req.ip);
}

export function requireSession(auth: AuthService, req: FastifyRequest): CurrentSession {
  const current = currentSession(auth, req);
  if (!current) throw new HttpError(401, 'unauthenticated');
  return current;
}

/**
 * Same-origin check: the Origin header, when present, must name this host.
 * Browsers send Origin on every cross-site POST and WebSocket, so a missing one
 * means a non-browser client; state-changing routes also need the CSRF token.
 */
export function isSameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** For POST/PUT/DELETE: same origin and the session's CSRF token in a header. */
export function requireCsrf(current: CurrentSession, req: FastifyRequest): void {
  if (!isSameOrigin(req) || req.headers[CSRF_HEADER] !== current.session.csrfToken) throw new HttpError(403, 'csrf-failed');
}

export function setSessionCookie(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: maxAgeSeconds });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
}
