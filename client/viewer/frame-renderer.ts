/**
 * Draws frames on the canvas and acknowledges each one once handled, which lets the
 * gateway release the next frame (flow control). Frames are handled one after the other.
 *
 * A key frame replaces the picture; a delta (docs/streaming.md) copies the scrolled rows
 * and draws the changed rectangles, and only applies to the picture of frame `baseSeq`.
 * Every piece is decoded before anything is drawn, so a delta that does not fit or does
 * not decode leaves the picture as it was; the renderer then asks for a key frame and
 * ignores deltas until one arrives. A `kekkai:frame` event lets tests and the benchmark
 * wait for frames and time input-to-frame latency.
 */
import type { DecodedFrame, FramePiece } from '../../protocol/index.js';
import { FrameFlags, FrameKind, PieceCodec } from '../../protocol/index.js';

const MIME: Record<Exclude<PieceCodec, PieceCodec.Fill>, string> = {
  [PieceCodec.Jpeg]: 'image/jpeg',
  [PieceCodec.Png]: 'image/png',
  [PieceCodec.Webp]: 'image/webp',
};

export class FrameRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  private chain: Promise<void> = Promise.resolve();
  private drawn = 0;
  private cleared = false;
  /** Sequence number of the frame the canvas shows; null: no usable picture (waiting for a key frame). */
  private pictureSeq: number | null = null;
  private keyRequested = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly ack: (seq: number) => void,
    private readonly requestKey: () => void = () => undefined,
  ) {
    this.ctx = canvas.getContext('2d', { alpha: false })!;
  }

  /** Wipes the picture and ignores frames still on their way (the session ended). */
  clear(): void {
    this.cleared = true;
    this.pictureSeq = null;
    this.ctx.fillStyle = '#ffffff';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.canvas.hidden = true;
  }

  /** A new connection: its sequence numbers start again, so only a key frame may follow. */
  reconnected(): void {
    this.chain = this.chain.then(() => {
      this.pictureSeq = null;
      this.keyRequested = false;
    });
  }

  push(frame: DecodedFrame): void {
    if (this.cleared) return;
    this.chain = this.chain
      .then(() => this.apply(frame))
      .catch(() => this.lost())
      .finally(() => this.ack(frame.header.seq));
  }

  private async apply(frame: DecodedFrame): Promise<void> {
    const { header } = frame;
    const isKey = header.kind === FrameKind.Key;
    if (!isKey && (this.pictureSeq === null || header.baseSeq !== this.pictureSeq || !this.sized(header))) return this.lost();
    const decoded = await Promise.allSettled(frame.pieces.map((p) => decodePiece(p)));
    const bitmaps = decoded.map((d) => (d.status === 'fulfilled' ? d.value : undefined));
    if (bitmaps.includes(undefined)) {
      for (const b of bitmaps) b?.close();
      return this.lost();
    }
    try {
      if (this.cleared) return;
      if (isKey) {
        if (!this.sized(header)) {
          this.canvas.width = header.width;
          this.canvas.height = header.height;
        }
        this.ctx.fillStyle = '#ffffff';
        this.ctx.fillRect(0, 0, header.width, header.height);
      }
      const copy = frame.copy;
      if (copy) this.ctx.drawImage(this.canvas, copy.x, copy.y, copy.width, copy.height, copy.x, copy.y + copy.dy, copy.width, copy.height);
      frame.pieces.forEach((p, i) => {
        const bitmap = bitmaps[i];
        if (bitmap) return this.ctx.drawImage(bitmap, 0, 0, p.width, p.height, p.x, p.y, p.width, p.height);
        this.ctx.fillStyle = `rgb(${p.data[0]}, ${p.data[1]}, ${p.data[2]})`;
        this.ctx.fillRect(p.x, p.y, p.width, p.height);
      });
    } finally {
      for (const b of bitmaps) b?.close();
    }
    this.pictureSeq = header.seq;
    if (isKey) this.keyRequested = false;
    // Frame count for tests and the benchmark: they wait on it instead of sleeping.
    this.canvas.dataset.frames = String(++this.drawn);
    this.canvas.dataset.seq = String(header.seq);
    // The picture is lossless once the latest frame is a refinement (tests wait on it).
    if (header.flags & FrameFlags.Refined) this.canvas.dataset.refined = String(header.seq);
    this.canvas.dispatchEvent(new CustomEvent('kekkai:frame', { detail: { seq: header.seq, tabId: header.tabId, at: performance.now(), kind: header.kind } }));
  }

  private sized(header: { width: number; height: number }): boolean {
    return this.canvas.width === header.width && this.canvas.height === header.height;
  }

  /** The picture no longer follows the gateway's: keep it on screen, refuse deltas, ask once for a key frame. */
  private lost(): void {
    this.pictureSeq = null;
    if (this.keyRequested || this.cleared) return;
    this.keyRequested = true;
    this.requestKey();
  }
}

/** The piece's picture; null for a fill, which needs no decoding. */
async function decodePiece(piece: FramePiece): Promise<ImageBitmap | null> {
  if (piece.codec === PieceCodec.Fill) return null;
  return createImageBitmap(new Blob([piece.data as BlobPart], { type: MIME[piece.codec] }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
}
