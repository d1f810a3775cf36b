/**
 * Why a federated sign-in did not produce an identity. Each problem has a message for
 * the person (gateway/i18n/messages.ts, `federation-<problem>`) and goes to the audit
 * record; `detail` (the library's message) goes to the log and the audit record only.
 */
export type FederationProblem =
  /** The provider could not be reached (discovery, keys, token endpoint; timeout). */
  | 'unavailable'
  /** The provider's answer failed a check: signature, issuer, audience, expiry, nonce, state, recipient, replay… */
  | 'invalid-response'
  /** The provider said no (access_denied, a SAML status other than Success, invalid_grant). */
  | 'provider-error'
  /** No sign-in was started in this browser, or it took too long (or the answer was already used). */
  | 'expired'
  /** The verified answer lacks the stable id or the name kekkai needs. */
  | 'missing-claim';

export class FederationError extends Error {
  constructor(
    readonly problem: FederationProblem,
    readonly detail: string,
  ) {
    super(`${problem}: ${detail}`);
  }
}
