/**
 * Resolves the sign-in session from the cookie and guards routes: authentication,
 * CSRF token for state-changing requests, and the Origin check that also protects
 * the WebSocket upgrade.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, CurrentSession } from '../auth/auth-service.js';
import { httpError } from './errors.js';

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
  if (!current) throw httpError('unauthenticated');
  return current;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The configured public origin (`publicUrl`), or null: see {@link expectedOrigin}. */
    kekkaiPublicOrigin: string | null;
  }
}

/** Makes the Origin checks compare with the configured public origin (`publicUrl`) when there is one. */
export function registerPublicOrigin(app: FastifyInstance, publicOrigin: string | undefined): void {
  app.decorate('kekkaiPublicOrigin', publicOrigin ?? null);
}

/**
 * The origin browsers use for this gateway: the configured public URL, else https://
 * plus the Host header (the browser put there what it connected to). Always https:
 * the listener is TLS, or plain HTTP behind a TLS-terminating proxy (the session
 * cookie is Secure, so a browser never signs in over http). Null when unknown.
 */
export function expectedOrigin(req: FastifyRequest): string | null {
  const configured = req.server.kekkaiPublicOrigin;
  if (configured) return configured;
  const host = req.headers.host;
  if (!host) return null;
  try {
    const url = new URL(`https://${host}`);
    return url.host === host.toLowerCase() || `${url.host}:443` === host.toLowerCase() ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * Same-origin check: the Origin header, when present, must equal the gateway's public
 * origin in scheme, host and port (an `http://` page of the same host, or another port
 * of it, is another origin). Browsers send Origin on every cross-site POST and
 * WebSocket, so a missing one means a non-browser client; state-changing routes also
 * need the CSRF token.
 */
export function isSameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const expected = expectedOrigin(req);
  if (expected === null) return false;
  try {
    return new URL(origin).origin === expected;
  } catch {
    return false;
  }
}

/** For POST/PUT/DELETE: same origin and the session's CSRF token in a header. */
export function requireCsrf(current: CurrentSession, req: FastifyRequest): void {
  if (!isSameOrigin(req) || req.headers[CSRF_HEADER] !== current.session.csrfToken) throw httpError('csrf-failed');
}

export function setSessionCookie(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: maxAgeSeconds });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
}
