/**
 * The input queue of one viewer connection. Input must reach the page strictly in
 * order and one message at a time, but a client can send faster than a page takes
 * it (a hung page takes nothing), so the queue is bounded by count and bytes:
 *
 * - consecutive pointer moves (same buttons and modifiers) and wheel events
 *   waiting in the queue are merged into one: only the latest position and the
 *   summed scroll matter;
 * - a message that does not fit is dropped and reported (`onDrop`), never queued;
 * - a message that runs longer than `timeoutMs` (a hung page) no longer holds up
 *   the ones behind it; it is counted as stalled until it settles, and while a
 *   session has `maxStalled` such messages, further input to the page is dropped
 *   instead of piling up more calls on the hung renderer. Navigating or switching
 *   tabs starts the count afresh: the next input goes to another page;
 * - `close()` drops everything queued; nothing here outlives the connection
 *   except the stalled calls themselves (Chromium answers or times them out).
 */
import type { ClientMessage } from '../../protocol/index.js';

export interface InputQueueLimits {
  maxItems: number;
  maxBytes: number;
  timeoutMs: number;
  maxStalled: number;
}

/**
 * 256 messages is seconds of fast typing; 1 MiB holds several full-size pastes
 * (at most 256 KiB each) and bounds what one connection can make the gateway hold.
 */
export const DEFAULT_INPUT_LIMITS: InputQueueLimits = { maxItems: 256, maxBytes: 1024 * 1024, timeoutMs: 3_000, maxStalled: 2 };

/** Shared by every connection of one browser session: its calls still running after their timeout. */
export interface StallCounter {
  count: number;
  /** Bumped when the count starts afresh, so calls stalled before do not count down again. */
  generation: number;
}

export type DropReason = 'overflow' | 'stalled';

export interface InputQueueOptions {
  run(msg: ClientMessage): Promise<void>;
  onError(err: unknown): void;
  onDrop(reason: DropReason): void;
  stall: StallCounter;
  limits?: Partial<InputQueueLimits>;
}

export interface InputQueueStats {
  queued: number;
  queuedBytes: number;
  dropped: number;
  coalesced: number;
  closed: boolean;
}

/** Messages that act on the page's content; dropped while the page is not answering. */
const PAGE_INPUT = new Set<ClientMessage['type']>(['pointer', 'wheel', 'key', 'ime', 'paste', 'copy']);
/** Messages after which input goes to another page (or the same one reloaded). */
const CHANGES_PAGE = new Set<ClientMessage['type']>(['navigate', 'history', 'tab']);
const MAX_WHEEL_DELTA = 10_000;

/**
 * `next` merged into `last` when the two may be combined, else null. Only moves
 * with unchanged buttons and modifiers merge, so a drag keeps its start and end.
 */
export function coalesce(last: ClientMessage, next: ClientMessage): ClientMessage | null {
  if (last.type === 'pointer' && next.type === 'pointer') {
    const same = last.action === 'move' && next.action === 'move' && last.buttons === next.buttons && last.modifiers === next.modifiers;
    return same ? next : null;
  }
  if (last.type === 'wheel' && next.type === 'wheel' && last.modifiers === next.modifiers) {
    const deltaX = last.deltaX + next.deltaX;
    const deltaY = last.deltaY + next.deltaY;
    if (Math.abs(deltaX) > MAX_WHEEL_DELTA || Math.abs(deltaY) > MAX_WHEEL_DELTA) return null;
    return { ...next, deltaX, deltaY };
  }
  return null;
}

export class ViewerInputQueue {
  private items: Array<{ msg: ClientMessage; bytes: number }> = [];
  private bytes = 0;
  private running = false;
  private closed = false;
  private dropped = 0;
  private coalesced = 0;
  private readonly limits: InputQueueLimits;

  constructor(private readonly options: InputQueueOptions) {
    this.limits = { ...DEFAULT_INPUT_LIMITS, ...options.limits };
  }

  /** Queues a validated message of `bytes` (its size on the wire). */
  push(msg: ClientMessage, bytes: number): 'queued' | 'coalesced' | 'dropped' {
    if (this.closed) return 'dropped';
    const last = this.items.at(-1);
    const merged = last ? coalesce(last.msg, msg) : null;
    if (last && merged) {
      this.bytes += Math.max(0, bytes - last.bytes);
      last.bytes = Math.max(last.bytes, bytes);
      last.msg = merged;
      this.coalesced++;
      return 'coalesced';
    }
    if (this.items.length >= this.limits.maxItems || this.bytes + bytes > this.limits.maxBytes) {
      this.drop('overflow');
      return 'dropped';
    }
    this.items.push({ msg, bytes });
    this.bytes += bytes;
    void this.drain();
    return 'queued';
  }

  /** Drops everything queued and refuses more; the message running now finishes or times out alone. */
  close(): void {
    this.closed = true;
    this.items = [];
    this.bytes = 0;
  }

  stats(): InputQueueStats {
    return { queued: this.items.length, queuedBytes: this.bytes, dropped: this.dropped, coalesced: this.coalesced, closed: this.closed };
  }

  private drop(reason: DropReason): void {
    this.dropped++;
    this.options.onDrop(reason);
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.items.shift(); next && !this.closed; next = this.items.shift()) {
        this.bytes -= next.bytes;
        const { stall } = this.options;
        if (stall.count >= this.limits.maxStalled && PAGE_INPUT.has(next.msg.type)) {
          this.drop('stalled');
          continue;
        }
        if (CHANGES_PAGE.has(next.msg.type)) {
          stall.count = 0;
          stall.generation++;
        }
        await this.runWithTimeout(next.msg);
      }
    } finally {
      this.running = false;
    }
  }

  /** Resolves when `msg` is done or after the timeout; a late result is dropped (its errors too). */
  private runWithTimeout(msg: ClientMessage): Promise<void> {
    const { stall, onError } = this.options;
    return new Promise<void>((resolve) => {
      let timedOut = false;
      let generation = stall.generation;
      const timer = setTimeout(() => {
        timedOut = true;
        generation = stall.generation;
        stall.count++;
        resolve();
      }, this.limits.timeoutMs);
      let work: Promise<void>;
      try {
        work = this.options.run(msg);
      } catch (err) {
        work = Promise.reject(err);
      }
      work
        .catch((err: unknown) => {
          if (!timedOut) onError(err);
        })
        .finally(() => {
          if (timedOut && generation === stall.generation) stall.count--;
          clearTimeout(timer);
          resolve();
        });
    });
  }
}

/** The queues of the open viewer connections: what the gateway holds for viewers right now. */
export class InputQueueRegistry {
  private readonly live = new Set<ViewerInputQueue>();

  add(queue: ViewerInputQueue): void {
    this.live.add(queue);
  }

  delete(queue: ViewerInputQueue): void {
    this.live.delete(queue);
  }

  stats(): { connections: number; queued: number; queuedBytes: number } {
    let queued = 0;
    let queuedBytes = 0;
    for (const q of this.live) {
      const s = q.stats();
      queued += s.queued;
      queuedBytes += s.queuedBytes;
    }
    return { connections: this.live.size, queued, queuedBytes };
  }
}
