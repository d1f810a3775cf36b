/** From verified claims and assertions to the identity ExternalSignIn completes: which values become name, groups, department, job and the MFA flag. */
import { describe, expect, it } from 'vitest';
import { oidcIdentity, samlIdentity, stringValues } from '../../../../gateway/federation/federated-identity.js';

const oidc = { usernameClaim: 'preferred_username', groupsClaim: 'groups', departmentClaim: 'dept', titleClaim: 'jobTitle', mfaValues: ['mfa'] };

describe('OIDC claims', () => {
  it('takes sub as the stable id and the configured claims for name, groups, department and job', () => {
    const identity = oidcIdentity({ sub: 'abc', preferred_username: 'tanaka@hospital.jp', name: '田中', groups: ['g1', 'g2'], dept: '看護部', jobTitle: '看護師' }, oidc);
    expect(identity).toEqual({ source: 'oidc', externalId: 'abc', loginName: 'tanaka@hospital.jp', displayName: '田中', groups: ['g1', 'g2'], department: '看護部', jobTitle: '看護師', mfa: false, disabled: false });
  });

  it('reads a single group string as one group and ignores values that are not strings', () => {
    expect(oidcIdentity({ sub: 'a', preferred_username: 'x', groups: 'staff' }, oidc)).toMatchObject({ groups: ['staff'] });
    expect(oidcIdentity({ sub: 'a', preferred_username: 'x', groups: [{ id: 1 }, null, ' staff '] }, oidc)).toMatchObject({ groups: ['staff'] });
  });

  it('sets the MFA flag from amr or acr values listed in the settings only', () => {
    expect(oidcIdentity({ sub: 'a', preferred_username: 'x', amr: ['pwd', 'mfa'] }, oidc)).toMatchObject({ mfa: true });
    expect(oidcIdentity({ sub: 'a', preferred_username: 'x', amr: ['pwd'] }, oidc)).toMatchObject({ mfa: false });
    expect(oidcIdentity({ sub: 'a', preferred_username: 'x', acr: 'gold' }, { ...oidc, mfaValues: ['gold'] })).toMatchObject({ mfa: true });
  });

  it('refuses claims without sub or without the name claim', () => {
    expect(oidcIdentity({ preferred_username: 'x' }, oidc)).toEqual({ problem: 'missing-subject' });
    expect(oidcIdentity({ sub: 'a', email: 'x@y' }, oidc)).toEqual({ problem: 'missing-username' });
  });
});

describe('SAML assertion facts', () => {
  const saml = { groupsAttribute: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', mfaContexts: ['http://schemas.microsoft.com/claims/multipleauthn'] };

  it('takes the NameID as id and name unless a name attribute is set', () => {
    const facts = { nameId: 'pid-1', attributes: { uid: 'sato', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['a', 'b'] }, authnContexts: [] };
    expect(samlIdentity(facts, saml)).toMatchObject({ source: 'saml', externalId: 'pid-1', loginName: 'pid-1', groups: ['a', 'b'], mfa: false });
    expect(samlIdentity(facts, { ...saml, usernameAttribute: 'uid' })).toMatchObject({ externalId: 'pid-1', loginName: 'sato' });
    expect(samlIdentity(facts, { ...saml, usernameAttribute: 'missing' })).toEqual({ problem: 'missing-username' });
  });

  it('sets the MFA flag from the AuthnContextClassRef or Entra\'s authnmethodsreferences', () => {
    expect(samlIdentity({ nameId: 'p', attributes: {}, authnContexts: ['http://schemas.microsoft.com/claims/multipleauthn'] }, saml)).toMatchObject({ mfa: true });
    expect(samlIdentity({ nameId: 'p', attributes: { 'http://schemas.microsoft.com/claims/authnmethodsreferences': ['http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password', 'http://schemas.microsoft.com/claims/multipleauthn'] }, authnContexts: [] }, saml)).toMatchObject({ mfa: true });
    expect(samlIdentity({ nameId: 'p', attributes: {}, authnContexts: ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'] }, saml)).toMatchObject({ mfa: false });
  });

  it('refuses an assertion without NameID', () => {
    expect(samlIdentity({ nameId: '', attributes: {}, authnContexts: [] }, saml)).toEqual({ problem: 'missing-subject' });
  });

  it('caps the number of values it keeps', () => {
    expect(stringValues(Array.from({ length: 600 }, (_, i) => `g${i}`))).toHaveLength(500);
  });
});
