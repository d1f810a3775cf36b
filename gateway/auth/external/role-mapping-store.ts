/**
 * Where each source's role-mapping table lives: the settings store, one key per source,
 * so the admin console changes it without a restart and backups carry it.
 */
import type { ExternalSource, SettingsRepository } from '../../store/repositories.js';
import { checkRoleMapping, MAX_RULES, type RoleMappingRule, type RuleProblem } from './role-mapping.js';

/** The outcome of saving a table typed in the console: before/after for the audit record, or the problems per row. */
export type RoleMappingSave = { ok: true; before: RoleMappingRule[]; after: RoleMappingRule[] } | { ok: false; problems: RuleProblem[]; tooMany?: boolean };

const key = (source: ExternalSource) => `roleMapping.${source}`;

export class RoleMappingStore {
  constructor(private readonly settings: SettingsRepository) {}

  /** The stored table; a damaged entry reads as empty (nobody is let in). */
  get(source: ExternalSource): RoleMappingRule[] {
    const stored = this.settings.get(key(source));
    if (!Array.isArray(stored)) return [];
    const rules = stored as Array<{ group: unknown; role: unknown }>;
    return checkRoleMapping(source, rules).length === 0 ? (rules as RoleMappingRule[]) : [];
  }

  /** Checks a table as typed in the console and stores it when every row is acceptable. */
  save(source: ExternalSource, rules: Array<{ group: unknown; role: unknown }>): RoleMappingSave {
    if (rules.length > MAX_RULES) return { ok: false, problems: [], tooMany: true };
    const problems = checkRoleMapping(source, rules);
    if (problems.length) return { ok: false, problems };
    const before = this.set(source, rules as RoleMappingRule[]);
    return { ok: true, before, after: this.get(source) };
  }

  /** Stores a table that passed `checkRoleMapping`; returns the one it replaced. */
  set(source: ExternalSource, rules: readonly RoleMappingRule[]): RoleMappingRule[] {
    const before = this.get(source);
    this.settings.set(key(source), rules.map((r) => ({ group: r.group.trim(), role: r.role })));
    return before;
  }
}
