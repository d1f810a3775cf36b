/**
 * SAML 2.0 service provider with `@node-saml/node-saml`: SP-initiated Web SSO, the
 * AuthnRequest by HTTP-Redirect, the Response by HTTP-POST. What an assertion must
 * satisfy (docs/federated-sign-in.md):
 * - signed by a configured IdP certificate (assertion signature required; a signed
 *   Response alone is not enough) and issued by the configured IdP entity id;
 * - NotBefore / NotOnOrAfter of the conditions and the subject confirmation, with a
 *   bounded clock skew; the audience is kekkai's entity id;
 * - an answer to a request this browser started: Response@InResponseTo is a request
 *   id kekkai issued and has not seen answered (one use, expiring), and the signed
 *   SubjectConfirmationData@InResponseTo names the request of this browser's flow;
 * - Recipient (signed) and Destination (when present) are kekkai's ACS URL;
 * - an assertion id already accepted is refused (replay).
 * node-saml checks signature, times, audience and InResponseTo; the issuer (node-saml
 * compares it only on logout messages), recipient, destination, this flow's request
 * and replay are checked here, on the signed assertion.
 */
import { randomBytes } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SAML, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import type { ExternalIdentity } from '../auth/external/external-identity.js';
import type { SamlConfig } from '../config/federation-config.js';
import { ExpiringMap } from './expiring-map.js';
import { FederationError } from './federation-error.js';
import { samlIdentity, type SamlAssertionFacts } from './federated-identity.js';
import { FLOW_TTL_MS } from './oidc-sign-in.js';

const MAX_FLOWS = 10_000;
/** Replay memory: an assertion id is kept until it expires, at most this long. */
const MAX_REPLAY_MEMORY_MS = 24 * 3600_000;

export interface SamlSettingsResolved extends Omit<SamlConfig, 'idpSsoUrl' | 'idpEntityId' | 'idpCertFile' | 'spEntityId'> {
  idpSsoUrl: string;
  idpEntityId: string;
  /** PEM certificates of the IdP (one or more during a rollover). */
  idpCerts: string[];
  spEntityId: string;
}

interface Flow {
  requestId: string;
  acsUrl: string;
}

/** node-saml's request-id cache on an expiring, bounded map. */
class RequestIdCache implements CacheProvider {
  readonly ids = new ExpiringMap<{ value: string; createdAt: number }>(FLOW_TTL_MS, MAX_FLOWS);
  async saveAsync(key: string, value: string) {
    const item = { value, createdAt: Date.now() };
    this.ids.set(key, item);
    return item;
  }
  async getAsync(key: string) {
    return this.ids.get(key)?.value ?? null;
  }
  async removeAsync(key: string | null) {
    if (!key) return null;
    return this.ids.take(key)?.value ?? null;
  }
}

type XmlNode = { $?: Record<string, string>; _?: string; [child: string]: unknown };
const children = (node: unknown, name: string): XmlNode[] => {
  const value = (node as Record<string, unknown> | undefined)?.[name];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
};
const text = (node: XmlNode | string | undefined): string => (typeof node === 'string' ? node : (node?._ ?? '')).trim();

export class SamlSignIn {
  private readonly flows = new ExpiringMap<Flow>(FLOW_TTL_MS, MAX_FLOWS);
  private readonly requestIds = new RequestIdCache();
  private readonly usedAssertions = new ExpiringMap<true>(MAX_REPLAY_MEMORY_MS, 100_000);

  constructor(readonly settings: SamlSettingsResolved) {}

  private saml(acsUrl: string, requestId?: string): SAML {
    const s = this.settings;
    return new SAML({
      entryPoint: s.idpSsoUrl,
      idpIssuer: s.idpEntityId,
      idpCert: s.idpCerts,
      issuer: s.spEntityId,
      audience: s.spEntityId,
      callbackUrl: acsUrl,
      wantAssertionsSigned: true,
      // The assertion's own signature is what counts; IdPs that also sign the Response are accepted.
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: s.clockSkewSeconds * 1000,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: FLOW_TTL_MS,
      cacheProvider: this.requestIds,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      ...(requestId ? { generateUniqueId: () => requestId } : {}),
    });
  }

  /** Starts a sign-in: the IdP URL carrying the AuthnRequest, and the flow id for the browser's cookie. */
  async start(acsUrl: string): Promise<{ flowId: string; url: string }> {
    const requestId = `_${randomBytes(20).toString('hex')}`;
    const url = await this.saml(acsUrl, requestId).getAuthorizeUrlAsync('', undefined, {});
    const flowId = randomBytes(32).toString('base64url');
    this.flows.set(flowId, { requestId, acsUrl });
    return { flowId, url };
  }

