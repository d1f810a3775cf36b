/**
 * Settings of federated sign-in: OpenID Connect (Entra ID, Keycloak, …) and SAML 2.0
 * (docs/federated-sign-in.md). Only the static part — where the provider is, the
 * client's credentials, which claims or attributes carry name, groups, department and
 * job. The role mapping of each source is edited in the admin console and kept in the
 * database, as for LDAP.
 */
import { z } from 'zod';
import { fromEnv } from './env-settings.js';

const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v);

/** An https URL (the provider is reached over TLS, certificate checked); no credentials, no fragment. */
const httpsUrl = z.string().transform((v, ctx) => {
  let url: URL | null = null;
  try {
    url = new URL(v.trim());
  } catch {
    url = null;
  }
  if (!url || url.protocol !== 'https:' || url.username || url.password || url.hash) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected an https:// URL without user name or fragment, e.g. https://login.microsoftonline.com/<tenant>/v2.0' });
    return z.NEVER;
  }
  // As typed: an issuer must equal the provider's own `issuer` exactly (a trailing slash matters).
  return v.trim();
});
const claimName = z.string().regex(/^[\w.:/#-]{1,200}$/, 'expected a claim or attribute name such as groups or http://schemas.microsoft.com/ws/2008/06/identity/claims/groups');
const label = z.string().trim().min(1).max(60);
const valueList = z.preprocess(list, z.array(z.string().min(1).max(500)).max(20));

export const OidcSettings = z
  .object({
    issuer: fromEnv(httpsUrl.optional(), 'KEKKAI_OIDC_ISSUER', 'OpenID Connect issuer (discovery at <issuer>/.well-known/openid-configuration), e.g. https://login.microsoftonline.com/<tenant>/v2.0; unset = no OIDC sign-in.'),
    clientId: fromEnv(z.string().min(1).max(500).optional(), 'KEKKAI_OIDC_CLIENT_ID', 'Client (application) id registered at the provider.'),
    clientSecret: fromEnv(z.string().min(1).max(2000).optional(), 'KEKKAI_OIDC_CLIENT_SECRET', 'Client secret (prefer KEKKAI_OIDC_CLIENT_SECRET_FILE).', { secret: true }),
    clientSecretFile: fromEnv(z.string().min(1).optional(), 'KEKKAI_OIDC_CLIENT_SECRET_FILE', 'File holding the client secret (read at each sign-in, so it can be rotated).'),
    caFile: fromEnv(z.string().min(1).optional(), 'KEKKAI_OIDC_CA_FILE', 'PEM file of the CA(s) of the provider\'s TLS certificate, for an internal Keycloak (default: the system\'s CAs).'),
    scopes: fromEnv(
      z.preprocess((v) => (typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v), z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/)).max(20)).default(['openid', 'profile', 'email']).refine((s) => s.includes('openid'), 'the scopes must include openid'),
      'KEKKAI_OIDC_SCOPES',
      'Scopes asked for (space- or comma-separated; must include openid).',
    ),
    usernameClaim: fromEnv(claimName.default('preferred_username'), 'KEKKAI_OIDC_USERNAME_CLAIM', 'ID token claim that becomes the kekkai account name (default preferred_username).'),
    groupsClaim: fromEnv(claimName.default('groups'), 'KEKKAI_OIDC_GROUPS_CLAIM', 'ID token claim listing the groups or roles the role mapping reads (default groups; Entra app roles: roles).'),
    departmentClaim: fromEnv(claimName.optional(), 'KEKKAI_OIDC_DEPARTMENT_CLAIM', 'ID token claim copied to the account\'s department (default: none).'),
    titleClaim: fromEnv(claimName.optional(), 'KEKKAI_OIDC_TITLE_CLAIM', 'ID token claim copied to the account\'s job title (default: none).'),
    mfaValues: fromEnv(valueList.default(['mfa']), 'KEKKAI_OIDC_MFA_VALUES', 'amr or acr values that mean the person used a second factor at the provider (comma-separated, default mfa).'),
    label: fromEnv(label.default('OpenID Connect'), 'KEKKAI_OIDC_LABEL', 'Name on the login page button, e.g. Microsoft Entra ID (「… でサインイン」).'),
    timeoutSeconds: fromEnv(z.coerce.number().int().min(1).max(60).default(10), 'KEKKAI_OIDC_TIMEOUT_SECONDS', 'Seconds each request to the provider (discovery, keys, token) may take (1–60).'),
  })
  .strict()
  .default({})
  .superRefine((s, ctx) => {
    if (!s.issuer) return;
    const need = (ok: boolean, path: string, message: string) => ok || ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    need(Boolean(s.clientId), 'clientId', 'KEKKAI_OIDC_CLIENT_ID is required with KEKKAI_OIDC_ISSUER');
    need(Boolean(s.clientSecret) !== Boolean(s.clientSecretFile), 'clientSecretFile', 'give the client secret in exactly one of KEKKAI_OIDC_CLIENT_SECRET_FILE or KEKKAI_OIDC_CLIENT_SECRET');
  });

