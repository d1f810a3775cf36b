/** Sign-in, sign-out and "who am I" routes. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditSink } from '../audit/audit-setup.js';
import type { AuthService } from '../auth/auth-service.js';
import { HttpError } from './errors.js';
import { clearSessionCookie, currentSession, isSameOrigin, requireCsrf, requireSession, setSessionCookie } from './auth-guard.js';
import { pickLanguage } from './language.js';

const LoginBody = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });
const PasswordBody = z.object({ current: z.string().min(1).max(200), next: z.string().min(1).max(200) });

export interface AuthRoutesDeps {
  auth: AuthService;
  audit: AuditSink;
  sessionMaxAgeSeconds: number;
  /** Ends the user's browser session when they sign out. */
  endBrowserSession(sessionId: string): Promise<void>;
}

export function registerAuthRoutes(app: FastifyInstance, deps: AuthRoutesDeps): void {
  app.post('/api/login', { bodyLimit: 4096 }, async (req, reply) => {
    if (!isSameOrigin(req)) throw new HttpError(403, 'csrf-failed');
    const body = LoginBody.safeParse(req.body);
    if (!body.success) throw new HttpError(400, 'bad-request');
    const result = await deps.auth.login(body.data.username, body.data.password, req.ip);
    if ('failure' in result) {
      req.log.warn({ event: 'login', outcome: 'failure', reason: result.failure, sourceIp: req.ip }, 'sign-in refused');
      deps.audit.record({ userName: body.data.username.slice(0, 100), sourceIp: req.ip, event: 'login', outcome: 'failure', details: { reason: result.failure } });
      const status = result.failure === 'locked' ? 429 : 401;
      throw new HttpError(status, result.failure);
    }
    req.log.info({ event: 'login', outcome: 'success', userId: result.user.id, sourceIp: req.ip }, 'signed in');
    deps.audit.record({ userId: result.user.id, userName: result.user.name, role: result.user.role, sourceIp: req.ip, event: 'login', outcome: 'success' });
    setSessionCookie(reply, result.token, deps.sessionMaxAgeSeconds);
    return { ok: true, user: { name: result.user.name, role: result.user.role }, mustChangePassword: result.user.mustChangePassword };
  });

  app.post('/api/logout', async (req, reply) => {
    const current = requireSession(deps.auth, req);
    requireCsrf(current, req);
    await deps.endBrowserSession(current.session.idHash);
    deps.auth.logout(current.session.idHash);
    deps.audit.record({ userId: current.user.id, userName: current.user.name, role: current.user.role, sourceIp: req.ip, event: 'logout', outcome: 'success' });
    clearSessionCookie(reply);
    return { ok: true };
  });

  app.get('/api/me', async (req) => {
    const current = currentSession(deps.auth, req);
    if (!current) throw new HttpError(401, 'unauthenticated');
    const lang = pickLanguage((req.query as Record<string, unknown>).lang, req.headers['accept-language']);
    return {
      user: { name: current.user.name, role: current.user.role },
      csrfToken: current.session.csrfToken,
      mustChangePassword: current.user.mustChangePassword,
      lang,
    };
  });

  // Change one's own password; required before anything else after a one-time password.
  app.post('/api/password', { bodyLimit: 4096 }, async (req) => {
    const current = requireSession(deps.auth, req);
    requireCsrf(current, req);
    const body = PasswordBody.safeParse(req.body);
    if (!body.success) throw new HttpError(400, 'bad-request');
    const outcome = await deps.auth.changePassword(current.user, body.data.current, body.data.next);
    const who = { userId: current.user.id, userName: current.user.name, role: current.user.role, sourceIp: req.ip };
    if (outcome !== 'changed') {
      deps.audit.record({ ...who, event: 'password-change', outcome: 'failure', details: { reason: outcome } });
      throw new HttpError(outcome === 'wrong-password' ? 403 : 400, outcome);
    }
    deps.audit.record({ ...who, event: 'password-change', outcome: 'success' });
    return { ok: true };
  });
}