  /** Checks a posted SAMLResponse against this browser's flow; the flow is used once. */
  async finish(flowId: string | undefined, samlResponse: string): Promise<ExternalIdentity> {
    const flow = flowId ? this.flows.take(flowId) : undefined;
    if (!flow) throw new FederationError('expired', 'no sign-in in progress for this browser');
    let profile: Profile | null;
    try {
      ({ profile } = await this.saml(flow.acsUrl).validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch (err) {
      const status = (err as Error).name === 'SamlStatusError' || /SAML provider returned/.test((err as Error).message);
      throw new FederationError(status ? 'provider-error' : 'invalid-response', (err as Error).message);
    } finally {
      // Whatever happened, this request may not be answered again.
      this.requestIds.ids.delete(flow.requestId);
    }
    if (!profile) throw new FederationError('invalid-response', 'no assertion');
    const facts = this.checkAssertion(profile, flow);
    const identity = samlIdentity(facts, this.settings);
    if ('problem' in identity) throw new FederationError('missing-claim', `${identity.problem} (${this.settings.usernameAttribute ?? 'NameID'})`);
    return identity;
  }

  /** The checks node-saml leaves to the SP: recipient, destination, this flow's request, replay. */
  private checkAssertion(profile: Profile, flow: Flow): SamlAssertionFacts {
    const assertion = (profile.getAssertion?.() as { Assertion?: XmlNode } | undefined)?.Assertion;
    if (!assertion) throw new FederationError('invalid-response', 'signed assertion not available');
    const issuer = text(children(assertion, 'Issuer')[0]);
    if (issuer !== this.settings.idpEntityId) throw new FederationError('invalid-response', `issuer ${JSON.stringify(issuer)} is not ${this.settings.idpEntityId}`);
    const bearer = children(assertion, 'Subject')
      .flatMap((subject) => children(subject, 'SubjectConfirmation'))
      .filter((c) => c.$?.Method === 'urn:oasis:names:tc:SAML:2.0:cm:bearer')
      .flatMap((c) => children(c, 'SubjectConfirmationData'));
    if (!bearer.length) throw new FederationError('invalid-response', 'no bearer subject confirmation');
    if (!bearer.every((d) => d.$?.Recipient === flow.acsUrl)) throw new FederationError('invalid-response', `recipient is not ${flow.acsUrl}`);
    if (!bearer.every((d) => d.$?.InResponseTo === flow.requestId)) throw new FederationError('invalid-response', 'the assertion answers another request');
    const destination = this.destination(profile.getSamlResponseXml?.() ?? '');
    if (destination !== null && destination !== flow.acsUrl) throw new FederationError('invalid-response', `destination is not ${flow.acsUrl}`);

    const id = assertion.$?.ID ?? '';
    if (!id) throw new FederationError('invalid-response', 'assertion without ID');
    if (this.usedAssertions.has(id)) throw new FederationError('invalid-response', `assertion ${id} was already used (replay)`);
    const expiries = bearer.map((d) => Date.parse(d.$?.NotOnOrAfter ?? '')).filter(Number.isFinite);
    const remember = Math.min(MAX_REPLAY_MEMORY_MS, Math.max(FLOW_TTL_MS, (expiries.length ? Math.max(...expiries) : 0) - Date.now() + this.settings.clockSkewSeconds * 1000));
    this.usedAssertions.set(id, true, remember);

    const authnContexts = children(assertion, 'AuthnStatement')
      .flatMap((s) => children(s, 'AuthnContext'))
      .flatMap((c) => children(c, 'AuthnContextClassRef'))
      .map(text)
      .filter(Boolean);
    const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
    return { nameId: profile.nameID ?? '', attributes, authnContexts };
  }

  /** Response@Destination, or null when the response has none. */
  private destination(xml: string): string | null {
    const doc = new DOMParser({ errorHandler: () => undefined }).parseFromString(xml, 'text/xml');
    const value = doc.documentElement?.getAttribute('Destination');
    return value ? value : null;
  }

  /** kekkai's SP metadata for the IdP (entity id, ACS URL, assertions signed). */
  metadata(acsUrl: string): string {
    return this.saml(acsUrl).generateServiceProviderMetadata(null, null);
  }
}

