/**
 * A person as a directory or identity provider vouches for them, after it checked
 * their credentials (LDAP bind, OIDC tokens, SAML assertion, Kerberos ticket). Every
 * external sign-in ends in `ExternalSignIn.complete(identity, …)`, which maps the
 * groups to a role, provisions or updates the local account record and applies the
 * same rules as local sign-in (docs/directory-sign-in.md).
 */
import type { ExternalSource } from '../../store/repositories.js';

export interface ExternalIdentity {
  source: ExternalSource;
  /**
   * Stable id at the source that survives renames: AD objectGUID, OpenLDAP entryUUID
   * (the DN when the directory has neither), the OIDC `sub`, the SAML NameID.
   */
  externalId: string;
  /** The name the person signs in with (sAMAccountName, uid, preferred_username…); the local account's name. */
  loginName: string;
  displayName: string;
  /** Group identifiers as the source names them (LDAP: DNs, transitive; OIDC: claim values). */
  groups: string[];
  department: string;
  jobTitle: string;
  /** The source says the person proved a second factor (OIDC amr/acr, SAML AuthnContext). */
  mfa: boolean;
  /** The source says the account is disabled (AD userAccountControl bit 2, a configured LDAP filter). */
  disabled: boolean;
  /** Where the source keeps the person (an LDAP DN), for audit records and the console's user test. */
  locator?: string;
}

/** Names a local account may have (same rule as the admin console's). */
export const ACCOUNT_NAME_RULE = /^[\p{L}\p{N}._@-]{1,64}$/u;
