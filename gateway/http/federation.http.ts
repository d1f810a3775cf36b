/**
 * Federated sign-in routes (docs/federated-sign-in.md): the login page's buttons,
 * OpenID Connect (start → provider → callback) and SAML (start → IdP → ACS, metadata).
 *
 * The browser that started a sign-in must be the one that finishes it: the start
 * sets an HttpOnly cookie naming the flow (SameSite=Lax for the OIDC callback, a GET
 * from the provider; SameSite=None for the SAML ACS, a cross-site POST), and the
 * answer is checked against that flow only. The callback does not answer the login
 * page directly: it records the outcome — session cookie set, a TOTP step, or a
 * refusal — in a short-lived cookie and sends the browser to /login?external=1,
 * whose script asks POST /api/login/external for it (same-site, so the session
 * cookie, SameSite=Strict, is sent from then on). Every outcome is audited as a
 * `login` with its source.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditSink } from '../audit/audit-setup.js';
import type { AuthService, SignInResult } from '../auth/auth-service.js';
import type { ExternalIdentity } from '../auth/external/external-identity.js';
import { FederationError } from '../federation/federation-error.js';
import type { FederatedSource, FederationServices } from '../federation/federation-setup.js';
import { expectedOrigin, isSameOrigin, setSessionCookie } from './auth-guard.js';
import { httpError } from './errors.js';
import { auditRefusal, auditSignedIn, isSignInRefusal, signInRefusal } from './sign-in-audit.js';

const FLOW_COOKIE: Record<FederatedSource, { name: string; path: string; sameSite: 'lax' | 'none' }> = {
  oidc: { name: 'kekkai_oidc', path: '/auth/oidc', sameSite: 'lax' },
  saml: { name: 'kekkai_saml', path: '/auth/saml', sameSite: 'none' },
};
const OUTCOME_COOKIE = 'kekkai_signin';
const OUTCOME_PATH = '/api/login/external';
const FLOW_SECONDS = 600;
const OUTCOME_SECONDS = 300;
/** SAML responses with many group values are large; nothing else is posted there. */
const ACS_BODY_LIMIT = 512 * 1024;

export interface FederationRoutesDeps {
  auth: AuthService;
  audit: AuditSink;
  federation: FederationServices | undefined;
  sessionMaxAgeSeconds: number;
  /** The login page tries Kerberos single sign-on first (docs/kerberos-sign-in.md). */
  kerberos?: boolean;
}

type Outcome = { kind: 'done' } | { kind: 'pending'; step: 'totp' | 'enrol'; token: string } | { kind: 'error'; code: string };

function encodeOutcome(o: Outcome): string {
  return o.kind === 'done' ? 'done' : o.kind === 'pending' ? `pending.${o.step}.${o.token}` : `error.${o.code}`;
}

function decodeOutcome(value: string | undefined): Outcome | null {
  if (value === 'done') return { kind: 'done' };
  const pending = /^pending\.(totp|enrol)\.([\w-]{1,100})$/.exec(value ?? '');
  if (pending) return { kind: 'pending', step: pending[1] as 'totp' | 'enrol', token: pending[2]! };
  const error = /^error\.([a-z-]{1,60})$/.exec(value ?? '');
  return error && isSignInRefusal(error[1]!) ? { kind: 'error', code: error[1]! } : null;
}

