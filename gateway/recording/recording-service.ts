/**
 * Who is recorded, and the recordings' lifetime (docs/recording.md): starts a
 * SessionRecorder for a viewer connection when the configuration says this user's
 * sessions are recorded, tells the viewer's banner, and deletes recordings past
 * their retention (hourly, audited as `recording-retention`).
 */
import type { AuditSink } from '../audit/audit-setup.js';
import type { Config } from '../config/config-schema.js';
import type { Role } from '../store/repositories.js';
import type { RecordingOwner, RecordingStore } from './recording-store.js';
import { SessionRecorder } from './session-recorder.js';

const RETENTION_CHECK_MS = 60 * 60 * 1000;

export class RecordingService {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly store: RecordingStore,
    private readonly settings: Config['recording'],
    private readonly audit: AuditSink,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether this role's sessions are recorded. */
  records(role: Role): boolean {
    return this.settings.enabled && this.settings.roles.includes(role);
  }

  /** The banner text for a recorded user, or null. */
  bannerFor(role: Role): string | null {
    return this.records(role) ? this.settings.banner : null;
  }

  /** A recorder for one viewer connection, or null when this user is not recorded. */
  start(owner: RecordingOwner & { role: Role }): SessionRecorder | null {
    if (!this.records(owner.role)) return null;
    const { file, progress } = this.store.create(owner);
    return new SessionRecorder(file, progress, { maxFps: this.settings.maxFps, sites: this.settings.sites });
  }

  /** Deletes recordings older than the retention now and every hour. */
  startRetention(): void {
    const run = (): void => void this.purge().catch(() => undefined);
    run();
    this.timer = setInterval(run, RETENTION_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Deletes what is past retention; returns how many. */
  async purge(): Promise<number> {
    const before = new Date(this.now().getTime() - this.settings.retentionDays * 86_400_000);
    const removed = await this.store.purgeBefore(before);
    if (removed > 0) this.audit.record({ userId: null, userName: null, event: 'recording-retention', outcome: 'success', details: { removed, before: before.toISOString(), retentionDays: this.settings.retentionDays } });
    return removed;
  }
}
