/**
 * Connection-source restriction: each role, and optionally each account, has
 * allowed address ranges (CIDRs). An empty list means "any address". When both
 * are set the account's ranges apply (they narrow or widen the role's for one person).
 */
import { cidrContains, parseCidr } from '../../policies/address-ranges.js';
import { ROLES, type Role, type SettingsRepository, type UserRecord } from '../store/repositories.js';

export type RoleSourceRanges = Record<Role, string[]>;

export const SOURCE_RANGES_KEY = 'sourceRanges';

export function roleSourceRanges(settings: SettingsRepository): RoleSourceRanges {
  const stored = (settings.get(SOURCE_RANGES_KEY) ?? {}) as Partial<RoleSourceRanges>;
  return Object.fromEntries(ROLES.map((role) => [role, stored[role] ?? []])) as RoleSourceRanges;
}

/** True when every entry is a CIDR (or a bare address). */
export function validCidrs(list: readonly string[]): boolean {
  return list.every((c) => parseCidr(c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`) !== null);
}

function inAny(ip: string, list: readonly string[]): boolean {
  const addr = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  return list.some((c) => {
    try {
      return cidrContains(c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`, addr);
    } catch {
      return false;
    }
  });
}

export function sourceAllowed(user: Pick<UserRecord, 'role' | 'allowedSources'>, ip: string, ranges: RoleSourceRanges): boolean {
  const list = user.allowedSources.length > 0 ? user.allowedSources : ranges[user.role];
  return list.length === 0 || inAny(ip, list);
}
