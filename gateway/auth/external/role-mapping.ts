/**
 * The ordered group → role table of an external source: the first rule whose group
 * the person belongs to gives the role; no match means no access (fail closed).
 * Pure functions; the table is kept in the settings store (role-mapping-store.ts) and
 * edited in the admin console.
 */
import { ROLES, type ExternalSource, type Role } from '../../store/repositories.js';
import { normalizeDn } from './distinguished-name.js';

export interface RoleMappingRule {
  /** LDAP: the group's DN; OIDC/SAML: a groups or roles claim value. */
  group: string;
  role: Role;
}

export const MAX_RULES = 100;
const MAX_GROUP_LENGTH = 1024;

/** Why one field of one rule is not acceptable (a message code of gateway/i18n/messages.ts). */
export interface RuleProblem {
  index: number;
  field: 'group' | 'role';
  code: 'role-mapping-group-empty' | 'role-mapping-group-dn' | 'role-mapping-group-long' | 'role-mapping-role' | 'role-mapping-duplicate';
}

/** Group names as a source compares them: LDAP DNs up to case and spacing, claim values exactly. */
function groupKey(source: ExternalSource, group: string): string | null {
  if (source === 'ldap' || source === 'kerberos') return normalizeDn(group);
  const trimmed = group.trim();
  return trimmed ? trimmed : null;
}

/** Checks a table as typed by an admin; an empty list means the table is acceptable. */
export function checkRoleMapping(source: ExternalSource, rules: ReadonlyArray<{ group: unknown; role: unknown }>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    const group = typeof rule.group === 'string' ? rule.group.trim() : '';
    if (!group) problems.push({ index, field: 'group', code: 'role-mapping-group-empty' });
    else if (group.length > MAX_GROUP_LENGTH) problems.push({ index, field: 'group', code: 'role-mapping-group-long' });
    else {
      const key = groupKey(source, group);
      if (key === null) problems.push({ index, field: 'group', code: 'role-mapping-group-dn' });
      else if (seen.has(key)) problems.push({ index, field: 'group', code: 'role-mapping-duplicate' });
      else seen.add(key);
    }
    if (!ROLES.includes(rule.role as Role)) problems.push({ index, field: 'role', code: 'role-mapping-role' });
  });
  return problems;
}

export interface RoleDecision {
  role: Role;
  /** Position of the rule that matched (0-based) and its group as configured. */
  ruleIndex: number;
  group: string;
}

/** The first rule whose group is among `groups`, or null. */
export function mapRole(source: ExternalSource, rules: readonly RoleMappingRule[], groups: readonly string[]): RoleDecision | null {
  const member = new Set(groups.map((g) => groupKey(source, g)).filter((k): k is string => k !== null));
  for (const [ruleIndex, rule] of rules.entries()) {
    const key = groupKey(source, rule.group);
    if (key !== null && member.has(key)) return { role: rule.role, ruleIndex, group: rule.group };
  }
  return null;
}
