/**
 * Who sanitizes next. Sanitizing a large PDF takes minutes; with one global FIFO, three
 * slow PDFs from one user made another user's 50-byte CSV wait 215 s. So:
 *
 * - each session has its own queue, and sessions take turns (round-robin): the next
 *   job comes from the waiting session served longest ago (or never);
 * - a session runs at most `perSession` jobs at once (default: all slots but one), so
 *   one slot stays free for the next user who arrives;
 * - a waiting job is told its position in the order the jobs would start in now.
 *
 * Plain logic, no I/O: the DownloadManager asks for a slot and gives it back.
 */

export interface SchedulerOptions {
  /** Jobs running at once across all sessions (at least 1). */
  concurrency: number;
  /** Jobs one session may run at once (default: max(1, concurrency − 1)). */
  perSession?: number;
}

/** Gives the slot back; call exactly once, when the job is done (extra calls are ignored). */
export type ReleaseSlot = () => void;

interface Waiter {
  sessionId: string;
  start: (release: ReleaseSlot) => void;
  onQueued: (position: number) => void;
}

export class SanitizeScheduler {
  private readonly concurrency: number;
  private readonly perSession: number;
  /** Waiting jobs per session, in the order the session produced them. */
  private readonly queues = new Map<string, Waiter[]>();
  /** When each waiting or running session last got a slot (a counter, not a clock). */
  private readonly lastServed = new Map<string, number>();
  private served = 0;
  private readonly runningBySession = new Map<string, number>();
  private running = 0;

  constructor(o: SchedulerOptions) {
    this.concurrency = Math.max(1, Math.trunc(o.concurrency));
    this.perSession = Math.max(1, Math.trunc(o.perSession ?? this.concurrency - 1));
  }

  /**
   * Resolves with a release function once the job may run. Until then `onQueued`
   * is called with the job's position (1 = next) whenever it changes.
   */
  acquire(sessionId: string, onQueued: (position: number) => void): Promise<ReleaseSlot> {
    return new Promise((resolve) => {
      const queue = this.queues.get(sessionId) ?? [];
      this.queues.set(sessionId, queue);
      queue.push({ sessionId, start: resolve, onQueued });
      this.pump();
      this.tellPositions();
    });
  }

  /** Jobs waiting, across all sessions. */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Jobs running now: across all sessions, or of one session. */
  runningCount(sessionId?: string): number {
    return sessionId === undefined ? this.running : (this.runningBySession.get(sessionId) ?? 0);
  }

  /** Starts waiting jobs while there are free slots and sessions under their cap. */
  private pump(): void {
    while (this.running < this.concurrency) {
      const sessionId = this.inTurn().find((id) => this.runningCount(id) < this.perSession);
      if (sessionId === undefined) return;
      const queue = this.queues.get(sessionId)!;
      const w = queue.shift()!;
      if (queue.length === 0) this.queues.delete(sessionId);
      this.lastServed.set(sessionId, ++this.served);
      this.running++;
      this.runningBySession.set(sessionId, this.runningCount(sessionId) + 1);
      w.start(this.releaser(sessionId));
    }
  }

  private releaser(sessionId: string): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const n = this.runningCount(sessionId) - 1;
      if (n > 0) this.runningBySession.set(sessionId, n);
      else this.runningBySession.delete(sessionId);
      if (n <= 0 && !this.queues.has(sessionId)) this.lastServed.delete(sessionId);
      this.pump();
      this.tellPositions();
    };
  }

  /** Sessions with waiting jobs, the one served longest ago (or never) first; ties by arrival. */
  private inTurn(): string[] {
    return [...this.queues.keys()].sort((a, b) => (this.lastServed.get(a) ?? 0) - (this.lastServed.get(b) ?? 0));
  }

  /**
   * Positions in the order the waiting jobs would start if every session kept its
   * turn: the sessions' queues interleaved one job at a time, in turn order.
   */
  private tellPositions(): void {
    const queues = this.inTurn().map((id) => this.queues.get(id)!);
    let position = 0;
    for (let depth = 0; queues.some((q) => q.length > depth); depth++) {
      for (const q of queues) {
        const w = q[depth];
        if (w) w.onQueued(++position);
      }
    }
  }
}
