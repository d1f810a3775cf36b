/**
 * Kerberos single sign-on (docs/kerberos-sign-in.md): the browser's `Negotiate` token
 * is verified against the keytab, the principal's realm must be allowed, the person is
 * looked up in the directory with the service account (their groups, department, job,
 * disabled state), and ExternalSignIn finishes as for a directory password — same
 * account, same role mapping, expiry, source ranges, and kekkai's TOTP for admin and
 * security (a ticket is one factor). Every outcome but the bare first leg (no header
 * yet: the browser is only being asked) is a value the route audits.
 */
import type { JsonValue } from '../audit/audit-event.js';
import type { SignInResult } from '../auth/auth-service.js';
import type { ExternalIdentity } from '../auth/external/external-identity.js';
import type { ExternalSignIn } from '../auth/external/external-sign-in.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { DirectoryError } from '../directory/ldap-connection.js';
import type { LdapDirectory } from '../directory/ldap-directory.js';
import type { Logger } from '../logging.js';
import { admitPrincipal, readNegotiateHeader } from './kerberos-principal.js';
import { GssapiError, type SpnegoAcceptor } from './spnego-acceptor.js';

/** Why a ticket did not sign anyone in (message codes in gateway/i18n/messages.ts). */
export type KerberosRefusal =
  /** Windows offered NTLM (no Kerberos ticket for this host): the person just sees the sign-in form. */
  | 'kerberos-no-ticket'
  /** Not a Negotiate header, not base64, or larger than kekkai takes. */
  | 'kerberos-bad-header'
  /** GSSAPI refused the token: not for this service, wrong key, expired, replayed, skewed clock, garbage. */
  | 'kerberos-invalid-token'
  /** The keytab or the service's credentials cannot be used (a setup problem, not the person's). */
  | 'kerberos-unavailable'
  | 'kerberos-principal-invalid'
  | 'kerberos-realm-not-allowed'
  /** The directory has no (or more than one) person for the principal. */
  | 'kerberos-not-in-directory';

export type KerberosOutcome =
  /** No Authorization header: answer 401 `WWW-Authenticate: Negotiate` and let the browser try. */
  | { kind: 'challenge' }
  | { kind: 'refused'; reason: KerberosRefusal | 'locked'; principal: string | null; details: Record<string, JsonValue> }
  /** The shared path's answer (signed in, TOTP step, or a refusal such as disabled or no-mapped-group). */
  | { kind: 'result'; result: SignInResult; principal: string; identity: ExternalIdentity; responseToken: string | null };

/** Throttle key of tokens that name nobody (garbage, wrong service): counted per address. */
const UNNAMED = '(kerberos)';

export interface KerberosSignInDeps {
  acceptor: Pick<SpnegoAcceptor, 'accept'>;
  directory: Pick<LdapDirectory, 'lookupBy' | 'settings'>;
  external: Pick<ExternalSignIn, 'complete'>;
  throttle: LoginThrottle;
  log: Logger;
  realms: readonly string[];
  /** Directory attribute holding the whole principal; undefined = the login attribute holds the user part. */
  directoryAttribute: string | undefined;
}

export class KerberosSignIn {
  constructor(private readonly deps: KerberosSignInDeps) {}

  async signIn(authorization: string | undefined, sourceIp: string): Promise<KerberosOutcome> {
    const header = readNegotiateHeader(authorization);
    if (header.kind === 'none') return { kind: 'challenge' };
    const { throttle } = this.deps;
    if (throttle.isLocked(UNNAMED, sourceIp)) return { kind: 'refused', reason: 'locked', principal: null, details: {} };
    if (header.kind === 'ntlm') return { kind: 'refused', reason: 'kerberos-no-ticket', principal: null, details: { offered: 'ntlm' } };
    if (header.kind === 'invalid') {
      throttle.recordFailure(UNNAMED, sourceIp);
      return { kind: 'refused', reason: 'kerberos-bad-header', principal: null, details: { problem: header.why } };
    }
    let accepted;
    try {
      accepted = await this.deps.acceptor.accept(header.token);
    } catch (err) {
      const e = err instanceof GssapiError ? err : new GssapiError('unavailable', (err as Error).message);
      if (e.problem === 'unavailable') {
        this.deps.log.error({ component: 'kerberos', err: e.message }, 'Kerberos service credentials unusable (keytab, service principal)');
        return { kind: 'refused', reason: 'kerberos-unavailable', principal: null, details: { detail: e.message.slice(0, 300) } };
      }
      throttle.recordFailure(UNNAMED, sourceIp);
      return { kind: 'refused', reason: 'kerberos-invalid-token', principal: null, details: { detail: e.message.slice(0, 300) } };
    }
    return this.admit(accepted.principal, accepted.responseToken, sourceIp);
  }

  /** From a verified principal to the shared completion path. */
  private async admit(principalText: string, responseToken: string | null, sourceIp: string): Promise<KerberosOutcome> {
    const principal = principalText.slice(0, 300);
    const admitted = admitPrincipal(principalText, this.deps.realms);
    if ('problem' in admitted) {
      this.deps.throttle.recordFailure(principal, sourceIp);
      return { kind: 'refused', reason: admitted.problem, principal, details: { allowedRealms: [...this.deps.realms] } };
    }
    if (this.deps.throttle.isLocked(admitted.principal.name, sourceIp, 'after-password')) return { kind: 'refused', reason: 'locked', principal, details: {} };
    const attribute = this.deps.directoryAttribute ?? this.deps.directory.settings.loginAttribute;
    const value = this.deps.directoryAttribute ? `${admitted.principal.name}@${admitted.principal.realm}` : admitted.principal.name;
    let identity: ExternalIdentity | null;
    try {
      identity = await this.deps.directory.lookupBy(attribute, value);
    } catch (err) {
      const { problem, message } = err as DirectoryError;
      this.deps.log.warn({ component: 'kerberos', problem, err: message }, 'directory unavailable for Kerberos sign-in');
      return { kind: 'refused', reason: 'kerberos-unavailable', principal, details: { checkedBy: 'ldap', problem: problem ?? 'protocol' } };
    }
    if (!identity) {
      this.deps.throttle.recordFailure(admitted.principal.name, sourceIp);
      return { kind: 'refused', reason: 'kerberos-not-in-directory', principal, details: { lookedUp: `${attribute}=${value}`.slice(0, 300) } };
    }
    // A TOTP step that follows still says, in its audit record, that the first step was this ticket.
    const result = await this.deps.external.complete(identity, sourceIp, { firstStep: { checkedBy: 'kerberos', principal } });
    return { kind: 'result', result, principal, identity, responseToken };
  }
}
