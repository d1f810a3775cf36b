/**
 * Acknowledgement-based flow control between Chromium's screencast and one viewer.
 *
 * Chromium stops producing screencast frames while its frames are unacknowledged,
 * so we hold Chromium's ack until the client has acknowledged the frame we sent.
 * One frame is in flight to the client; meanwhile the next one is already encoded
 * (`ready`), so encoding overlaps the trip to the client instead of adding to it. One
 * more frame may wait un-encoded, and a newer frame replaces it (stale frames are
 * dropped, never queued). A frame that encodes to nothing (the picture did not change)
 * is acknowledged to Chromium at once and uses no sequence number.
 */

/** A frame from Chromium (or a refinement request) with the callback that acknowledges it. */
export interface SourceFrame {
  data: Buffer;
  width: number;
  height: number;
  captureTime: number;
  /** The page's vertical scroll position in device pixels (screencast metadata): a hint for the shift search. */
  scrollY?: number;
  /** Not a screencast frame: the picture settled; refine the lossy tiles, or send the whole picture (no data). */
  lossless?: 'lossy-tiles' | 'whole';
  ackSource: () => void;
}

/** Where frames go: encoded in order, then transmitted one at a time. */
export interface FrameSink {
  /** Encodes `frame` as sequence number `seq` (its base is seq − 1); null when nothing needs sending. */
  encode(frame: SourceFrame, seq: number): Promise<Uint8Array | null>;
  /** Sends an encoded frame; false when it could not be sent (no viewer). */
  transmit(bytes: Uint8Array, seq: number): boolean;
}

interface Encoded {
  seq: number;
  frame: SourceFrame;
  bytes: Uint8Array;
}

export class FrameFlow {
  private nextSeq = 1;
  private encoding = false;
  private ready: Encoded | null = null;
  private inFlight: Encoded | null = null;
  private waiting: SourceFrame | null = null;
  private generation = 0;
  private droppedCount = 0;
  private sentCount = 0;

  constructor(private readonly sink: FrameSink) {}

  /** Called for every frame Chromium produces. */
  onSourceFrame(frame: SourceFrame): void {
    if (!this.encoding && !this.ready) {
      void this.encode(frame);
      return;
    }
    if (this.waiting) {
      // Release Chromium's slot for the frame we will never show.
      this.waiting.ackSource();
      this.droppedCount++;
    }
    this.waiting = frame;
  }

  /** Called when the client acknowledges a frame it has handled. */
  onClientAck(seq: number): void {
    if (!this.inFlight || seq !== this.inFlight.seq) return;
    const done = this.inFlight;
    this.inFlight = null;
    done.frame.ackSource();
    this.pump();
  }

  /** Drops any held frames, acknowledging them to Chromium (tab switch, viewer gone). */
  reset(): void {
    this.generation++;
    this.inFlight?.frame.ackSource();
    this.ready?.frame.ackSource();
    this.waiting?.ackSource();
    this.inFlight = null;
    this.ready = null;
    this.waiting = null;
    this.encoding = false;
  }

  /** True while nothing is being encoded, ready, in flight or waiting. */
  get idle(): boolean {
    return !this.encoding && !this.ready && !this.inFlight && !this.waiting;
  }

  get stats(): { sent: number; dropped: number; inFlight: boolean } {
    return { sent: this.sentCount, dropped: this.droppedCount, inFlight: this.inFlight !== null };
  }

  private async encode(frame: SourceFrame): Promise<void> {
    this.encoding = true;
    const generation = this.generation;
    const seq = this.nextSeq;
    let bytes: Uint8Array | null = null;
    try {
      bytes = await this.sink.encode(frame, seq);
    } catch {
      bytes = null;
    }
    if (generation !== this.generation) {
      // Reset while encoding: the frame belongs to a viewer or tab that is gone.
      frame.ackSource();
      return;
    }
    this.encoding = false;
    if (bytes) {
      this.nextSeq++;
      this.ready = { seq, frame, bytes };
    } else {
      frame.ackSource();
    }
    this.pump();
  }

  /** Sends the ready frame when nothing is in flight, then encodes the waiting one. */
  private pump(): void {
    const ready = this.ready;
    if (ready && !this.inFlight) {
      this.ready = null;
      if (this.sink.transmit(ready.bytes, ready.seq)) {
        this.inFlight = ready;
        this.sentCount++;
      } else {
        ready.frame.ackSource();
      }
    }
    if (!this.encoding && !this.ready && this.waiting) {
      const next = this.waiting;
      this.waiting = null;
      void this.encode(next);
    }
  }
}
