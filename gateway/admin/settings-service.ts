/**
 * Operator settings kept in the store (the admin console edits them): idle timeout,
 * tab cap and the connection-source ranges per role. Unset values fall back to the
 * configuration, so a fresh install behaves as configured.
 */
import { roleSourceRanges, SOURCE_RANGES_KEY, type RoleSourceRanges } from '../auth/source-ranges.js';
import type { SettingsRepository } from '../store/repositories.js';
import { readStartLinks, writeStartLinks, type StartLinks } from './start-links.js';

export interface OperatorSettings {
  idleTimeoutSeconds: number;
  maxTabs: number;
  sourceRanges: RoleSourceRanges;
}

export interface SettingsDefaults {
  idleTimeoutSeconds: number;
  maxTabs: number;
}

export class SettingsService {
  constructor(
    private readonly repo: SettingsRepository,
    private readonly defaults: SettingsDefaults,
  ) {}

  /** The current settings; cheap enough to call per session start. */
  get(): OperatorSettings {
    const idle = this.repo.get('idleTimeoutSeconds');
    const tabs = this.repo.get('maxTabs');
    return {
      idleTimeoutSeconds: typeof idle === 'number' ? idle : this.defaults.idleTimeoutSeconds,
      maxTabs: typeof tabs === 'number' ? tabs : this.defaults.maxTabs,
      sourceRanges: roleSourceRanges(this.repo),
    };
  }

  /** Stores the given fields (already validated) and returns before and after. */
  update(patch: { idleTimeoutSeconds?: number | undefined; maxTabs?: number | undefined; sourceRanges?: Partial<RoleSourceRanges> | undefined }): { before: OperatorSettings; after: OperatorSettings } {
    const before = this.get();
    if (patch.idleTimeoutSeconds !== undefined) this.repo.set('idleTimeoutSeconds', patch.idleTimeoutSeconds);
    if (patch.maxTabs !== undefined) this.repo.set('maxTabs', patch.maxTabs);
    if (patch.sourceRanges !== undefined) this.repo.set(SOURCE_RANGES_KEY, { ...before.sourceRanges, ...Object.fromEntries(Object.entries(patch.sourceRanges).filter(([, v]) => v !== undefined)) });
    return { before, after: this.get() };
  }

  /** The viewer's start page: the hospital's links (admin console, start page). */
  startLinks(): StartLinks {
    return readStartLinks(this.repo);
  }

  setStartLinks(value: StartLinks): { before: StartLinks; after: StartLinks } {
    return writeStartLinks(this.repo, value);
  }
}
