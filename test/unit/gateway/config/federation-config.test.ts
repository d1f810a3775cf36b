/** OIDC and SAML settings: what stops the start, with a message naming the setting, and what the defaults are. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../gateway/config/load-config.js';

const load = (env: Record<string, string>) => () => loadConfig({ env });

describe('federated sign-in settings', () => {
  it('is off by default with Entra-friendly defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.oidc.issuer).toBeUndefined();
    expect(c.oidc).toMatchObject({ scopes: ['openid', 'profile', 'email'], usernameClaim: 'preferred_username', groupsClaim: 'groups', mfaValues: ['mfa'] });
    expect(c.saml).toMatchObject({ clockSkewSeconds: 60, groupsAttribute: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups' });
  });

  it('accepts only an https issuer, and needs the client id and exactly one secret', () => {
    expect(load({ KEKKAI_OIDC_ISSUER: 'http://idp.local/realms/h', KEKKAI_OIDC_CLIENT_ID: 'k', KEKKAI_OIDC_CLIENT_SECRET: 's' })).toThrow(/KEKKAI_OIDC_ISSUER.*https:\/\//);
    expect(load({ KEKKAI_OIDC_ISSUER: 'https://idp.local/realms/h', KEKKAI_OIDC_CLIENT_SECRET: 's' })).toThrow(/KEKKAI_OIDC_CLIENT_ID is required/);
    expect(load({ KEKKAI_OIDC_ISSUER: 'https://idp.local/realms/h', KEKKAI_OIDC_CLIENT_ID: 'k' })).toThrow(/exactly one of KEKKAI_OIDC_CLIENT_SECRET_FILE/);
    expect(load({ KEKKAI_OIDC_ISSUER: 'https://idp.local/realms/h', KEKKAI_OIDC_CLIENT_ID: 'k', KEKKAI_OIDC_CLIENT_SECRET: 's', KEKKAI_OIDC_SCOPES: 'profile email' })).toThrow(/must include openid/);
    const c = loadConfig({ env: { KEKKAI_OIDC_ISSUER: 'https://login.microsoftonline.com/t/v2.0', KEKKAI_OIDC_CLIENT_ID: 'k', KEKKAI_OIDC_CLIENT_SECRET: 'top-secret', KEKKAI_OIDC_SCOPES: 'openid profile' } });
    expect(c.oidc).toMatchObject({ issuer: 'https://login.microsoftonline.com/t/v2.0', scopes: ['openid', 'profile'] });
  });

  it('never echoes the client secret in a configuration error', () => {
    expect(load({ KEKKAI_OIDC_CLIENT_SECRET: 'x'.repeat(3000) })).toThrow(/KEKKAI_OIDC_CLIENT_SECRET .*\(hidden\)/);
  });

  it('needs the IdP entity id and certificate with SAML, and a fixed SP entity id (or the public URL)', () => {
    expect(load({ KEKKAI_SAML_IDP_SSO_URL: 'https://idp/sso', KEKKAI_SAML_IDP_CERT_FILE: '/x', KEKKAI_SAML_SP_ENTITY_ID: 'urn:k' })).toThrow(/KEKKAI_SAML_IDP_ENTITY_ID is required/);
    expect(load({ KEKKAI_SAML_IDP_SSO_URL: 'https://idp/sso', KEKKAI_SAML_IDP_ENTITY_ID: 'urn:idp', KEKKAI_SAML_SP_ENTITY_ID: 'urn:k' })).toThrow(/KEKKAI_SAML_IDP_CERT_FILE/);
    expect(load({ KEKKAI_SAML_IDP_SSO_URL: 'https://idp/sso', KEKKAI_SAML_IDP_ENTITY_ID: 'urn:idp', KEKKAI_SAML_IDP_CERT_FILE: '/x' })).toThrow(/KEKKAI_SAML_SP_ENTITY_ID/);
    expect(load({ KEKKAI_SAML_CLOCK_SKEW_SECONDS: '600' })).toThrow(/KEKKAI_SAML_CLOCK_SKEW_SECONDS/);
    const c = loadConfig({ env: { KEKKAI_SAML_IDP_SSO_URL: 'https://idp/sso', KEKKAI_SAML_IDP_ENTITY_ID: 'urn:idp', KEKKAI_SAML_IDP_CERT_FILE: '/x', KEKKAI_PUBLIC_URL: 'https://kekkai.hospital.jp' } });
    expect(c.saml.spEntityId).toBeUndefined();
  });
});