export function registerFederationRoutes(app: FastifyInstance, deps: FederationRoutesDeps): void {
  const { federation } = deps;

  app.get('/api/login/providers', { config: { access: 'public' } }, async () => ({ providers: federation?.providers() ?? [], kerberos: Boolean(deps.kerberos) }));

  /** Where the browser goes after the provider: the outcome in a cookie, then the login page. */
  const toLoginPage = (reply: FastifyReply, outcome: Outcome) => {
    reply.setCookie(OUTCOME_COOKIE, encodeOutcome(outcome), { httpOnly: true, secure: true, sameSite: 'lax', path: OUTCOME_PATH, maxAge: OUTCOME_SECONDS });
    return reply.code(303).redirect('/login?external=1');
  };

  const refuseFederation = (req: FastifyRequest, reply: FastifyReply, source: FederatedSource, err: unknown) => {
    const e = err instanceof FederationError ? err : new FederationError('invalid-response', (err as Error).message);
    req.log.warn({ component: 'federation', source, problem: e.problem, err: e.detail }, 'federated sign-in failed');
    const reason = `federation-${e.problem}`;
    auditRefusal(deps.audit, req, reason, undefined, undefined, { authSource: source, problem: e.problem, detail: e.detail.slice(0, 500) });
    return toLoginPage(reply, { kind: 'error', code: reason });
  };

  /** The shared completion path, then the same audit records as a password sign-in. */
  const complete = async (req: FastifyRequest, reply: FastifyReply, identity: ExternalIdentity, onSession?: (sessionIdHash: string) => void) => {
    const result: SignInResult = await federation!.externalSignIn.complete(identity, req.ip);
    if ('failure' in result) {
      auditRefusal(deps.audit, req, result.failure, result.user, identity.loginName, { authSource: identity.source, ...(result.details ?? {}) });
      return toLoginPage(reply, { kind: 'error', code: result.failure });
    }
    if ('pending' in result) return toLoginPage(reply, { kind: 'pending', step: result.pending, token: result.pendingToken });
    auditSignedIn(deps.audit, req, result);
    onSession?.(result.session.idHash);
    setSessionCookie(reply, result.token, deps.sessionMaxAgeSeconds);
    return toLoginPage(reply, { kind: 'done' });
  };

  const origin = (req: FastifyRequest): string => {
    const o = expectedOrigin(req);
    if (!o) throw httpError('bad-request');
    return o;
  };
  const provider = <T>(service: T | null | undefined): T => {
    if (!service) throw httpError('federation-not-configured');
    return service;
  };
  const startWith = async (req: FastifyRequest, reply: FastifyReply, source: FederatedSource, start: () => Promise<{ flowId: string; url: string }>) => {
    let started;
    try {
      started = await start();
    } catch (err) {
      return refuseFederation(req, reply, source, err);
    }
    const c = FLOW_COOKIE[source];
    reply.setCookie(c.name, started.flowId, { httpOnly: true, secure: true, sameSite: c.sameSite, path: c.path, maxAge: FLOW_SECONDS });
    return reply.code(303).redirect(started.url);
  };
  const takeFlow = (req: FastifyRequest, reply: FastifyReply, source: FederatedSource): string | undefined => {
    const c = FLOW_COOKIE[source];
    reply.clearCookie(c.name, { httpOnly: true, secure: true, sameSite: c.sameSite, path: c.path });
    return req.cookies[c.name];
  };

  app.get('/auth/oidc/start', async (req, reply) => {
    const oidc = provider(federation?.oidc);
    const redirectUri = `${origin(req)}/auth/oidc/callback`;
    return startWith(req, reply, 'oidc', () => oidc.start(redirectUri));
  });

  app.get('/auth/oidc/callback', async (req, reply) => {
    const oidc = provider(federation?.oidc);
    const flowId = takeFlow(req, reply, 'oidc');
    const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
    let finished;
    try {
      finished = await oidc.finish(flowId, query);
    } catch (err) {
      return refuseFederation(req, reply, 'oidc', err);
    }
    return complete(req, reply, finished.identity, (hash) => oidc.rememberSession(hash, finished.idToken));
  });

  app.get('/auth/saml/start', async (req, reply) => {
    const saml = provider(federation?.saml);
    const acsUrl = `${origin(req)}/auth/saml/acs`;
    return startWith(req, reply, 'saml', () => saml.start(acsUrl));
  });

  app.get('/auth/saml/metadata', async (req, reply) => {
    const saml = provider(federation?.saml);
    return reply.type('application/samlmetadata+xml; charset=utf-8').send(saml.metadata(`${origin(req)}/auth/saml/acs`));
  });

  // The IdP's HTTP-POST binding is a form post: parsed here only, not on the JSON routes.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: ACS_BODY_LIMIT }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    scope.post('/auth/saml/acs', { bodyLimit: ACS_BODY_LIMIT }, async (req, reply) => {
      const saml = provider(federation?.saml);
      const flowId = takeFlow(req, reply, 'saml');
      const samlResponse = (req.body as Record<string, unknown> | undefined)?.SAMLResponse;
      let identity;
      try {
        if (typeof samlResponse !== 'string' || !samlResponse) throw new FederationError('invalid-response', 'no SAMLResponse in the form');
        identity = await saml.finish(flowId, samlResponse);
      } catch (err) {
        return refuseFederation(req, reply, 'saml', err);
      }
      return complete(req, reply, identity);
    });
  });

  // The login page asks what became of the sign-in at the provider (same-site, so cookies are sent).
  app.post('/api/login/external', { bodyLimit: 1024, config: { access: 'public' } }, async (req, reply) => {
    if (!isSameOrigin(req)) throw httpError('csrf-failed');
    const outcome = decodeOutcome(req.cookies[OUTCOME_COOKIE]);
    reply.clearCookie(OUTCOME_COOKIE, { httpOnly: true, secure: true, sameSite: 'lax', path: OUTCOME_PATH });
    if (!outcome) throw httpError('federation-expired');
    if (outcome.kind === 'error') throw signInRefusal(outcome.code);
    if (outcome.kind === 'pending') return outcome.step === 'totp' ? { needsTotp: true, pendingToken: outcome.token } : { needsTotpEnrolment: true, pendingToken: outcome.token };
    return { ok: true };
  });
}
