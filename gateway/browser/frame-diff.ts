/**
 * Pure picture comparisons for the frame encoder (frame-encoder.ts, docs/streaming.md):
 * the vertical shift between two frames (scrolling), which tiles changed, and the
 * rectangles that cover a set of tiles. Pictures are raw RGB, 3 bytes a pixel, rows
 * packed. The screencast's pictures are JPEGs, so "unchanged" means "within JPEG noise".
 */

/** A raw RGB picture. */
export interface RawPicture {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Tile size of the change map: short tiles keep the strip a scroll exposes thin. */
export const TILE_W = 32;
export const TILE_H = 16;
/** Columns bands of a row signature. */
const BANDS = 24;

/** A grid of tiles over a picture, one byte per tile. */
export interface TileMap {
  cols: number;
  rows: number;
  bits: Uint8Array;
}

export function tileMap(width: number, height: number, fill = 0): TileMap {
  const cols = Math.ceil(width / TILE_W);
  const rows = Math.ceil(height / TILE_H);
  return { cols, rows, bits: new Uint8Array(cols * rows).fill(fill) };
}

/**
 * One signature per row: the luma sum of each of BANDS column bands. Comparing
 * signatures instead of pixels makes the shift search cheap and tolerant of JPEG noise.
 */
export function rowSignatures(pic: RawPicture): Int32Array {
  const { data, width, height } = pic;
  const sig = new Int32Array(height * BANDS);
  const bandW = Math.ceil(width / BANDS);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    // Every other column: half the work, and a shifted row still matches its origin.
    for (let x = 0; x < width; x += 2) {
      const i = row + x * 3;
      const k = y * BANDS + ((x / bandW) | 0);
      sig[k] = sig[k]! + data[i]! + 2 * data[i + 1]! + data[i + 2]!;
    }
  }
  return sig;
}

/** Mean absolute signature difference when rows of `prev` moved by dy (new row y = old row y - dy), over every `step`-th row. */
function shiftCost(prev: Int32Array, next: Int32Array, height: number, dy: number, step: number): number {
  const from = Math.max(0, dy);
  const to = Math.min(height, height + dy);
  let sum = 0;
  let n = 0;
  for (let y = from; y < to; y += step) {
    const a = (y - dy) * BANDS;
    const b = y * BANDS;
    for (let k = 0; k < BANDS; k++) sum += Math.abs(prev[a + k]! - next[b + k]!);
    n += BANDS;
  }
  return n === 0 ? Infinity : sum / n;
}

/** Whether the rows in a window differ among themselves (blank areas match any shift). */
function textured(sig: Int32Array, height: number): boolean {
  for (let y = 1; y < height; y++) {
    for (let k = 0; k < BANDS; k++) if (Math.abs(sig[y * BANDS + k]! - sig[k]!) > 64) return true;
  }
  return false;
}

export interface ShiftOptions {
  /** A likely shift (from the page's scroll offset), tried first. */
  hint?: number;
  /** Largest shift searched, in rows; default: two thirds of the height. */
  maxShift?: number;
}

/**
 * The vertical shift that best maps `prev` onto `next` (content moving up by 100 px
 * gives -100), or 0 when no shift explains the change better than none does. The
 * search runs coarse (every 4th row) over all shifts, then fine around the best; a
 * hint that fits is taken without the search.
 */
export function findVerticalShift(prev: Int32Array, next: Int32Array, height: number, options: ShiftOptions = {}): number {
  if (prev.length !== next.length || height < 8) return 0;
  const still = shiftCost(prev, next, height, 0, 1);
  if (still < 1) return 0;
  if (!textured(next, height)) return 0;
  const maxShift = Math.min(height - Math.ceil(height / 3), options.maxShift ?? Math.floor((height * 2) / 3));
  const good = (dy: number, cost: number): boolean => dy !== 0 && cost < still / 4;
  const hint = options.hint ?? 0;
  if (hint !== 0 && Math.abs(hint) <= maxShift) {
    const cost = shiftCost(prev, next, height, hint, 1);
    if (good(hint, cost) && cost < 2) return hint;
  }
  let best = 0;
  let bestCost = still;
  for (let dy = -maxShift; dy <= maxShift; dy++) {
    if (dy === 0) continue;
    const cost = shiftCost(prev, next, height, dy, 4);
    if (cost < bestCost) {
      bestCost = cost;
      best = dy;
    }
  }
  if (best === 0) return 0;
  let fine = best;
  let fineCost = shiftCost(prev, next, height, best, 1);
  for (let dy = best - 4; dy <= best + 4; dy++) {
    if (dy === 0 || dy === best || Math.abs(dy) > maxShift) continue;
    const cost = shiftCost(prev, next, height, dy, 1);
    if (cost < fineCost) {
      fineCost = cost;
      fine = dy;
    }
  }
  return good(fine, fineCost) ? fine : 0;
}

