/**
 * Which groups a person is in, nested groups included. Active Directory answers in
 * one search with the in-chain matching rule. Other directories (OpenLDAP without
 * the memberof overlay, for example) are asked level by level: groups listing the
 * person, then groups listing those groups, … — at most MAX_DEPTH levels, each group
 * once, so a cycle of groups ends.
 */
import type { Client, Entry } from 'ldapts';
import { directGroupsFilter, inChainGroupsFilter } from './ldap-filters.js';
import type { LdapSettings } from './ldap-settings.js';

export const MAX_DEPTH = 8;
/** Group DNs asked about in one search (the filter stays small). */
const CHUNK = 25;
const MAX_GROUPS = 2000;

async function searchDns(client: Client, base: string, filter: string, paged: boolean): Promise<string[]> {
  const { searchEntries } = await client.search(base, { scope: 'sub', filter, attributes: ['1.1'], sizeLimit: paged ? 0 : MAX_GROUPS, ...(paged ? { paged: { pageSize: 500 } } : {}) });
  return searchEntries.map((e: Entry) => e.dn);
}

export async function groupsOf(client: Client, settings: Pick<LdapSettings, 'mode' | 'groupBaseDn'>, userDn: string, uid: string): Promise<string[]> {
  if (settings.mode === 'ad') return searchDns(client, settings.groupBaseDn, inChainGroupsFilter(userDn), true);
  const found = new Map<string, string>();
  let frontier = await searchDns(client, settings.groupBaseDn, directGroupsFilter([userDn], uid), false);
  for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0 && found.size < MAX_GROUPS; depth += 1) {
    const fresh = frontier.filter((dn) => !found.has(dn.toLowerCase()));
    for (const dn of fresh) found.set(dn.toLowerCase(), dn);
    const next: string[] = [];
    for (let i = 0; i < fresh.length; i += CHUNK) next.push(...(await searchDns(client, settings.groupBaseDn, directGroupsFilter(fresh.slice(i, i + CHUNK)), false)));
    frontier = next;
  }
  return [...found.values()];
}
