/**
 * Acknowledgement-based flow control between Chromium's screencast and one viewer.
 *
 * Chromium stops producing screencast frames while its frames are unacknowledged,
 * so we hold Chromium's ack until the client has acknowledged the frame we sent.
 * At most one frame is being encoded or in flight to the client and at most one waits
 * here; a newer frame replaces a waiting one (stale frames are dropped, never queued).
 * Encoding is asynchronous and may find nothing worth sending (the picture did not
 * change): then Chromium's frame is acknowledged at once and no sequence number is used.
 */

/** A frame from Chromium (or a lossless capture) with the callback that acknowledges it. */
export interface SourceFrame {
  data: Buffer;
  width: number;
  height: number;
  captureTime: number;
  /** The page's vertical scroll position in device pixels (screencast metadata): a hint for the shift search. */
  scrollY?: number;
  /** A lossless capture of the settled page (PNG), not a screencast frame: refine the lossy tiles, or send the whole picture. */
  lossless?: 'lossy-tiles' | 'whole';
  ackSource: () => void;
}

/** Encodes and sends `frame` as sequence number `seq`; resolves false when nothing was sent. */
export type FrameSender = (frame: SourceFrame, seq: number) => Promise<boolean> | boolean;

export class FrameFlow {
  private nextSeq = 1;
  private busy = false;
  private inFlight: { seq: number; frame: SourceFrame } | null = null;
  private waiting: SourceFrame | null = null;
  private generation = 0;
  private droppedCount = 0;
  private sentCount = 0;

  constructor(private readonly send: FrameSender) {}

  /** Called for every frame Chromium produces. */
  onSourceFrame(frame: SourceFrame): void {
    if (!this.busy) {
      void this.dispatch(frame);
      return;
    }
    if (this.waiting) {
      // Release Chromium's slot for the frame we will never show.
      this.waiting.ackSource();
      this.droppedCount++;
    }
    this.waiting = frame;
  }

  /** Called when the client acknowledges a frame it has decoded and drawn. */
  onClientAck(seq: number): void {
    if (!this.inFlight || seq !== this.inFlight.seq) return;
    const done = this.inFlight;
    this.inFlight = null;
    this.busy = false;
    done.frame.ackSource();
    this.next();
  }

  /** Drops any held frames, acknowledging them to Chromium (tab switch, viewer gone). */
  reset(): void {
    this.generation++;
    this.inFlight?.frame.ackSource();
    this.waiting?.ackSource();
    this.inFlight = null;
    this.waiting = null;
    this.busy = false;
  }

  /** True while nothing is being encoded, in flight or waiting. */
  get idle(): boolean {
    return !this.busy && this.waiting === null;
  }

  /** The sequence number of the last frame sent (0 before the first). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get stats(): { sent: number; dropped: number; inFlight: boolean } {
    return { sent: this.sentCount, dropped: this.droppedCount, inFlight: this.inFlight !== null };
  }

  private next(): void {
    const next = this.waiting;
    this.waiting = null;
    if (next) void this.dispatch(next);
  }

  private async dispatch(frame: SourceFrame): Promise<void> {
    this.busy = true;
    const generation = this.generation;
    const seq = this.nextSeq;
    let sent = false;
    try {
      sent = await this.send(frame, seq);
    } catch {
      sent = false;
    }
    if (generation !== this.generation) {
      // Reset while encoding: the frame belongs to a viewer or tab that is gone.
      frame.ackSource();
      return;
    }
    if (sent) {
      this.nextSeq++;
      this.sentCount++;
      this.inFlight = { seq, frame };
      return;
    }
    frame.ackSource();
    this.busy = false;
    this.next();
  }
}
