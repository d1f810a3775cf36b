/**
 * Where each source's role-mapping table lives: the settings store, one key per source,
 * so the admin console changes it without a restart and backups carry it.
 */
import type { ExternalSource, SettingsRepository } from '../../store/repositories.js';
import { checkRoleMapping, type RoleMappingRule } from './role-mapping.js';

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

  /** Stores a table that passed `checkRoleMapping`; returns the one it replaced. */
  set(source: ExternalSource, rules: readonly RoleMappingRule[]): RoleMappingRule[] {
    const before = this.get(source);
    this.settings.set(key(source), rules.map((r) => ({ group: r.group.trim(), role: r.role })));
    return before;
  }
}
