/**
 * A SAML identity provider made in the test: a signing key and certificate (test CA
 * code, node-forge), Responses built as text and their Assertion signed with
 * xml-crypto (RSA-SHA256, exclusive c14n, enveloped) the way Entra ID and Keycloak
 * sign them. Tests change the XML before or after signing to play an attacker.
 */
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import { makeCa } from '../directory/test-ca.js';

export const IDP_ENTITY_ID = 'https://idp.hospital.test/saml';
export const IDP_SSO_URL = 'https://idp.hospital.test/saml/sso';

export interface SigningKey {
  cert: string;
  key: string;
}

export function makeSigningKey(name = 'kekkai test SAML IdP'): SigningKey {
  const { cert, key } = makeCa(name);
  return { cert, key };
}

export interface AssertionOptions {
  requestId: string;
  acsUrl: string;
  audience: string;
  nameId?: string;
  issuer?: string;
  attributes?: Record<string, string[]>;
  /** Offsets from now in seconds. */
  notBefore?: number;
  notOnOrAfter?: number;
  authnContext?: string;
  assertionId?: string;
  /** Response@Destination; null leaves it out. */
  destination?: string | null;
  recipient?: string;
  status?: string;
}

const iso = (offsetSeconds: number) => new Date(Date.now() + offsetSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** A Response with one unsigned Assertion. */
export function responseXml(o: AssertionOptions): string {
  const issuer = o.issuer ?? IDP_ENTITY_ID;
  const assertionId = o.assertionId ?? `_a${randomBytes(16).toString('hex')}`;
  const notBefore = iso(o.notBefore ?? -30);
  const notOnOrAfter = iso(o.notOnOrAfter ?? 300);
  const attributes = Object.entries(o.attributes ?? {})
    .map(([name, values]) => `<saml:Attribute Name="${esc(name)}">${values.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`)
    .join('');
  const destination = o.destination === null ? '' : ` Destination="${esc(o.destination ?? o.acsUrl)}"`;
  const status = o.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success';
  const assertion = status.endsWith(':Success')
    ? `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${iso(0)}">` +
      `<saml:Issuer>${esc(issuer)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${esc(o.nameId ?? 'pid-tanaka')}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="${esc(o.requestId)}" NotOnOrAfter="${notOnOrAfter}" Recipient="${esc(o.recipient ?? o.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(-5)}" SessionIndex="_s${randomBytes(8).toString('hex')}"><saml:AuthnContext><saml:AuthnContextClassRef>${esc(o.authnContext ?? 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport')}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '') +
      `</saml:Assertion>`
    : '';
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${iso(0)}"${destination} InResponseTo="${esc(o.requestId)}">` +
    `<saml:Issuer>${esc(issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${status}"/></samlp:Status>` +
    assertion +
    `</samlp:Response>`
  );
}

/** Signs the Assertion (enveloped signature after its Issuer), as IdPs do. */
export function signAssertion(xml: string, key: SigningKey): string {
  const sig = new SignedXml({
    privateKey: key.key,
    publicCert: key.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  sig.computeSignature(xml, { location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}

/** The ID and ACS URL of the AuthnRequest in kekkai's redirect to the IdP (HTTP-Redirect binding: deflated, base64). */
export function readAuthnRequest(location: string): { id: string; acsUrl: string; issuer: string; xml: string } {
  const url = new URL(location);
  const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
  const attr = (name: string) => new RegExp(`${name}="([^"]+)"`).exec(xml)?.[1] ?? '';
  return { id: attr('ID'), acsUrl: attr('AssertionConsumerServiceURL'), issuer: /<saml:Issuer[^>]*>([^<]+)</.exec(xml)?.[1] ?? '', xml };
}