export type OidcConfig = z.infer<typeof OidcSettings>;

export const SamlSettings = z
  .object({
    idpSsoUrl: fromEnv(httpsUrl.optional(), 'KEKKAI_SAML_IDP_SSO_URL', 'The identity provider\'s single sign-on URL (HTTP-Redirect binding); unset = no SAML sign-in.'),
    idpEntityId: fromEnv(z.string().min(1).max(1024).optional(), 'KEKKAI_SAML_IDP_ENTITY_ID', 'The identity provider\'s entity id; assertions from any other issuer are refused.'),
    idpCertFile: fromEnv(z.string().min(1).optional(), 'KEKKAI_SAML_IDP_CERT_FILE', 'PEM file with the identity provider\'s signing certificate(s) (several during a rollover).'),
    spEntityId: fromEnv(z.string().min(1).max(1024).optional(), 'KEKKAI_SAML_SP_ENTITY_ID', 'kekkai\'s entity id, the audience assertions must name (default <KEKKAI_PUBLIC_URL>/auth/saml/metadata).'),
    usernameAttribute: fromEnv(claimName.optional(), 'KEKKAI_SAML_USERNAME_ATTRIBUTE', 'Attribute that becomes the kekkai account name (default: the NameID).'),
    groupsAttribute: fromEnv(claimName.default('http://schemas.microsoft.com/ws/2008/06/identity/claims/groups'), 'KEKKAI_SAML_GROUPS_ATTRIBUTE', 'Attribute listing the groups or roles the role mapping reads (default: Entra ID\'s groups claim).'),
    departmentAttribute: fromEnv(claimName.optional(), 'KEKKAI_SAML_DEPARTMENT_ATTRIBUTE', 'Attribute copied to the account\'s department (default: none).'),
    titleAttribute: fromEnv(claimName.optional(), 'KEKKAI_SAML_TITLE_ATTRIBUTE', 'Attribute copied to the account\'s job title (default: none).'),
    mfaContexts: fromEnv(valueList.default(['http://schemas.microsoft.com/claims/multipleauthn']), 'KEKKAI_SAML_MFA_CONTEXTS', 'AuthnContextClassRef (or authnmethodsreferences) values that mean a second factor was used (comma-separated).'),
    clockSkewSeconds: fromEnv(z.coerce.number().int().min(0).max(300).default(60), 'KEKKAI_SAML_CLOCK_SKEW_SECONDS', 'Clock difference tolerated on assertion times (0–300 s, default 60).'),
    label: fromEnv(label.default('SAML'), 'KEKKAI_SAML_LABEL', 'Name on the login page button (「… でサインイン」).'),
  })
  .strict()
  .default({})
  .superRefine((s, ctx) => {
    if (!s.idpSsoUrl) return;
    const need = (ok: boolean, path: string, message: string) => ok || ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    need(Boolean(s.idpEntityId), 'idpEntityId', 'KEKKAI_SAML_IDP_ENTITY_ID is required with KEKKAI_SAML_IDP_SSO_URL');
    need(Boolean(s.idpCertFile), 'idpCertFile', 'KEKKAI_SAML_IDP_CERT_FILE (the provider\'s signing certificate) is required with KEKKAI_SAML_IDP_SSO_URL');
  });

export type SamlConfig = z.infer<typeof SamlSettings>;
