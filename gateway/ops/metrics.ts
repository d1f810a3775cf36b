/**
 * Prometheus metrics of one gateway. Product code calls the `Metrics` facade
 * (`frameSent`, `download`, …) and never imports prom-client; the registry is
 * private to the instance (not prom-client's global one), so tests and several
 * apps in one process do not share counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BackupStatus } from './backup-status.js';

/** Input-to-frame latency buckets, seconds: 10 ms … 2 s. */
export const INPUT_TO_FRAME_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2] as const;
/** Sanitizer job duration buckets, seconds: 50 ms … 2 min. */
export const SANITIZER_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] as const;

export type DownloadVerdict = 'sanitized' | 'blocked' | 'passed';

export interface MetricsOptions {
  /** Number of browser sessions right now; read at every scrape. */
  activeSessions?: () => number;
  /** Process metrics (CPU, memory, event loop, GC); default true. */
  processMetrics?: boolean;
}

/** One browser worker's load, as the worker pool reports it. */
export interface WorkerLoad {
  ready: boolean;
  draining: boolean;
  sessions: number;
}

export class Metrics {
  /** `text/plain; version=0.0.4; charset=utf-8` */
  readonly contentType: string;
  private readonly registry = new Registry();
  private activeSessionsSource: () => number;
  private readonly framesSent: Counter;
  private readonly frameBytesSent: Counter;
  private readonly inputToFrameSeconds: Histogram;
  private readonly downloads: Counter<'verdict' | 'reason'>;
  private readonly sanitizerSeconds: Histogram<'type'>;
  private readonly policyRefusals: Counter<'kind'>;
  private readonly browserRestarts: Counter;
  private readonly clamdUpGauge: Gauge;
  private workerSource: () => WorkerLoad[] = () => [];
  private backupSource: () => BackupStatus | null = () => null;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.contentType = this.registry.contentType;
    this.activeSessionsSource = options.activeSessions ?? (() => 0);
    const source = (): number => this.activeSessionsSource();
    new Gauge({
      name: 'kekkai_active_sessions',
      help: 'Browser sessions on this gateway',
      registers,
      collect() {
        this.set(source());
      },
    });
    this.framesSent = new Counter({ name: 'kekkai_frames_sent_total', help: 'Frames sent to viewers', registers });
    this.frameBytesSent = new Counter({ name: 'kekkai_frame_bytes_sent_total', help: 'Bytes of frame images sent to viewers', registers });
    this.inputToFrameSeconds = new Histogram({
      name: 'kekkai_input_to_frame_seconds',
      help: 'Time from a viewer input event to the next frame sent, seconds',
      buckets: [...INPUT_TO_FRAME_BUCKETS],
      registers,
    });
    this.downloads = new Counter({ name: 'kekkai_downloads_total', help: 'Downloads by verdict and reason', labelNames: ['verdict', 'reason'], registers });
    this.sanitizerSeconds = new Histogram({
      name: 'kekkai_sanitizer_duration_seconds',
      help: 'Sanitizer job duration by file type, seconds',
      labelNames: ['type'],
      buckets: [...SANITIZER_BUCKETS],
      registers,
    });
    this.policyRefusals = new Counter({ name: 'kekkai_policy_refusals_total', help: 'Requests refused by policy, by kind', labelNames: ['kind'], registers });
    this.browserRestarts = new Counter({ name: 'kekkai_browser_restarts_total', help: 'Chromium restarts after it exited unexpectedly', registers });
    this.clamdUpGauge = new Gauge({ name: 'kekkai_clamd_up', help: '1 when the last clamd check succeeded, else 0', registers });
    const workers = (): WorkerLoad[] => this.workerSource();
    new Gauge({
      name: 'kekkai_workers',
      help: 'Browser workers by state (ready takes sessions; draining takes no new ones; starting is not ready yet)',
      labelNames: ['state'],
      registers,
      collect() {
        const all = workers();
        this.set({ state: 'ready' }, all.filter((w) => w.ready && !w.draining).length);
        this.set({ state: 'draining' }, all.filter((w) => w.ready && w.draining).length);
        this.set({ state: 'starting' }, all.filter((w) => !w.ready).length);
      },
    });
    new Gauge({
      name: 'kekkai_sessions_per_worker',
      help: 'Browser sessions per ready, non-draining worker (the scale-out signal; sessions on draining workers count too)',
      registers,
      collect() {
        const all = workers();
        const taking = all.filter((w) => w.ready && !w.draining).length;
        const sessions = all.reduce((sum, w) => sum + w.sessions, 0);
        // No worker taking sessions while some exist: report them all as the load of one.
        this.set(taking > 0 ? sessions / taking : sessions);
      },
    });
    const backups = (): BackupStatus | null => this.backupSource();
    new Gauge({
      name: 'kekkai_backup_last_success_timestamp_seconds',
      help: 'Unix time of the last successful scheduled backup (0: none yet); alert when it is older than a day',
      registers,
      collect() {
        const at = backups()?.lastSuccessAt;
        this.set(at ? Date.parse(at) / 1000 : 0);
      },
    });
    new Gauge({
      name: 'kekkai_backup_last_run_ok',
      help: '1 when the latest scheduled backup succeeded, 0 when it failed or none ran yet',
      registers,
      collect() {
        this.set(backups()?.ok ? 1 : 0);
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the kekkai_backup_* gauges are read from (backup-status.json, written by `kekkai backup --scheduled`). */
  setBackupSource(source: () => BackupStatus | null): void {
    this.backupSource = source;
  }

  /** Where kekkai_workers and kekkai_sessions_per_worker are read from (the worker pool). */
  setWorkerSource(source: () => WorkerLoad[]): void {
    this.workerSource = source;
  }

  /** Sets (or replaces) where kekkai_active_sessions is read from. */
  setActiveSessionsSource(source: () => number): void {
    this.activeSessionsSource = source;
  }

  /** One frame of `bytes` bytes went to a viewer. */
  frameSent(bytes: number): void {
    this.framesSent.inc();
    if (bytes > 0) this.frameBytesSent.inc(bytes);
  }

  /** Latency from an input event to the first frame after it. */
  inputToFrame(seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.inputToFrameSeconds.observe(seconds);
  }

  /** A download ended with `verdict`; `reason` is a stable reason code ('' / 'none' when released clean). */
  download(verdict: DownloadVerdict | string, reason: string | null = null): void {
    this.downloads.inc({ verdict, reason: reason ?? 'none' });
  }

  /** One sanitizer job for a file of `type` (e.g. 'pdf', 'image', 'office') took `seconds`. */
  sanitizerDuration(type: string, seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.sanitizerSeconds.observe({ type }, seconds);
  }

  /** A request was refused by policy (`kind`: e.g. 'url', 'egress', 'upload', 'clipboard'). */
  policyRefusal(kind: string): void {
    this.policyRefusals.inc({ kind });
  }

  /** Chromium exited unexpectedly and was started again. */
  browserRestarted(): void {
    this.browserRestarts.inc();
  }

  /** Result of the latest clamd check. */
  clamdUp(up: boolean): void {
    this.clamdUpGauge.set(up ? 1 : 0);
  }

  /** The exposition text for a scrape. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
