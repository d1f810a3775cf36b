import { describe, expect, it } from 'vitest';
import { normalizeDn, parseDn } from '../../../../gateway/auth/external/distinguished-name.js';
import { checkRoleMapping, mapRole } from '../../../../gateway/auth/external/role-mapping.js';

describe('distinguished names', () => {
  it('compare equal up to case and spacing, escapes decoded', () => {
    expect(normalizeDn('CN=Kekkai Staff, OU=Groups,DC=Hospital,DC=local')).toBe(normalizeDn('cn=kekkai staff,ou=groups,dc=hospital,dc=local'));
    expect(normalizeDn('CN=Sato\\, Ichiro,OU=People,DC=h')).toBe(normalizeDn('cn=sato\\2C ichiro,ou=people,dc=h'));
    expect(normalizeDn('CN=a+UID=b,DC=h')).toBe(normalizeDn('uid=b+cn=a,dc=h'));
    expect(normalizeDn('CN=看護部,DC=h')).toBe(normalizeDn('cn=\\E7\\9C\\8B\\E8\\AD\\B7\\E9\\83\\A8,dc=h'));
  });

  it('are refused when a part is not type=value', () => {
    for (const bad of ['kekkai-staff', 'CN=,DC=h', '=x,DC=h', 'CN=a,', 'CN=a\\']) expect(parseDn(bad), bad).toBeNull();
  });
});

describe('role mapping', () => {
  const rules = [
    { group: 'CN=kekkai-admins,OU=Groups,DC=h', role: 'admin' as const },
    { group: 'CN=kekkai-staff,OU=Groups,DC=h', role: 'staff' as const },
  ];

  it('takes the first rule whose group the person is in', () => {
    const both = ['cn=kekkai-staff,ou=groups,dc=h', 'cn=KEKKAI-ADMINS,ou=groups,dc=h'];
    expect(mapRole('ldap', rules, both)).toEqual({ role: 'admin', ruleIndex: 0, group: rules[0]!.group });
    expect(mapRole('ldap', rules, ['cn=kekkai-staff, ou=groups, dc=h'])?.role).toBe('staff');
  });

  it('gives no role without a matching group (no access)', () => {
    expect(mapRole('ldap', rules, ['cn=other,ou=groups,dc=h'])).toBeNull();
    expect(mapRole('ldap', [], ['cn=kekkai-staff,ou=groups,dc=h'])).toBeNull();
  });

  it('compares claim values of other sources exactly', () => {
    expect(mapRole('oidc', [{ group: 'kekkai-staff', role: 'staff' }], ['Kekkai-Staff'])).toBeNull();
    expect(mapRole('oidc', [{ group: 'kekkai-staff', role: 'staff' }], ['kekkai-staff'])?.role).toBe('staff');
  });

  it('reports each bad field with its row', () => {
    const problems = checkRoleMapping('ldap', [
      { group: 'CN=a,DC=h', role: 'staff' },
      { group: 'staff-group', role: 'staff' },
      { group: 'cn=A, dc=h', role: 'admin' },
      { group: '', role: 'root' },
    ]);
    expect(problems).toEqual([
      { index: 1, field: 'group', code: 'role-mapping-group-dn' },
      { index: 2, field: 'group', code: 'role-mapping-duplicate' },
      { index: 3, field: 'group', code: 'role-mapping-group-empty' },
      { index: 3, field: 'role', code: 'role-mapping-role' },
    ]);
  });
});
