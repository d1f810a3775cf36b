/**
 * Sign-in (password, then a TOTP code or enrolment when needed), sign-out,
 * "who am I" and password change. Every refusal is audited with its reason.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { JsonValue } from '../audit/audit-event.js';
import type { Actor } from '../actor.js';
import type { AuditSink } from '../audit/audit-setup.js';
import { recordAccountChange } from '../auth/account-audit.js';
import { passwordMinLength, type AuthService, type SignedIn } from '../auth/auth-service.js';
import type { FederationServices } from '../federation/federation-setup.js';
import type { Role, UserRecord } from '../store/repositories.js';
import type { Config } from '../config/config-schema.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';
import { clearSessionCookie, currentSession, expectedOrigin, isSameOrigin, requireCsrf, setSessionCookie } from './auth-guard.js';
import { pickLanguage } from './language.js';
import { auditRefusal, auditSignedIn, signInRefusal, who } from './sign-in-audit.js';

const LoginBody = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });
const CodeBody = z.object({ pendingToken: z.string().min(1).max(100), code: z.string().min(1).max(40) });
const PendingBody = z.object({ pendingToken: z.string().min(1).max(100) });
const PasswordBody = z.object({ current: z.string().min(1).max(200), next: z.string().min(1).max(200) });

export interface AuthRoutesDeps {
  auth: AuthService;
  audit: AuditSink;
  sessionMaxAgeSeconds: number;
  /** Ends the user's browser session when they sign out. */
  endBrowserSession(sessionId: string): Promise<void>;
  /** Federated sign-in: where an OIDC session's sign-out continues at the provider. */
  federation?: Pick<FederationServices, 'oidc'> | undefined;
  /** The on-screen watermark settings (config `watermark`); absent = none. */
  watermark?: Config['watermark'];
  /** The banner a recorded user sees (docs/recording.md), null when not recorded. */
  recordingBanner?: (role: Role) => string | null;
}

/** What the viewer draws as watermark for this user, or null: {user} and {address} filled in, {time} kept for the client's clock. */
export function watermarkFor(settings: Config['watermark'] | undefined, user: { name: string; role: Role }, address: string): { text: string; opacity: number; density: 'low' | 'normal' | 'high'; sites: string[] } | null {
  if (!settings?.enabled || !settings.roles.includes(user.role)) return null;
  const text = settings.text.replace(/\{(user|address)\}/g, (_, key: string) => (key === 'user' ? user.name : address));
  return { text, opacity: settings.opacity, density: settings.density, sites: [...settings.sites] };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw httpError('bad-request');
  return parsed.data;
}

function actorOf(user: UserRecord, req: FastifyRequest): Actor {
  return { id: user.id, name: user.name, role: user.role, sourceIp: req.ip };
}

