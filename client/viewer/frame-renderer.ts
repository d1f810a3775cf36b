/**
 * Draws screencast frames on the canvas and acknowledges each one once drawn,
 * which lets the gateway release the next frame (flow control). Decoding is
 * serialised so frames are drawn in order; a `kekkai:frame` event lets the
 * benchmark time input-to-frame latency.
 */
import type { DecodedFrame } from '../../protocol/index.js';
import { FrameKind } from '../../protocol/index.js';

export class FrameRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  private chain: Promise<void> = Promise.resolve();
  private drawn = 0;
  private cleared = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly ack: (seq: number) => void,
  ) {
    this.ctx = canvas.getContext('2d', { alpha: false })!;
  }

  /** Wipes the picture and ignores frames still on their way (the session ended). */
  clear(): void {
    this.cleared = true;
    this.ctx.fillStyle = '#ffffff';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.canvas.hidden = true;
  }

  push(frame: DecodedFrame): void {
    if (this.cleared) return;
    this.chain = this.chain.then(() => this.draw(frame)).catch(() => this.ack(frame.header.seq));
  }

  private async draw(frame: DecodedFrame): Promise<void> {
    const type = frame.header.kind === FrameKind.Png ? 'image/png' : 'image/jpeg';
    const bitmap = await createImageBitmap(new Blob([frame.payload as BlobPart], { type }));
    if (this.cleared) return bitmap.close();
    if (this.canvas.width !== bitmap.width || this.canvas.height !== bitmap.height) {
      this.canvas.width = bitmap.width;
      this.canvas.height = bitmap.height;
    }
    this.ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    this.ack(frame.header.seq);
    // Frame count for tests and the benchmark: they wait on it instead of sleeping.
    this.canvas.dataset.frames = String(++this.drawn);
    this.canvas.dispatchEvent(new CustomEvent('kekkai:frame', { detail: { seq: frame.header.seq, tabId: frame.header.tabId, at: performance.now() } }));
  }
}
