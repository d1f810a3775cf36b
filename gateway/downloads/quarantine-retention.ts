/**
 * Retention of the quarantine: originals older than `download.quarantineRetentionDays`
 * (default 90) are deleted — index row and encrypted blob — and each run that deleted
 * anything leaves one `quarantine-retention` audit record with the count and the ids.
 * The timer runs once at start and then daily; it never keeps the process alive.
 */
import type { AuditSink } from '../audit/audit-setup.js';
import type { QuarantineStore } from './quarantine-store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Records listed per round trip; the created_at index serves `until` + LIMIT. */
const BATCH = 1000;

export interface PurgeOptions {
  retentionDays: number;
  /** Clock (default: the current time). */
  now?: () => Date;
  audit: AuditSink;
  /** Stops between records (shutdown); what was deleted so far is still audited. */
  signal?: AbortSignal;
}

export interface PurgeResult {
  /** ISO time: records created before it were due. */
  cutoff: string;
  deleted: string[];
  /** Records that could not be deleted (they are retried on the next run). */
  failed: Array<{ id: string; error: string }>;
}

/** Deletes every quarantine record created more than `retentionDays` ago. */
export async function purgeExpired(quarantine: Pick<QuarantineStore, 'list' | 'delete'>, o: PurgeOptions): Promise<PurgeResult> {
  if (!Number.isInteger(o.retentionDays) || o.retentionDays < 1) throw new RangeError(`retentionDays must be a positive integer, got ${o.retentionDays}`);
  const cutoff = new Date((o.now ?? (() => new Date()))().getTime() - o.retentionDays * DAY_MS).toISOString();
  const deleted: string[] = [];
  const failed: PurgeResult['failed'] = [];
  const skip = new Set<string>();
  try {
    for (;;) {
      const due = quarantine.list({ until: cutoff, limit: BATCH + skip.size }).filter((r) => !skip.has(r.id));
      if (due.length === 0) break;
      for (const { id } of due) {
        if (o.signal?.aborted) return { cutoff, deleted, failed };
        try {
          // false: gone meanwhile (deleted by the security team) — not ours to report.
          if (await quarantine.delete(id)) deleted.push(id);
        } catch (err) {
          failed.push({ id, error: String((err as Error)?.message ?? err) });
          skip.add(id);
        }
      }
    }
    return { cutoff, deleted, failed };
  } finally {
    if (deleted.length || failed.length) {
      o.audit.record({
        event: 'quarantine-retention',
        outcome: failed.length ? 'error' : 'success',
        details: { retentionDays: o.retentionDays, cutoff, count: deleted.length, ids: deleted, ...(failed.length ? { failed } : {}) },
      });
    }
  }
}

export interface RetentionTimer {
  /** No further runs; resolves once a run in progress has stopped (call before closing the database). */
  stop(): Promise<void>;
}

/**
 * Runs `fn` now and then every `intervalMs` (default one day), never two runs at
 * once. The interval is unref'd. A failing run is reported to `onError` and the
 * next one is tried as scheduled.
 */
export function startRetentionTimer(
  fn: (signal: AbortSignal) => Promise<unknown>,
  intervalMs: number = DAY_MS,
  onError: (err: unknown) => void = () => undefined,
): RetentionTimer {
  const abort = new AbortController();
  let running: Promise<void> | undefined;
  const run = (): void => {
    if (running || abort.signal.aborted) return;
    running = Promise.resolve()
      .then(() => fn(abort.signal))
      .then(
        () => undefined,
        (err: unknown) => onError(err),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  run();
  return {
    stop: async () => {
      abort.abort();
      clearInterval(timer);
      await running;
    },
  };
}
