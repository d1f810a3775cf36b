/**
 * The one hook-style check every admin and security route calls with the permission
 * it declares; the table of who holds which permission is gateway/auth/permissions.ts.
 */
import type { FastifyRequest } from 'fastify';
import type { AuthService, CurrentSession } from '../auth/auth-service.js';
import { hasPermission, type Permission } from '../auth/permissions.js';
import { requireCsrf, requireSession } from './auth-guard.js';
import { httpError } from './errors.js';

/**
 * Resolves the session and checks the permission (401 when signed out, 403 when
 * the role lacks it); state-changing methods also need the CSRF token.
 */
export function requirePermission(auth: AuthService, req: FastifyRequest, permission: Permission): CurrentSession {
  const current = requireSession(auth, req);
  if (current.user.mustChangePassword || !hasPermission(current.user.role, permission)) throw httpError('forbidden');
  if (req.method !== 'GET' && req.method !== 'HEAD') requireCsrf(current, req);
  return current;
}
