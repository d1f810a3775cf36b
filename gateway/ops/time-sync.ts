/**
 * Whether the gateway's clock is synchronised (NTP), for the compliance page: the
 * guideline asks that access logs carry correct times, which holds only while the
 * clock follows a time source. Asked of the system's own tools — systemd's
 * `timedatectl`, else chrony's `chronyc` — and "unknown" (with the reason) when neither
 * answers, e.g. in a container; kekkai does not set the clock itself.
 */
import { execFile } from 'node:child_process';

export type TimeSyncState = 'synchronized' | 'unsynchronized' | 'unknown';

export interface TimeSync {
  state: TimeSyncState;
  /** The tool that answered, or null. */
  source: 'timedatectl' | 'chronyc' | null;
  /** What it said, or why nothing answered (English, for the figures and logs). */
  detail: string;
  checkedAt: string;
}

const TIMEOUT_MS = 2000;

/** `timedatectl show -p NTPSynchronized --value` prints yes or no. */
export function parseTimedatectl(output: string): TimeSyncState | null {
  const value = output.trim();
  if (value === 'yes') return 'synchronized';
  if (value === 'no') return 'unsynchronized';
  return null;
}

/** `chronyc -n tracking`: "Leap status : Normal" when synchronised, "Not synchronised" otherwise. */
export function parseChronyTracking(output: string): TimeSyncState | null {
  const leap = /^Leap status\s*:\s*(.+)$/m.exec(output)?.[1]?.trim();
  if (!leap) return null;
  return /not synchronised/i.test(leap) ? 'unsynchronized' : 'synchronized';
}

type Run = (file: string, args: string[]) => Promise<string>;

const run: Run = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: TIMEOUT_MS, env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', LC_ALL: 'C' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(String(stderr || err.message).trim().split('\n')[0] ?? 'failed'));
      else resolve(stdout);
    });
  });

export async function checkTimeSync(exec: Run = run, now = new Date()): Promise<TimeSync> {
  const reasons: string[] = [];
  try {
    const state = parseTimedatectl(await exec('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']));
    if (state) return { state, source: 'timedatectl', detail: `NTPSynchronized=${state === 'synchronized' ? 'yes' : 'no'}`, checkedAt: now.toISOString() };
    reasons.push('timedatectl: unexpected answer');
  } catch (err) {
    reasons.push(`timedatectl: ${(err as Error).message.slice(0, 200)}`);
  }
  try {
    const output = await exec('chronyc', ['-n', 'tracking']);
    const state = parseChronyTracking(output);
    if (state) return { state, source: 'chronyc', detail: `Leap status ${/^Leap status\s*:\s*(.+)$/m.exec(output)?.[1]?.trim() ?? ''}`, checkedAt: now.toISOString() };
    reasons.push('chronyc: unexpected answer');
  } catch (err) {
    reasons.push(`chronyc: ${(err as Error).message.slice(0, 200)}`);
  }
  return { state: 'unknown', source: null, detail: reasons.join('; '), checkedAt: now.toISOString() };
}

/** Keeps the last answer, refreshed in the background (the compliance page never waits on a tool). */
export class TimeSyncWatch {
  private last: TimeSync = { state: 'unknown', source: null, detail: 'not checked yet', checkedAt: new Date(0).toISOString() };
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly check: () => Promise<TimeSync> = () => checkTimeSync()) {}

  start(everyMs = 10 * 60_000): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), everyMs);
    this.timer.unref();
  }

  async refresh(): Promise<TimeSync> {
    this.last = await this.check();
    return this.last;
  }

  current(): TimeSync {
    return this.last;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
