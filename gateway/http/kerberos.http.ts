/**
 * Kerberos single sign-on route (docs/kerberos-sign-in.md). The login page posts to
 * POST /api/login/kerberos before it shows the form: without an Authorization header
 * the answer is 401 `WWW-Authenticate: Negotiate`, and a browser that has a ticket for
 * this host (and lists it in AuthServerAllowlist) repeats the request with
 * `Authorization: Negotiate <token>`. The answer is then what a password sign-in
 * answers — session cookie set, a TOTP step, or a refusal — with the mutual
 * authentication token in `WWW-Authenticate` when GSSAPI gave one. A refusal never
 * carries `WWW-Authenticate`, so the browser does not try again by itself.
 *
 * The bare first leg is not audited (every login page view makes one); everything
 * after a header was offered is, as a `login` with `checkedBy: kerberos`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditSink } from '../audit/audit-setup.js';
import type { KerberosServices } from '../kerberos/kerberos-setup.js';
import { message } from '../i18n/messages.js';
import { isSameOrigin, setSessionCookie } from './auth-guard.js';
import { httpError } from './errors.js';
import { errorEntry, isErrorId } from '../i18n/error-registry.js';
import { auditRefusal, auditSignedIn } from './sign-in-audit.js';

export interface KerberosRoutesDeps {
  audit: AuditSink;
  kerberos: Pick<KerberosServices, 'signIn'> | undefined;
  sessionMaxAgeSeconds: number;
}

/** The reply body of a refusal: the registry's code and message, and the reason the login page words. */
function errorBody(reason: string): { code: string; reason: string; message: ReturnType<typeof message> } {
  const entry = errorEntry(isErrorId(reason) ? reason : 'invalid-credentials');
  return { code: entry.code, reason, message: message(entry.message) };
}

export function registerKerberosRoutes(app: FastifyInstance, deps: KerberosRoutesDeps): void {
  const refuse = (reply: FastifyReply, reason: string) =>
    reply.code(errorEntry(isErrorId(reason) ? reason : 'invalid-credentials').status).header('cache-control', 'no-store').send(errorBody(reason));

  app.post('/api/login/kerberos', { bodyLimit: 1024, config: { access: 'public' } }, async (req: FastifyRequest, reply: FastifyReply) => {
    if (!isSameOrigin(req)) throw httpError('csrf-failed');
    const signIn = deps.kerberos?.signIn;
    if (!signIn) throw httpError('kerberos-not-configured');
    const outcome = await signIn.signIn(req.headers.authorization, req.ip);
    if (outcome.kind === 'challenge') {
      return reply.code(401).header('www-authenticate', 'Negotiate').header('cache-control', 'no-store').send(errorBody('kerberos-no-ticket'));
    }
    if (outcome.kind === 'refused') {
      auditRefusal(deps.audit, req, outcome.reason, undefined, outcome.principal ?? undefined, { authSource: 'kerberos', checkedBy: 'kerberos', ...(outcome.principal ? { principal: outcome.principal } : {}), ...outcome.details });
      return refuse(reply, outcome.reason);
    }
    const { result, principal, identity, responseToken } = outcome;
    const facts = { checkedBy: 'kerberos', principal };
    if ('failure' in result) {
      auditRefusal(deps.audit, req, result.failure, result.user, identity.loginName, { authSource: identity.source, ...(result.details ?? {}), ...facts });
      return refuse(reply, result.failure);
    }
    // Mutual authentication: the browser checks that it spoke to the holder of the service key.
    if (responseToken) reply.header('www-authenticate', `Negotiate ${responseToken}`);
    reply.header('cache-control', 'no-store');
    if ('pending' in result) return result.pending === 'totp' ? { needsTotp: true, pendingToken: result.pendingToken } : { needsTotpEnrolment: true, pendingToken: result.pendingToken };
    auditSignedIn(deps.audit, req, result, false, facts);
    setSessionCookie(reply, result.token, deps.sessionMaxAgeSeconds);
    return { ok: true, user: { name: result.user.name, role: result.user.role } };
  });
}
