/**
 * The leak guard in force (policies/leak-guard.ts) and the one place that judges
 * outgoing text with it: pastes and IME/dictation text on the viewer socket, and
 * uploaded files (upload.http.ts). Every finding is audited (`leak-guard`) with the
 * values masked; a block or a warning without a reason stops the text, a warning
 * with the user's reason and a log-only finding let it through.
 *
 * The policy is kept in the settings store (the admin console edits it, audited as
 * `leak-guard-policy`); a fresh install uses DEFAULT_LEAK_GUARD_POLICY.
 */
import type { Role } from '../store/repositories.js';
import type { SettingsRepository } from '../store/repositories.js';
import type { AuditSink } from '../audit/audit-setup.js';
import {
  DEFAULT_LEAK_GUARD_POLICY, parseLeakGuardPolicy, scanForLeaks, strictestAction,
  type LeakChannel, type LeakGuardPolicy, type LeakMatch,
} from '../../policies/leak-guard.js';

const SETTINGS_KEY = 'leakGuard';
/** Longest reason a user may give for sending text a rule warns about. */
export const MAX_LEAK_REASON = 500;

/** Who sends the text, for the audit record. */
export interface LeakActor {
  userId: number | null;
  userName: string | null;
  role: Role | null;
  sourceIp: string | null;
}

/** What the caller must do with the text. */
export type LeakDecision =
  | { verdict: 'pass'; matches: LeakMatch[] }
  | { verdict: 'block' | 'warn'; matches: LeakMatch[]; ruleNames: string[] };

export interface LeakContext {
  /** Page the text goes to, when known. */
  site?: string | undefined;
  /** Uploaded file name. */
  fileName?: string | undefined;
  /** The user's reason for sending text a rule warns about (already trimmed, ≤ MAX_LEAK_REASON). */
  reason?: string | undefined;
}

export class LeakGuardService {
  private cached: LeakGuardPolicy | null = null;

  constructor(
    private readonly repo: SettingsRepository,
    private readonly audit: AuditSink,
  ) {}

  /** The policy in force; a stored policy that no longer validates falls back to the default (fail closed to My Number blocking). */
  policy(): LeakGuardPolicy {
    if (this.cached) return this.cached;
    const stored = this.repo.get(SETTINGS_KEY);
    let policy = DEFAULT_LEAK_GUARD_POLICY;
    if (stored !== undefined && stored !== null) {
      try {
        policy = parseLeakGuardPolicy(stored);
      } catch {
        policy = DEFAULT_LEAK_GUARD_POLICY;
      }
    }
    this.cached = policy;
    return policy;
  }

  /** Replaces the policy (validated by the caller's parse) and audits before and after. */
  update(next: LeakGuardPolicy, actor: LeakActor): void {
    const before = this.policy();
    this.repo.set(SETTINGS_KEY, next);
    this.cached = null;
    this.audit.record({ ...actor, event: 'leak-guard-policy', outcome: 'success', details: { before: summary(before), after: summary(next) } });
  }

  /** Whether any enabled rule looks at this channel (an upload's text need not be extracted otherwise). */
  guards(channel: LeakChannel): boolean {
    return this.policy().rules.some((rule) => rule.enabled && rule.channels.includes(channel));
  }

  /** Records a file whose text could not be read, which the caller refuses (fail closed). */
  unreadable(actor: LeakActor, context: LeakContext & { detail: string }): void {
    this.audit.record({
      ...actor,
      event: 'leak-guard',
      outcome: 'blocked',
      details: { channel: 'upload', unreadable: context.detail.slice(0, 300), ...(context.site ? { site: context.site.slice(0, 2000) } : {}), ...(context.fileName ? { name: context.fileName.slice(0, 255) } : {}) },
    });
  }

  /** Finds nothing and records nothing when no rule applies; otherwise audits the finding and says what to do. */
  check(channel: LeakChannel, text: string, actor: LeakActor, context: LeakContext = {}): LeakDecision {
    const matches = scanForLeaks(this.policy(), channel, text);
    const action = strictestAction(matches);
    if (!action) return { verdict: 'pass', matches };
    const reason = context.reason?.trim().slice(0, MAX_LEAK_REASON) || undefined;
    const verdict = action === 'block' ? 'block' : action === 'warn' && !reason ? 'warn' : 'pass';
    const outcome = verdict === 'block' ? 'blocked' : verdict === 'warn' ? 'warned' : action === 'warn' ? 'allowed-with-reason' : 'logged';
    this.audit.record({
      ...actor,
      event: 'leak-guard',
      outcome,
      details: {
        channel,
        ...(context.site ? { site: context.site.slice(0, 2000) } : {}),
        ...(context.fileName ? { name: context.fileName.slice(0, 255) } : {}),
        rules: [...new Set(matches.map((m) => m.ruleId))],
        masked: matches.map((m) => m.masked),
        ...(reason && action === 'warn' ? { reason } : {}),
      },
    });
    if (verdict === 'pass') return { verdict, matches };
    const ruleNames = [...new Set(matches.filter((m) => m.action === action).map((m) => m.ruleName))];
    return { verdict, matches, ruleNames };
  }
}

function summary(policy: LeakGuardPolicy): Array<Record<string, unknown>> {
  return policy.rules.map((r) => ({ id: r.id, detector: r.detector, action: r.action, channels: r.channels, enabled: r.enabled, ...(r.pattern ? { pattern: r.pattern } : {}) }));
}
