/**
 * Every LDAP filter kekkai sends is built here. Values from outside — the name a
 * person types, a stored id, a DN — are escaped (RFC 4515, ldapts' `Filter.escape`)
 * and never concatenated raw: `*)(uid=*` stays a literal name that matches nobody.
 */
import { Filter } from 'ldapts';

/** Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: membership through nested groups. */
export const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';
/** Active Directory's bitwise AND (userAccountControl flags). */
export const BIT_AND_RULE = '1.2.840.113556.1.4.803';
/** userAccountControl ACCOUNTDISABLE. */
export const UAC_ACCOUNT_DISABLE = 0x2;

const esc = (value: string | Buffer) => Filter.escape(value);

/** The person with this sign-in name among the entries the user filter admits. */
export function userByLoginFilter(userFilter: string, loginAttribute: string, name: string): string {
  return `(&${userFilter}(${loginAttribute}=${esc(name)}))`;
}

/** The person with this stored id (objectGUID as AD's binary form, entryUUID as text). */
export function userByIdFilter(userFilter: string, idAttribute: 'objectGUID' | 'entryUUID', externalId: string): string | null {
  if (idAttribute === 'objectGUID') {
    const bytes = guidToBytes(externalId);
    return bytes ? `(&${userFilter}(objectGUID=${esc(bytes)}))` : null;
  }
  return `(&${userFilter}(entryUUID=${esc(externalId)}))`;
}

/** AD: every group the user is in, directly or through nested groups, in one search. */
export function inChainGroupsFilter(userDn: string): string {
  return `(member:${IN_CHAIN_RULE}:=${esc(userDn)})`;
}

/** Plain LDAP: groups that list any of these DNs (groupOfNames, groupOfUniqueNames), or the uid (posixGroup). */
export function directGroupsFilter(memberDns: readonly string[], uid?: string): string {
  const parts = memberDns.flatMap((dn) => [`(member=${esc(dn)})`, `(uniqueMember=${esc(dn)})`]);
  if (uid) parts.push(`(memberUid=${esc(uid)})`);
  return parts.length === 1 ? parts[0]! : `(|${parts.join('')})`;
}

/** AD objectGUID bytes → the usual text form (first three fields little-endian). */
export function guidToString(bytes: Buffer): string | null {
  if (bytes.length !== 16) return null;
  const hex = (b: Buffer) => b.toString('hex');
  const le = (start: number, end: number) => hex(Buffer.from(bytes.subarray(start, end)).reverse());
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(bytes.subarray(8, 10))}-${hex(bytes.subarray(10, 16))}`;
}

/** The text form back to AD's byte order, or null when it is not a GUID. */
export function guidToBytes(text: string): Buffer | null {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(text);
  if (!m) return null;
  const le = (h: string) => Buffer.from(h, 'hex').reverse();
  return Buffer.concat([le(m[1]!), le(m[2]!), le(m[3]!), Buffer.from(m[4]!, 'hex'), Buffer.from(m[5]!, 'hex')]);
}
