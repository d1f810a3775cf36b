/**
 * Acknowledgement-based flow control between Chromium's screencast and one viewer.
 *
 * Chromium stops producing screencast frames while its frames are unacknowledged,
 * so we hold Chromium's ack until the client has acknowledged the frame we sent.
 * At most one frame is in flight to the client and at most one waits here; a newer
 * frame replaces a waiting one (stale frames are dropped, never queued).
 */

/** A frame from Chromium with the callback that acknowledges it to Chromium. */
export interface SourceFrame {
  data: Buffer;
  width: number;
  height: number;
  captureTime: number;
  ackSource: () => void;
}

export type FrameSender = (frame: SourceFrame, seq: number) => void;

export class FrameFlow {
  private nextSeq = 1;
  private inFlight: { seq: number; frame: SourceFrame } | null = null;
  private waiting: SourceFrame | null = null;
  private droppedCount = 0;
  private sentCount = 0;

  constructor(private readonly send: FrameSender) {}

  /** Called for every frame Chromium produces. */
  onSourceFrame(frame: SourceFrame): void {
    if (!this.inFlight) {
      this.dispatch(frame);
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
    done.frame.ackSource();
    const next = this.waiting;
    this.waiting = null;
    if (next) this.dispatch(next);
  }

  /** Drops any held frames, acknowledging them to Chromium (tab switch, viewer gone). */
  reset(): void {
    this.inFlight?.frame.ackSource();
    this.waiting?.ackSource();
    this.inFlight = null;
    this.waiting = null;
  }

  get stats(): { sent: number; dropped: number; inFlight: boolean } {
    return { sent: this.sentCount, dropped: this.droppedCount, inFlight: this.inFlight !== null };
  }

  private dispatch(frame: SourceFrame): void {
    const seq = this.nextSeq++;
    this.inFlight = { seq, frame };
    this.sentCount++;
    this.send(frame, seq);
  }
}
