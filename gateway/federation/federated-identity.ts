/**
 * From what a provider vouched for — the claims of a verified ID token, the
 * attributes of a verified SAML assertion — to the ExternalIdentity that
 * ExternalSignIn completes. Pure functions: which claim or attribute carries the
 * name, the groups, the department and the job comes from the settings.
 */
import type { ExternalIdentity } from '../auth/external/external-identity.js';

/** Values of a claim or attribute as strings: one string, a list, or nothing usable. */
export function stringValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list
    .map((v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null))
    .filter((v): v is string => v !== null && v.trim() !== '')
    .map((v) => v.trim())
    .slice(0, 500);
}

const first = (value: unknown): string => stringValues(value)[0] ?? '';

export interface OidcClaimSettings {
  usernameClaim: string;
  groupsClaim: string;
  departmentClaim?: string | undefined;
  titleClaim?: string | undefined;
  mfaValues: readonly string[];
}

/** Why a verified answer still cannot become an identity. */
export type IdentityProblem = 'missing-username' | 'missing-subject';

/** The identity in verified ID token claims; `sub` is the stable id (it never changes for a person at one provider). */
export function oidcIdentity(claims: Record<string, unknown>, s: OidcClaimSettings): ExternalIdentity | { problem: IdentityProblem } {
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  if (!sub) return { problem: 'missing-subject' };
  const loginName = first(claims[s.usernameClaim]);
  if (!loginName) return { problem: 'missing-username' };
  const amr = stringValues(claims.amr);
  const acr = first(claims.acr);
  return {
    source: 'oidc',
    externalId: sub,
    loginName,
    displayName: first(claims.name) || loginName,
    groups: stringValues(claims[s.groupsClaim]),
    department: s.departmentClaim ? first(claims[s.departmentClaim]) : '',
    jobTitle: s.titleClaim ? first(claims[s.titleClaim]) : '',
    mfa: amr.some((v) => s.mfaValues.includes(v)) || (acr !== '' && s.mfaValues.includes(acr)),
    disabled: false,
  };
}

export interface SamlAttributeSettings {
  usernameAttribute?: string | undefined;
  groupsAttribute: string;
  departmentAttribute?: string | undefined;
  titleAttribute?: string | undefined;
  mfaContexts: readonly string[];
}

/** What a verified assertion says about the person (node-saml's profile, flattened). */
export interface SamlAssertionFacts {
  nameId: string;
  attributes: Record<string, unknown>;
  /** AuthnContextClassRef values of the AuthnStatements. */
  authnContexts: string[];
}

/** Entra ID lists the methods used in this attribute (multipleauthn when a second factor was used). */
const AUTHN_METHODS = 'http://schemas.microsoft.com/claims/authnmethodsreferences';
const DISPLAY_NAMES = ['http://schemas.microsoft.com/identity/claims/displayname', 'displayName', 'urn:oid:2.16.840.1.113730.3.1.241'];

/** The identity in a verified assertion; the NameID is the stable id (use a persistent NameID at the provider). */
export function samlIdentity(facts: SamlAssertionFacts, s: SamlAttributeSettings): ExternalIdentity | { problem: IdentityProblem } {
  if (!facts.nameId) return { problem: 'missing-subject' };
  const loginName = s.usernameAttribute ? first(facts.attributes[s.usernameAttribute]) : facts.nameId;
  if (!loginName) return { problem: 'missing-username' };
  const methods = [...facts.authnContexts, ...stringValues(facts.attributes[AUTHN_METHODS])];
  return {
    source: 'saml',
    externalId: facts.nameId,
    loginName,
    displayName: DISPLAY_NAMES.map((n) => first(facts.attributes[n])).find(Boolean) ?? loginName,
    groups: stringValues(facts.attributes[s.groupsAttribute]),
    department: s.departmentAttribute ? first(facts.attributes[s.departmentAttribute]) : '',
    jobTitle: s.titleAttribute ? first(facts.attributes[s.titleAttribute]) : '',
    mfa: methods.some((m) => s.mfaContexts.includes(m)),
    disabled: false,
  };
}
