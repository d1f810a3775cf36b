/**
 * Builds federated sign-in from the settings (called once by the composition root):
 * OpenID Connect and SAML when configured, the login page's list of buttons, the
 * console's view of them. Every sign-in ends in the shared `ExternalSignIn` built by
 * openDirectory (gateway/auth/external/), so a provider's people get the same
 * mapping, provisioning, expiry, source-range and second-factor rules as LDAP's.
 */
import { readFileSync } from 'node:fs';
import type { ExternalSignIn } from '../auth/external/external-sign-in.js';
import type { RoleMappingSave, RoleMappingStore } from '../auth/external/role-mapping-store.js';
import type { RoleMappingRule } from '../auth/external/role-mapping.js';
import { ENV_SETTINGS, type Config } from '../config/config-schema.js';
import { OidcSignIn } from './oidc-sign-in.js';
import { SamlSignIn } from './saml-sign-in.js';

export type FederatedSource = 'oidc' | 'saml';

export interface SignInProvider {
  id: FederatedSource;
  /** The button reads 「{label}でサインイン」. */
  label: string;
}

export interface FederationStatus {
  oidc: { configured: boolean; settings: null | Record<string, string | number | string[] | null>; roleMapping: RoleMappingRule[] };
  saml: { configured: boolean; settings: null | Record<string, string | number | string[] | null>; roleMapping: RoleMappingRule[] };
}

export interface FederationServices {
  oidc: OidcSignIn | null;
  saml: SamlSignIn | null;
  /** The shared completion path (mapping, provisioning, the rules of every sign-in). */
  externalSignIn: ExternalSignIn;
  providers(): SignInProvider[];
  status(): FederationStatus;
  saveRoleMapping(source: FederatedSource, rules: Array<{ group: unknown; role: unknown }>): RoleMappingSave;
  close(): Promise<void>;
}

/** PEM certificates in a file, each from BEGIN to END (an IdP may publish two during a rollover). */
export function readCertificates(file: string, read: (path: string) => string): string[] {
  const certs = read(file).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!certs.length) throw new Error(`${file}: no PEM certificate (-----BEGIN CERTIFICATE-----) found`);
  return certs;
}

/** The static settings of a source as the console shows them: by environment variable, secrets left out. */
function shownSettings(config: Readonly<Config>, section: FederatedSource): Record<string, string | number | string[] | null> {
  const values = config[section] as Record<string, unknown>;
  const shown: Record<string, string | number | string[] | null> = {};
  for (const s of ENV_SETTINGS) {
    if (s.secret || !s.path.startsWith(`${section}.`)) continue;
    const value = values[s.path.slice(section.length + 1)];
    shown[s.env] = Array.isArray(value) ? value.map(String) : typeof value === 'number' || typeof value === 'string' ? value : null;
  }
  return shown;
}

export function openFederation(
  config: Readonly<Config>,
  deps: { externalSignIn: ExternalSignIn; roleMappings: RoleMappingStore; read?: (path: string) => string },
): FederationServices {
  const read = deps.read ?? ((file: string) => readFileSync(file, 'utf8'));
  const o = config.oidc;
  let oidc: OidcSignIn | null = null;
  if (o.issuer && o.clientId) {
    const { clientSecret, clientSecretFile } = o;
    const secret = () => clientSecret ?? read(clientSecretFile!).replace(/\r?\n$/, '');
    // Fail at start, not at the first sign-in, when the secret or the CA cannot be read.
    secret();
    const ca = o.caFile ? read(o.caFile) : undefined;
    const { clientSecret: _s, clientSecretFile: _f, caFile: _c, ...rest } = o;
    oidc = new OidcSignIn({ ...rest, issuer: o.issuer, clientId: o.clientId, clientSecret: secret, ca }, config.session.maxAgeHours * 3600_000);
  }
  const s = config.saml;
  let saml: SamlSignIn | null = null;
  if (s.idpSsoUrl && s.idpEntityId && s.idpCertFile) {
    const spEntityId = s.spEntityId ?? `${config.publicUrl}/auth/saml/metadata`;
    const { idpCertFile, ...rest } = s;
    saml = new SamlSignIn({ ...rest, idpSsoUrl: s.idpSsoUrl, idpEntityId: s.idpEntityId, idpCerts: readCertificates(idpCertFile, read), spEntityId });
  }
  const mapping = (source: FederatedSource) => deps.roleMappings.get(source);
  return {
    oidc,
    saml,
    externalSignIn: deps.externalSignIn,
    providers: () => [...(oidc ? [{ id: 'oidc' as const, label: o.label }] : []), ...(saml ? [{ id: 'saml' as const, label: s.label }] : [])],
    status: () => ({
      oidc: { configured: Boolean(oidc), settings: oidc ? shownSettings(config, 'oidc') : null, roleMapping: mapping('oidc') },
      saml: { configured: Boolean(saml), settings: saml ? { ...shownSettings(config, 'saml'), KEKKAI_SAML_SP_ENTITY_ID: saml.settings.spEntityId } : null, roleMapping: mapping('saml') },
    }),
    saveRoleMapping: (source, rules) => deps.roleMappings.save(source, rules),
    close: async () => {
      await oidc?.close();
    },
  };
}