export function registerAuthRoutes(app: FastifyInstance, deps: AuthRoutesDeps): void {
  const refuse = (req: FastifyRequest, reason: string, user: UserRecord | undefined, name?: string, details: Record<string, JsonValue> = {}): never => {
    auditRefusal(deps.audit, req, reason, user, name, details);
    throw signInRefusal(reason);
  };
  const signedIn = (req: FastifyRequest, reply: FastifyReply, result: SignedIn, extra: Record<string, unknown> = {}) => {
    auditSignedIn(deps.audit, req, result, Boolean(extra.recoveryCodes));
    setSessionCookie(reply, result.token, deps.sessionMaxAgeSeconds);
    return { ok: true, user: { name: result.user.name, role: result.user.role }, mustChangePassword: result.user.mustChangePassword, ...extra };
  };
  const sameOrigin = (req: FastifyRequest) => {
    if (!isSameOrigin(req)) throw httpError('csrf-failed');
  };

  app.post('/api/login', { bodyLimit: 4096, config: { access: 'public' } }, async (req, reply) => {
    sameOrigin(req);
    const body = parse(LoginBody, req.body);
    const result = await deps.auth.signIn(body.username, body.password, req.ip);
    if ('failure' in result) return refuse(req, result.failure, result.user, body.username, 'details' in result ? result.details : {});
    if ('pending' in result) {
      return result.pending === 'totp' ? { needsTotp: true, pendingToken: result.pendingToken } : { needsTotpEnrolment: true, pendingToken: result.pendingToken };
    }
    return signedIn(req, reply, result);
  });

  // Second step: a six-digit TOTP code or a recovery code.
  app.post('/api/login/totp', { bodyLimit: 4096, config: { access: 'public' } }, async (req, reply) => {
    sameOrigin(req);
    const body = parse(CodeBody, req.body);
    const result = deps.auth.verifyCode(body.pendingToken, body.code, req.ip);
    if ('failure' in result) return refuse(req, result.failure, result.user);
    return signedIn(req, reply, result);
  });

  // Forced enrolment of admin and security accounts, before their first session.
  app.post('/api/login/enrol/start', { bodyLimit: 4096, config: { access: 'public' } }, async (req) => {
    sameOrigin(req);
    const body = parse(PendingBody, req.body);
    const started = await deps.auth.beginPendingEnrolment(body.pendingToken, req.ip);
    if (!started) throw httpError('sign-in-expired');
    return started;
  });

  app.post('/api/login/enrol', { bodyLimit: 4096, config: { access: 'public' } }, async (req, reply) => {
    sameOrigin(req);
    const body = parse(CodeBody, req.body);
    const result = deps.auth.finishPendingEnrolment(body.pendingToken, body.code, req.ip);
    if ('failure' in result) return refuse(req, result.failure, result.user);
    const user = result.signedIn.user;
    recordAccountChange(deps.audit, { source: 'sign-in', actor: actorOf(user, req) }, { action: 'totp-enrol', account: user.name, accountId: user.id, before: { totpEnabled: false }, after: { totpEnabled: true } });
    return signedIn(req, reply, result.signedIn, { recoveryCodes: result.recoveryCodes });
  });

  // Optional second factor for any signed-in account (staff may turn it on themselves).
  app.post('/api/totp/start', { bodyLimit: 1024, config: { access: 'session' } }, async (req) => {
    const current = sessionOf(req);
    requireCsrf(current, req);
    if (!deps.auth.secondFactor) throw httpError('not-found');
    // Replacing an active factor goes through an admin reset, not a stolen session.
    if (current.user.totpEnabled) throw httpError('totp-already-active');
    return deps.auth.secondFactor.begin(current.user);
  });

  app.post('/api/totp/confirm', { bodyLimit: 1024, config: { access: 'session' } }, async (req) => {
    const current = sessionOf(req);
    requireCsrf(current, req);
    const body = parse(z.object({ code: z.string().min(1).max(40) }), req.body);
    if (!deps.auth.secondFactor) throw httpError('not-found');
    // As /start: an active factor is only replaced through an admin reset.
    if (current.user.totpEnabled) throw httpError('totp-already-active');
    const codes = deps.auth.secondFactor.finish(current.user, body.code);
    if (!codes) throw httpError('totp-confirm-invalid-code');
    const user = current.user;
    recordAccountChange(deps.audit, { source: 'account', actor: actorOf(user, req) }, { action: 'totp-enrol', account: user.name, accountId: user.id, before: { totpEnabled: user.totpEnabled }, after: { totpEnabled: true } });
    return { recoveryCodes: codes };
  });

  app.post('/api/logout', { config: { access: 'session' } }, async (req, reply) => {
    const current = sessionOf(req);
    requireCsrf(current, req);
    await deps.endBrowserSession(current.session.idHash);
    deps.auth.logout(current.session.idHash);
    // RP-initiated logout: the provider ends its own session too, then comes back to /login.
    const origin = expectedOrigin(req);
    const oidc = current.user.authSource === 'oidc' && origin ? deps.federation?.oidc : null;
    const logoutUrl = oidc ? await oidc.logoutUrl(current.session.idHash, `${origin}/login`) : null;
    deps.audit.record({ ...who(current.user, req), event: 'logout', outcome: 'success', ...(logoutUrl ? { details: { authSource: 'oidc', providerLogout: true } } : {}) });
    clearSessionCookie(reply);
    return { ok: true, ...(logoutUrl ? { logoutUrl } : {}) };
  });

  app.get('/api/me', { config: { access: 'session' } }, async (req) => {
    const current = currentSession(deps.auth, req);
    if (!current) throw httpError('unauthenticated');
    const lang = pickLanguage((req.query as Record<string, unknown>).lang, req.headers['accept-language']);
    return {
      user: { name: current.user.name, role: current.user.role, totpEnabled: current.user.totpEnabled },
      csrfToken: current.session.csrfToken,
      mustChangePassword: current.user.mustChangePassword,
      passwordMinLength: passwordMinLength(current.user),
      lang,
      watermark: watermarkFor(deps.watermark, current.user, req.ip),
      recording: deps.recordingBanner?.(current.user.role) ?? null,
    };
  });

  // Change one's own password; required before anything else after a one-time password.
  app.post('/api/password', { bodyLimit: 4096, config: { access: 'session' } }, async (req) => {
    const current = sessionOf(req);
    requireCsrf(current, req);
    const body = parse(PasswordBody, req.body);
    const outcome = await deps.auth.changePassword(current.user, body.current, body.next, { sourceIp: req.ip, keepSession: current.session.idHash });
    if (outcome !== 'changed') {
      deps.audit.record({ ...who(current.user, req), event: 'password-change', outcome: 'failure', details: { source: 'account', account: current.user.name, reason: outcome } });
      const code = outcome === 'password-rule' && current.user.totpEnabled ? 'password-rule-totp' : outcome;
      throw httpError(code === 'managed-externally' ? 'password-managed-externally' : code);
    }
    deps.audit.record({ ...who(current.user, req), event: 'password-change', outcome: 'success', details: { source: 'account', account: current.user.name, before: { mustChangePassword: current.user.mustChangePassword }, after: { mustChangePassword: false } } });
    return { ok: true };
  });
}
