/**
 * Pure picture comparisons for the frame encoder (frame-encoder.ts, docs/streaming.md):
 * the vertical shift between two frames (scrolling), which tiles changed, and the
 * rectangles that cover a set of tiles. Pictures are raw RGB, 3 bytes a pixel, rows
 * packed, from a lossless (PNG) screencast: unchanged means identical.
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
 * One 32-bit hash per row of pixels. The screencast is lossless, so content that only
 * moved has rows identical to the ones it came from: equal hashes find the shift.
 */
export function rowHashes(pic: RawPicture): Uint32Array {
  const { data, width, height } = pic;
  const stride = width * 3;
  const out = new Uint32Array(height);
  for (let y = 0; y < height; y++) {
    let h = 0x811c9dc5;
    const end = (y + 1) * stride;
    for (let i = y * stride; i < end; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
    out[y] = h >>> 0;
  }
  return out;
}

export interface ShiftOptions {
  /** A likely shift (from the page's scroll offset), tried first. */
  hint?: number;
  /** Largest shift considered, in rows; default: two thirds of the height. */
  maxShift?: number;
}

/** A row that occurs more often than this in a picture (blank, rules) says nothing about a shift. */
const COMMON_ROW = 2;
/** A shift needs at least this many distinctive rows that agree. */
const MIN_VOTES = 8;

/**
 * The vertical shift that maps `prev` onto `next` (content moving up by 100 px gives
 * -100), or 0 when no shift explains more of the picture than none does. Each
 * distinctive row of `next` (one that occurs at most twice in `prev`) votes for the
 * shifts that bring an identical row of `prev` to it; blank rows, which match any
 * shift, do not vote. A hint is only a shortcut: taken when it wins the same count.
 */
export function findVerticalShift(prev: Uint32Array, next: Uint32Array, height: number, options: ShiftOptions = {}): number {
  if (prev.length !== next.length || height < 8) return 0;
  const maxShift = Math.min(height - 1, options.maxShift ?? Math.floor((height * 2) / 3));
  const where = new Map<number, number[]>();
  for (let y = 0; y < height; y++) {
    const rows = where.get(prev[y]!);
    if (rows) rows.push(y);
    else where.set(prev[y]!, [y]);
  }
  const votes = new Int32Array(2 * maxShift + 1);
  let distinctive = 0;
  for (let y = 0; y < height; y++) {
    const rows = where.get(next[y]!);
    if (!rows || rows.length > COMMON_ROW) continue;
    distinctive++;
    for (const r of rows) {
      const dy = y - r;
      if (dy >= -maxShift && dy <= maxShift) votes[dy + maxShift]!++;
    }
  }
  const hint = options.hint ?? 0;
  let best = hint !== 0 && Math.abs(hint) <= maxShift ? hint : 0;
  for (let i = 0; i < votes.length; i++) if (votes[i]! > votes[best + maxShift]!) best = i - maxShift;
  const count = votes[best + maxShift]!;
  if (best === 0 || count < MIN_VOTES || count <= votes[maxShift]! || count * 4 < distinctive) return 0;
  return best;
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

/**
 * Marks the tiles where `next` differs from `ref` in any pixel. The source is lossless,
 * so any difference is a real change; rows that are equal throughout (most rows once a
 * scroll is copied) cost one native compare each.
 */
export function changedTiles(ref: RawPicture, next: RawPicture): TileMap {
  const map = tileMap(next.width, next.height);
  const { width, height } = next;
  const stride = width * 3;
  const a = Buffer.from(ref.data.buffer, ref.data.byteOffset, ref.data.byteLength);
  const b = Buffer.from(next.data.buffer, next.data.byteOffset, next.data.byteLength);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    if (a.compare(b, row, row + stride, row, row + stride) === 0) continue;
    const base = Math.floor(y / TILE_H) * map.cols;
    for (let c = 0; c < map.cols; c++) {
      if (map.bits[base + c]) continue;
      const x0 = row + c * TILE_W * 3;
      const x1 = Math.min(row + stride, x0 + TILE_W * 3);
      if (a.compare(b, x0, x1, x0, x1) !== 0) map.bits[base + c] = 1;
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
