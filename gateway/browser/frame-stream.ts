/**
 * The picture stream of one session to its viewer (docs/streaming.md): screencast
 * frames go through flow control (frame-flow.ts) and the encoder (frame-encoder.ts),
 * which sends key frames, scroll copies and changed tiles at moving quality. When no
 * new frame has come for SETTLE_MS, every tile the client still holds lossy is sent
 * again losslessly (from the lossless screencast). Nothing changes, nothing is sent.
 */
import { encodeFrame, FrameKind } from '../../protocol/index.js';
import { FrameEncoder } from './frame-encoder.js';
import { FrameFlow, type SourceFrame } from './frame-flow.js';

/** Quiet time after the last frame before the lossless refinement. */
export const SETTLE_MS = 200;
/** JPEG quality of the pieces sent while the picture moves (at most stream.jpegQuality). */
export const MOVING_QUALITY = 55;

export interface FrameStreamDeps {
  /** JPEG quality of key frames (config stream.jpegQuality). */
  jpegQuality: number;
  /** Sends one binary frame message to the viewer; false when there is no viewer. */
  send(bytes: Uint8Array): boolean;
  /** The tab the frames belong to. */
  tabId(): number;
  /** The size of each message sent (metrics). */
  sent?(bytes: number): void;
}

export class FrameStream {
  private readonly flow: FrameFlow;
  private readonly encoder: FrameEncoder;
  private settleTimer: NodeJS.Timeout | null = null;
  private settleWhole = false;

  constructor(private readonly deps: FrameStreamDeps) {
    this.encoder = new FrameEncoder({ keyQuality: deps.jpegQuality, movingQuality: Math.min(deps.jpegQuality, MOVING_QUALITY) });
    this.flow = new FrameFlow({ encode: (frame, seq) => this.encode(frame, seq), transmit: (bytes) => this.transmit(bytes) });
  }

  /** A frame from Chromium's screencast. */
  onScreencast(frame: SourceFrame): void {
    this.cancelSettle();
    this.flow.onSourceFrame(frame);
  }

  /**
   * The user pressed, released, scrolled or typed: put off the refinement, so the frame
   * the input causes is not queued behind it.
   */
  onInput(): void {
    if (this.settleTimer) this.scheduleSettle(SETTLE_MS, this.settleWhole);
  }

  onClientAck(seq: number): void {
    this.flow.onClientAck(seq);
    this.scheduleSettle();
  }

  /** The client could not apply a frame: send it the whole picture. */
  requestKey(): void {
    this.encoder.requestKey();
    // The page may be still, with no screencast frame to come: refine from a capture.
    this.scheduleSettle(0, true);
  }

  /** New viewer or tab: forget the client's picture and everything held. */
  reset(): void {
    this.cancelSettle();
    this.flow.reset();
    this.encoder.reset();
  }

  get stats(): { sent: number; dropped: number; inFlight: boolean } {
    return this.flow.stats;
  }

  private async encode(frame: SourceFrame, seq: number): Promise<Uint8Array | null> {
    const encoded = frame.lossless ? await this.encoder.refine(frame.lossless === 'whole') : await this.encoder.fromScreencast(frame.data, frame.scrollY);
    if (!encoded) return null;
    return encodeFrame({
      header: {
        kind: encoded.kind,
        flags: encoded.flags,
        tabId: this.deps.tabId(),
        seq,
        // Frames are encoded in order, each on the picture the one before leaves.
        baseSeq: encoded.kind === FrameKind.Delta ? seq - 1 : 0,
        width: encoded.width,
        height: encoded.height,
        captureTime: frame.captureTime,
      },
      copy: encoded.copy,
      pieces: encoded.pieces,
    });
  }

  private transmit(bytes: Uint8Array): boolean {
    if (!this.deps.send(bytes)) {
      // The client will not hold this picture: whatever comes next must not depend on it.
      this.encoder.requestKey();
      return false;
    }
    this.deps.sent?.(bytes.byteLength);
    return true;
  }

  private cancelSettle(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
  }

  private scheduleSettle(delay = SETTLE_MS, whole = false): void {
    this.cancelSettle();
    if (!whole && !this.encoder.needsRefinement) return;
    this.settleWhole = whole;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      this.settle(whole);
    }, delay);
    this.settleTimer.unref?.();
  }

  /** Quiet for SETTLE_MS: send the lossy tiles again, losslessly (or the whole picture after a key request). */
  private settle(whole: boolean): void {
    if (!this.flow.idle) return this.scheduleSettle(SETTLE_MS, whole);
    if (!this.encoder.wantsKey) whole = false;
    if (!whole && !this.encoder.needsRefinement) return;
    this.flow.onSourceFrame({ data: Buffer.alloc(0), width: 0, height: 0, captureTime: Date.now(), lossless: whole ? 'whole' : 'lossy-tiles', ackSource: () => undefined });
  }
}