/**
 * Moves the rows of `pic` by dy in place, as the client's copy does (rows the content
 * left keep their old pixels).
 */
export function shiftRows(pic: RawPicture, dy: number): void {
  if (dy === 0) return;
  const stride = pic.width * 3;
  const rows = pic.height - Math.abs(dy);
  if (rows <= 0) return;
  if (dy > 0) pic.data.copyWithin(dy * stride, 0, rows * stride);
  else pic.data.copyWithin(0, -dy * stride, (-dy + rows) * stride);
}

/** Moves a tile map with the picture: a tile is set when any tile it now overlaps was set. */
export function shiftTiles(map: TileMap, dy: number, fillExposed: number): TileMap {
  if (dy === 0) return map;
  const out: TileMap = { cols: map.cols, rows: map.rows, bits: new Uint8Array(map.bits.length) };
  for (let r = 0; r < map.rows; r++) {
    // Pixel rows of tile row r came from rows [r*TILE_H - dy, (r+1)*TILE_H - 1 - dy].
    const top = r * TILE_H - dy;
    const bottom = (r + 1) * TILE_H - 1 - dy;
    const r0 = Math.floor(top / TILE_H);
    const r1 = Math.floor(bottom / TILE_H);
    for (let c = 0; c < map.cols; c++) {
      let v = 0;
      for (let s = r0; s <= r1; s++) v |= s < 0 || s >= map.rows ? fillExposed : map.bits[s * map.cols + c]!;
      out.bits[r * map.cols + c] = v;
    }
  }
  return out;
}

/** Thresholds of a tile change: a pixel differs when a channel moved more than PIXEL_DELTA. */
const PIXEL_DELTA = 40;
/** Mean absolute channel difference above which a tile changed even without one big pixel. */
const MEAN_DELTA = 6;

/**
 * Marks the tiles where `next` differs from `ref` beyond JPEG noise: a pixel that moved
 * more than PIXEL_DELTA in a channel, or a mean difference above MEAN_DELTA (a fade).
 */
export function changedTiles(ref: RawPicture, next: RawPicture): TileMap {
  const map = tileMap(next.width, next.height);
  const { width, height } = next;
  const a = ref.data;
  const b = next.data;
  for (let r = 0; r < map.rows; r++) {
    const y0 = r * TILE_H;
    const y1 = Math.min(height, y0 + TILE_H);
    for (let c = 0; c < map.cols; c++) {
      const x0 = c * TILE_W;
      const x1 = Math.min(width, x0 + TILE_W);
      let sum = 0;
      let big = false;
      for (let y = y0; y < y1 && !big; y++) {
        let i = (y * width + x0) * 3;
        const end = (y * width + x1) * 3;
        for (; i < end; i++) {
          const d = Math.abs(a[i]! - b[i]!);
          if (d > PIXEL_DELTA) {
            big = true;
            break;
          }
          sum += d;
        }
      }
      if (big || sum > MEAN_DELTA * (x1 - x0) * (y1 - y0) * 3) map.bits[r * map.cols + c] = 1;
    }
  }
  return map;
}

/** How many tiles are set. */
export function countTiles(map: TileMap): number {
  let n = 0;
  for (const v of map.bits) n += v ? 1 : 0;
  return n;
}

/**
 * Rectangles covering exactly the set tiles (clipped to the picture): runs of set tiles
 * in each tile row, merged downwards while the run below has the same columns.
 */
export function tileRects(map: TileMap, width: number, height: number): Rect[] {
  const open = new Map<string, Rect>();
  const done: Rect[] = [];
  for (let r = 0; r < map.rows; r++) {
    const runs: Array<[number, number]> = [];
    for (let c = 0; c < map.cols; ) {
      if (!map.bits[r * map.cols + c]) {
        c++;
        continue;
      }
      const start = c;
      while (c < map.cols && map.bits[r * map.cols + c]) c++;
      runs.push([start, c]);
    }
    const still = new Map<string, Rect>();
    for (const [c0, c1] of runs) {
      const key = `${c0}:${c1}`;
      const y = r * TILE_H;
      const h = Math.min(height, y + TILE_H) - y;
      const above = open.get(key);
      if (above) {
        above.height += h;
        open.delete(key);
        still.set(key, above);
      } else {
        const x = c0 * TILE_W;
        still.set(key, { x, y, width: Math.min(width, c1 * TILE_W) - x, height: h });
      }
    }
    for (const rect of open.values()) done.push(rect);
    open.clear();
    for (const [k, v] of still) open.set(k, v);
  }
  for (const rect of open.values()) done.push(rect);
  return done.sort((p, q) => p.y - q.y || p.x - q.x);
}

/** Copies the pixels of `rect` from `src` into `dst` (same size pictures). */
export function copyRect(src: RawPicture, dst: RawPicture, rect: Rect): void {
  const stride = src.width * 3;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    const start = y * stride + rect.x * 3;
    dst.data.set(src.data.subarray(start, start + rect.width * 3), start);
  }
}
