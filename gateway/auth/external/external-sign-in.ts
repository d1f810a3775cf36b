/**
 * The one way an external identity becomes a signed-in session, whatever proved it
 * (LDAP bind today; OIDC, SAML and Kerberos reuse it): role from the group mapping,
 * account provisioned or updated, then the rules every sign-in keeps — disabled,
 * expiry, source ranges, second factor for admin and security (kekkai's TOTP, or the
 * provider's MFA claim where the settings trust it).
 */
import type { JsonValue } from '../../audit/audit-event.js';
import type { ExternalSource, UserRecord, UserRepository } from '../../store/repositories.js';
import type { AuthService, SignInResult } from '../auth-service.js';
import type { ExternalAccounts } from './external-accounts.js';
import { ACCOUNT_NAME_RULE, type ExternalIdentity } from './external-identity.js';
import type { RoleMappingStore } from './role-mapping-store.js';
import { mapRole } from './role-mapping.js';

export interface ExternalSignInDeps {
  auth: Pick<AuthService, 'refusal' | 'continueSignIn'>;
  users: UserRepository;
  roleMappings: RoleMappingStore;
  accounts: ExternalAccounts;
  /** Sources whose MFA claim may stand in for kekkai's TOTP (KEKKAI_TRUST_IDP_MFA). */
  trustMfa: readonly ExternalSource[];
}

export class ExternalSignIn {
  constructor(private readonly deps: ExternalSignInDeps) {}

  /** Signs in (or refuses) a person the source has just authenticated. */
  async complete(identity: ExternalIdentity, sourceIp: string, opts: { firstStep?: Record<string, JsonValue> } = {}): Promise<SignInResult> {
    const { users, accounts, roleMappings } = this.deps;
    const cause = { source: 'sign-in', sourceIp } as const;
    const facts: Record<string, JsonValue> = { authSource: identity.source, ...(identity.locator ? { locator: identity.locator } : {}) };
    let user = users.findByExternalId(identity.source, identity.externalId);
    if (identity.disabled) {
      if (user) user = await accounts.disable(user, 'disabled-in-directory', cause);
      return { failure: 'directory-disabled', ...(user ? { user } : {}), details: facts };
    }
    const decision = mapRole(identity.source, roleMappings.get(identity.source), identity.groups);
    if (!decision) {
      if (user) user = await accounts.disable(user, 'no-mapped-group', cause);
      return { failure: 'no-mapped-group', ...(user ? { user } : {}), details: { ...facts, groups: identity.groups.slice(0, 50) } };
    }
    if (!user) {
      const refused = this.refuseNew(identity, facts);
      if (refused) return refused;
      user = accounts.provision(identity, decision.role, cause);
    } else {
      user = await accounts.update(user, { role: decision.role, department: identity.department, jobTitle: identity.jobTitle }, cause);
    }
    const refusal = this.deps.auth.refusal(user, sourceIp);
    if (refusal) return { failure: refusal, user, details: facts };
    const idpMfa = identity.mfa && this.deps.trustMfa.includes(identity.source);
    return this.deps.auth.continueSignIn(user, sourceIp, { idpMfa, ...(opts.firstStep ? { firstStep: opts.firstStep } : {}) });
  }

  /** Why no account may be made for this identity: a name kekkai cannot use, or one a different account holds. */
  private refuseNew(identity: ExternalIdentity, facts: Record<string, JsonValue>): SignInResult | null {
    if (!ACCOUNT_NAME_RULE.test(identity.loginName)) return { failure: 'external-name-invalid', details: facts };
    const holder: UserRecord | undefined = this.deps.users.findByName(identity.loginName);
    if (holder) return { failure: 'name-conflict', details: { ...facts, existingAccount: holder.name, existingSource: holder.authSource } };
    return null;
  }
}
