/**
 * Keeps the head anchor file (audit-anchor.ts) up with the audit log: every appended
 * record is noted, and at most once per `intervalMs` (and at close) the newest head
 * is written — after the committed database writes were made durable, so that the
 * anchor can lag the database (harmless: the newest records are then simply not yet
 * vouched for) but never run ahead of it (that would read as a truncation). Crash
 * window and attacker model: docs/audit.md, "Head anchor".
 *
 * The anchor only moves forward, and only while the database still holds the record
 * the current anchor names. A missing, altered or no-longer-matching anchor is kept
 * as it is (the evidence) and reported through `warn`; `kekkai audit verify` then
 * fails until an operator acknowledges it (`kekkai audit anchor --reset`).
 */
import type { ExpectedHead } from './audit-chain.js';
import { readAnchor, sealAnchor, writeAnchorAsync, writeAnchorSync } from './audit-anchor.js';
import { formatAuditTime, type AuditRecord } from './audit-event.js';

/** What AuditLog needs of an anchor: hear of each new record, and say what it vouches for. */
export interface HeadWitness {
  note(record: Pick<AuditRecord, 'seq' | 'mac'>): void;
  expected(): ExpectedHead;
  /** Writes what was noted now instead of at the next interval. */
  flush(): Promise<void>;
}

export interface ChainHead {
  seq: number;
  mac: string;
}

/** Makes committed database writes durable before an anchor naming them may become durable. */
export interface DatabaseSync {
  sync(): void;
  syncAsync(): Promise<void>;
}

export interface HeadAnchorOptions {
  file: string;
  key: Uint8Array;
  /** The MAC of record `seq` in the database now, or undefined when there is none. */
  macAt(seq: number): string | undefined;
  database?: DatabaseSync;
  /** Default 1000 ms: at most this long (a second of records) is not yet vouched for. */
  intervalMs?: number;
  now?: () => Date;
  /** Problems an operator must see (each distinct one once until the next good write). */
  warn(message: string): void;
}

export const DEFAULT_ANCHOR_INTERVAL_MS = 1000;

export class HeadAnchor implements HeadWitness {
  private latest: ChainHead | undefined;
  private written = -1;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private lastProblem: string | undefined;

  constructor(private readonly options: HeadAnchorOptions) {}

  get file(): string {
    return this.options.file;
  }

  expected(): ExpectedHead {
    return readAnchor(this.options.file, this.options.key);
  }

  note(record: Pick<AuditRecord, 'seq' | 'mac'>): void {
    if (this.closed) return;
    // `>=`: a record whose transaction rolled back is replaced by the next one at its seq.
    if (!this.latest || record.seq >= this.latest.seq) this.latest = { seq: record.seq, mac: record.mac };
    if (!this.timer && !this.flushing) {
      this.timer = setTimeout(() => void this.flush(), this.options.intervalMs ?? DEFAULT_ANCHOR_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Writes the newest noted head if it is newer than the anchor (off the event loop). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    const head = this.latest;
    if (this.closed || !head || head.seq <= this.written) return;
    this.flushing = this.writeAsync(head).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
    // Records that came during the write; a refused anchor waits for the next record instead.
    if (this.latest && this.latest.seq > this.written && head.seq <= this.written) this.note(this.latest);
  }

  /** Stops the timer and writes the newest head synchronously (shutdown, one-shot commands). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const head = this.latest;
    if (!head || head.seq <= this.written) return;
    this.guard(() => {
      this.options.database?.sync();
      if (this.mayAdvance(head)) this.writeNow(head);
    });
  }

  /**
   * Writes an anchor at `head` whatever the file holds: a new data directory (seq 0),
   * a log that had no anchor yet, or an operator's acknowledged reset. The caller has
   * recorded why in the audit log.
   */
  reset(head: ChainHead): void {
    this.options.database?.sync();
    this.writeNow(head);
    this.lastProblem = undefined;
  }

  private writeNow(head: ChainHead): void {
    writeAnchorSync(this.options.file, this.seal(head));
    this.written = Math.max(this.written, head.seq);
  }

  private async writeAsync(head: ChainHead): Promise<void> {
    // Cheap check first, so that a stuck anchor costs no fsync per interval.
    if (this.guard(() => this.mayAdvance(head)) !== true) return;
    try {
      await this.options.database?.syncAsync();
      // The decision is taken at rename time, with whatever another process wrote meanwhile.
      const renamed = await writeAnchorAsync(this.options.file, this.seal(head), () => !this.closed && this.guard(() => this.mayAdvance(head)) === true);
      if (renamed) {
        this.written = Math.max(this.written, head.seq);
        this.lastProblem = undefined;
      }
    } catch (err) {
      this.problem(`audit head anchor ${this.options.file} could not be written: ${(err as Error).message}`);
    }
  }

  private seal(head: ChainHead) {
    return sealAnchor(this.options.key, { seq: head.seq, headMac: head.mac, writtenAt: formatAuditTime(this.options.now?.() ?? new Date()) });
  }

  /** True when the anchor may move to `head`; reports why not when that needs attention. */
  private mayAdvance(head: ChainHead): boolean {
    // Never vouch for a record the database does not hold (its transaction rolled back).
    if (this.options.macAt(head.seq) !== head.mac) return false;
    const existing = this.expected();
    const file = this.options.file;
    if (existing.state === 'missing') {
      return this.problem(`audit head anchor ${file} has disappeared; it is not re-created while the gateway runs. Run "kekkai audit verify". / 監査ログのヘッドアンカーが削除されました。`);
    }
    if (existing.state === 'invalid') {
      return this.problem(`audit head anchor ${file} is invalid (${existing.problem}); it is kept as evidence and no longer advanced. Run "kekkai audit verify". / 監査ログのヘッドアンカーが改ざんされています。`);
    }
    if (existing.seq >= head.seq) {
      // Another process (e.g. `kekkai user add`) already anchored a later head.
      this.written = Math.max(this.written, head.seq);
      return false;
    }
    if (existing.seq > 0 && this.options.macAt(existing.seq) !== existing.mac) {
      return this.problem(
        `the audit log no longer holds record seq ${existing.seq} as the head anchor names it: newest records were removed or rewritten. The anchor is kept as evidence; run "kekkai audit verify". / 監査ログの末尾の記録が削除または書き換えられています（記録 ${existing.seq}）。`,
      );
    }
    return true;
  }

  private guard(work: () => boolean | void): boolean | void {
    try {
      return work();
    } catch (err) {
      return this.problem(`audit head anchor ${this.options.file}: ${(err as Error).message}`);
    }
  }

  private problem(message: string): false {
    if (message !== this.lastProblem) {
      this.lastProblem = message;
      this.options.warn(message);
    }
    return false;
  }
}
