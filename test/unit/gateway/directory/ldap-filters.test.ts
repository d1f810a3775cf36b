import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { validLdapFilter } from '../../../../gateway/config/directory-config.js';
import { directGroupsFilter, guidToBytes, guidToString, inChainGroupsFilter, userByIdFilter, userByLoginFilter } from '../../../../gateway/directory/ldap-filters.js';

describe('LDAP filters', () => {
  it('escapes the typed name (RFC 4515), so filter syntax stays a literal value', () => {
    const filter = userByLoginFilter('(objectClass=user)', 'sAMAccountName', '*)(uid=*');
    expect(filter).toBe('(&(objectClass=user)(sAMAccountName=\\2a\\29\\28uid=\\2a))');
    // One equality test on the literal string, not an OR of presence tests.
    const parsed = FilterParser.parseString(filter).toString();
    expect(parsed).toBe('(&(objectClass=user)(sAMAccountName=\\2a\\29\\28uid=\\2a))');
    expect(userByLoginFilter('(a=b)', 'uid', 'back\\slash\u0000')).toBe('(&(a=b)(uid=back\\5cslash\\00))');
  });

  it('asks Active Directory for nested membership with the in-chain rule, the DN escaped', () => {
    expect(inChainGroupsFilter('CN=Tanaka (看護),OU=People,DC=h,DC=local')).toBe('(member:1.2.840.113556.1.4.1941:=CN=Tanaka \\28看護\\29,OU=People,DC=h,DC=local)');
  });

  it('asks other directories one level at a time for groupOfNames, groupOfUniqueNames and posixGroup', () => {
    expect(directGroupsFilter(['uid=a,dc=x'], 'a')).toBe('(|(member=uid=a,dc=x)(uniqueMember=uid=a,dc=x)(memberUid=a))');
    expect(directGroupsFilter(['cn=g*,dc=x'])).toBe('(|(member=cn=g\\2a,dc=x)(uniqueMember=cn=g\\2a,dc=x))');
  });

  it('finds a person by objectGUID in AD byte order and by entryUUID', () => {
    const guid = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const bytes = guidToBytes(guid)!;
    expect(bytes.toString('hex')).toBe('e004253f894fd3119a0c0305e82c3301');
    expect(guidToString(bytes)).toBe(guid);
    expect(userByIdFilter('(objectClass=user)', 'objectGUID', guid)).toBe('(&(objectClass=user)(objectGUID=\\e0\\04\\25\\3f\\89\\4f\\d3\\11\\9a\\0c\\03\\05\\e8\\2c\\33\\01))');
    expect(userByIdFilter('(o=p)', 'objectGUID', 'not-a-guid')).toBeNull();
    expect(userByIdFilter('(o=p)', 'entryUUID', 'x*')).toBe('(&(o=p)(entryUUID=x\\2a))');
  });

  it('accepts only balanced, parenthesised filters as settings', () => {
    expect(validLdapFilter('(&(objectCategory=person)(objectClass=user))')).toBe(true);
    expect(validLdapFilter('(userAccountControl:1.2.840.113556.1.4.803:=2)')).toBe(true);
    expect(validLdapFilter('(&(a=b)')).toBe(false);
    expect(validLdapFilter('objectClass=user')).toBe(false);
    expect(validLdapFilter('(a=b))(')).toBe(false);
  });
});
