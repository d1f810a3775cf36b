/**
 * OpenID Connect sign-in with `openid-client`: authorization code flow with PKCE
 * (S256), state and nonce, configuration by discovery from the issuer. The ID token's
 * signature (the provider's published keys), issuer, audience, expiry and nonce are
 * checked by the library — signature checking is switched on explicitly
 * (`enableNonRepudiationChecks`), because by default the library trusts the TLS
 * connection to the token endpoint instead. Nothing here turns a check off.
 */
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import type { ExternalIdentity } from '../auth/external/external-identity.js';
import type { OidcConfig } from '../config/federation-config.js';
import { ExpiringMap } from './expiring-map.js';
import { FederationError, type FederationProblem } from './federation-error.js';
import { oidcIdentity } from './federated-identity.js';

/** How long a person may take at the provider between the button and the callback. */
export const FLOW_TTL_MS = 10 * 60_000;
const MAX_FLOWS = 10_000;
/** A failed discovery is retried at the next sign-in, but not more often than this. */
const DISCOVERY_RETRY_MS = 10_000;

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
}

export interface OidcSettingsResolved extends Omit<OidcConfig, 'issuer' | 'clientId' | 'clientSecret' | 'clientSecretFile' | 'caFile'> {
  issuer: string;
  clientId: string;
  /** Read at each token request (a secret file may be rotated). */
  clientSecret: () => string;
  /** PEM of the CAs trusted for the provider, or undefined for the system's. */
  ca: string | undefined;
}

/** Sorts a library error into what the person and the audit record are told. */
export function classifyOidcError(err: unknown): FederationProblem {
  if (err instanceof FederationError) return err.problem;
  const name = (err as Error | undefined)?.name ?? '';
  if (err instanceof TypeError || name === 'TimeoutError' || name === 'AbortError') return 'unavailable';
  if (err instanceof client.AuthorizationResponseError || err instanceof client.ResponseBodyError) return 'provider-error';
  return 'invalid-response';
}

/** The library's reason for the log and the audit record: message, code, and the cause's message (which check failed). */
function describeOidcError(err: unknown): string {
  if (err instanceof client.AuthorizationResponseError || err instanceof client.ResponseBodyError) return `${err.error}: ${err.error_description ?? ''}`;
  const e = err as Error & { code?: string; cause?: unknown };
  const cause = e.cause instanceof Error ? e.cause.message : typeof (e.cause as { claim?: string })?.claim === 'string' ? `claim ${(e.cause as { claim: string }).claim}` : '';
  return [e.message, e.code ? `(${e.code})` : '', cause ? `— ${cause}` : ''].filter(Boolean).join(' ');
}

export class OidcSignIn {
  private readonly flows = new ExpiringMap<Flow>(FLOW_TTL_MS, MAX_FLOWS);
  /** ID tokens of signed-in sessions (by session hash), as the logout hint; in memory only. */
  private readonly idTokens: ExpiringMap<string>;
  private configuration: Promise<client.Configuration> | null = null;
  private lastFailure = 0;
  private readonly dispatcher: Agent | undefined;

  constructor(
    readonly settings: OidcSettingsResolved,
    sessionMaxAgeMs: number,
  ) {
    this.idTokens = new ExpiringMap<string>(sessionMaxAgeMs, MAX_FLOWS);
    this.dispatcher = settings.ca ? new Agent({ connect: { ca: settings.ca, minVersion: 'TLSv1.2' } }) : undefined;
  }

  /** The provider's configuration, discovered once; a failure is forgotten so a later sign-in retries. */
  private config(): Promise<client.Configuration> {
    if (this.configuration) return this.configuration;
    if (Date.now() - this.lastFailure < DISCOVERY_RETRY_MS) return Promise.reject(new FederationError('unavailable', 'discovery failed moments ago'));
    const secret = this.settings.clientSecret;
    // Client authentication reads the secret each time (rotation without a restart).
    const auth: client.ClientAuth = (...args) => client.ClientSecretBasic(secret())(...args);
    const customFetch: client.CustomFetch = (url, options) =>
      undiciFetch(url, { ...options, ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}) } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
    this.configuration = client
      .discovery(new URL(this.settings.issuer), this.settings.clientId, undefined, auth, {
        [client.customFetch]: customFetch,
        timeout: this.settings.timeoutSeconds,
        execute: [client.enableNonRepudiationChecks],
      })
      .catch((err: unknown) => {
        this.configuration = null;
        this.lastFailure = Date.now();
        throw new FederationError('unavailable', `discovery: ${(err as Error).message}`);
      });
    return this.configuration;
  }

  /** Starts a sign-in: the provider's authorization URL and the flow id the browser keeps in a cookie. */
  async start(redirectUri: string): Promise<{ flowId: string; url: string }> {
    const config = await this.config();
    const verifier = client.randomPKCECodeVerifier();
    const flow: Flow = { state: client.randomState(), nonce: client.randomNonce(), verifier, redirectUri };
    const flowId = randomBytes(32).toString('base64url');
    this.flows.set(flowId, flow);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes.join(' '),
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return { flowId, url: url.href };
  }

  /**
   * Finishes a sign-in from the callback's query: exchanges the code (with the PKCE
   * verifier) and checks the ID token. A flow is used once, whatever the outcome.
   */
  async finish(flowId: string | undefined, query: URLSearchParams): Promise<{ identity: ExternalIdentity; idToken: string }> {
    const flow = flowId ? this.flows.take(flowId) : undefined;
    if (!flow) throw new FederationError('expired', 'no sign-in in progress for this browser');
    const config = await this.config();
    const currentUrl = new URL(flow.redirectUri);
    for (const [k, v] of query) currentUrl.searchParams.append(k, v);
    let tokens;
    try {
      tokens = await client.authorizationCodeGrant(config, currentUrl, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
    } catch (err) {
      throw new FederationError(classifyOidcError(err), describeOidcError(err));
    }
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new FederationError('invalid-response', 'no ID token');
    const identity = oidcIdentity(claims as Record<string, unknown>, this.settings);
    if ('problem' in identity) throw new FederationError('missing-claim', `${identity.problem} (${identity.problem === 'missing-username' ? this.settings.usernameClaim : 'sub'})`);
    return { identity, idToken: tokens.id_token };
  }

  /** Keeps the session's ID token for RP-initiated logout. */
  rememberSession(sessionIdHash: string, idToken: string): void {
    this.idTokens.set(sessionIdHash, idToken);
  }

  /**
   * Where to send the browser after signing out of kekkai, so the provider ends its
   * session too; null when the provider has no end_session_endpoint (or was never reached).
   */
  async logoutUrl(sessionIdHash: string, postLogoutRedirectUri: string): Promise<string | null> {
    const idToken = this.idTokens.take(sessionIdHash);
    let config: client.Configuration;
    try {
      config = await this.config();
    } catch {
      return null;
    }
    if (!config.serverMetadata().end_session_endpoint) return null;
    const params: Record<string, string> = { client_id: this.settings.clientId, post_logout_redirect_uri: postLogoutRedirectUri };
    if (idToken) params.id_token_hint = idToken;
    return client.buildEndSessionUrl(config, params).href;
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }
}
