/**
 * The shared completion path for external identities (what OIDC, SAML and Kerberos will
 * call), on the real store and AuthService: an identity provider's MFA claim replaces
 * TOTP only when trusted, and expiry and source ranges still apply.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignInResult } from '../../../gateway/auth/auth-service.js';
import { ExternalAccounts } from '../../../gateway/auth/external/external-accounts.js';
import type { ExternalIdentity } from '../../../gateway/auth/external/external-identity.js';
import { ExternalSignIn } from '../../../gateway/auth/external/external-sign-in.js';
import { RoleMappingStore } from '../../../gateway/auth/external/role-mapping-store.js';
import type { ExternalSource } from '../../../gateway/store/repositories.js';
import { buildTestApp, type AppHarness } from '../gateway/app-harness.js';

let h: AppHarness;
beforeEach(async () => {
  h = await buildTestApp();
  new RoleMappingStore(h.store.settings).set('oidc', [
    { group: 'kekkai-admins', role: 'admin' },
    { group: 'kekkai-users', role: 'staff' },
  ]);
});
afterEach(async () => {
  await h.close();
});

function signIn(trustMfa: ExternalSource[] = []) {
  const roleMappings = new RoleMappingStore(h.store.settings);
  const accounts = new ExternalAccounts(h.store.users, h.audit, async () => ({}));
  return new ExternalSignIn({ auth: h.auth, users: h.store.users, roleMappings, accounts, trustMfa });
}

const person = (over: Partial<ExternalIdentity> = {}): ExternalIdentity => ({
  source: 'oidc',
  externalId: 'sub-1234',
  loginName: 'ito',
  displayName: '伊藤',
  groups: ['kekkai-admins'],
  department: '情報システム課',
  jobTitle: '係長',
  mfa: true,
  disabled: false,
  ...over,
});

const kind = (r: SignInResult) => ('failure' in r ? r.failure : 'pending' in r ? `pending:${r.pending}` : `session${r.secondFactor ? `:${r.secondFactor}` : ''}`);

describe('ExternalSignIn.complete', () => {
  it('lets a trusted provider\'s MFA stand in for TOTP for an admin, and says so in the result', async () => {
    const result = await signIn(['oidc']).complete(person(), '10.0.0.5');
    expect(kind(result)).toBe('session:idp-mfa');
    expect(h.store.users.findByName('ito')).toMatchObject({ authSource: 'oidc', externalId: 'sub-1234', role: 'admin', department: '情報システム課' });
  });

  it('asks for kekkai\'s TOTP when the provider is not trusted or vouches for no MFA', async () => {
    expect(kind(await signIn([]).complete(person(), '10.0.0.5'))).toBe('pending:enrol');
    expect(kind(await signIn(['oidc']).complete(person({ mfa: false }), '10.0.0.5'))).toBe('pending:enrol');
    expect(kind(await signIn(['oidc']).complete(person({ groups: ['kekkai-users'], mfa: false }), '10.0.0.5'))).toBe('session');
  });

  it('keeps expiry and source ranges for external accounts', async () => {
    await signIn(['oidc']).complete(person(), '10.0.0.5');
    const id = h.store.users.findByName('ito')!.id;
    h.store.users.update(id, { allowedSources: ['192.168.1.0/24'] });
    expect(kind(await signIn(['oidc']).complete(person(), '10.0.0.5'))).toBe('source-not-allowed');
    h.store.users.update(id, { allowedSources: [], expiresOn: '2000-01-01' });
    expect(kind(await signIn(['oidc']).complete(person(), '10.0.0.5'))).toBe('account-expired');
  });

  it('follows the provider on later sign-ins and refuses a name a local account holds', async () => {
    await signIn().complete(person({ groups: ['kekkai-users'] }), '10.0.0.5');
    await signIn().complete(person({ groups: ['kekkai-users'], department: '医事課' }), '10.0.0.5');
    expect(h.store.users.findByName('ito')?.department).toBe('医事課');
    expect(kind(await signIn().complete(person({ externalId: 'other', loginName: 'nurse', groups: ['kekkai-users'] }), '10.0.0.5'))).toBe('name-conflict');
    expect(h.store.users.findByName('nurse')?.authSource).toBe('local');
  });
});
