import { describe, expect, it } from 'vitest';
import {
  changedTiles,
  countTiles,
  findVerticalShift,
  rowHashes,
  shiftRows,
  shiftTiles,
  TILE_H,
  TILE_W,
  tileMap,
  tileRects,
  type RawPicture,
} from '../../../../gateway/browser/frame-diff.js';
import { article, view } from '../../support/synthetic-page.js';

describe('vertical shift search', () => {
  const page = article(320, 2000);
  const hashes = (top: number, height = 240): Uint32Array => rowHashes(view(page, top, height));

  it('finds a scroll down (content moves up) and a scroll up without a hint', () => {
    expect(findVerticalShift(hashes(500), hashes(573), 240)).toBe(-73);
    expect(findVerticalShift(hashes(500), hashes(431), 240)).toBe(69);
  });

  it('finds the shift when a fixed header and a changed line do not move with the content', () => {
    const a = view(page, 500, 240);
    const b = view(page, 540, 240);
    const header = view(page, 1900, 30);
    a.data.set(header.data, 0);
    b.data.set(header.data, 0);
    b.data.fill(0, 100 * 320 * 3, 110 * 320 * 3);
    expect(findVerticalShift(rowHashes(a), rowHashes(b), 240)).toBe(-40);
  });

  it('takes a hint that fits and ignores one that does not', () => {
    expect(findVerticalShift(hashes(500), hashes(600), 240, { hint: -100 })).toBe(-100);
    expect(findVerticalShift(hashes(500), hashes(600), 240, { hint: -37 })).toBe(-100);
  });

  it('says 0 for the same picture, for an unrelated picture and for a blank one', () => {
    expect(findVerticalShift(hashes(500), hashes(500), 240)).toBe(0);
    const other = rowHashes(view(article(320, 240, 99), 0, 240));
    expect(findVerticalShift(hashes(500), other, 240)).toBe(0);
    const blank: RawPicture = { data: new Uint8Array(320 * 240 * 3).fill(255), width: 320, height: 240 };
    expect(findVerticalShift(rowHashes(blank), rowHashes(blank), 240)).toBe(0);
  });
});

describe('changed tiles', () => {
  it('marks exactly the tile where a character changed', () => {
    const page = article(256, 128);
    const a = view(page, 0, 128);
    const b = view(page, 0, 128);
    expect(countTiles(changedTiles(a, b))).toBe(0);
    // A dark 6×10 glyph in tile column 2, tile row 3.
    for (let y = 50; y < 60; y++) b.data.fill(0, (y * 256 + 70) * 3, (y * 256 + 76) * 3);
    const map = changedTiles(a, b);
    expect(countTiles(map)).toBe(1);
    expect(map.bits[3 * map.cols + 2]).toBe(1);
  });

  it('after shifting the reference by the scroll, only the newly exposed strip differs', () => {
    const page = article(256, 1000);
    const ref = view(page, 300, 160);
    const next = view(page, 340, 160);
    shiftRows(ref, -40);
    const map = changedTiles(ref, next);
    // Rows 120..159 are new: tile rows 7 (112..127, partly), 8 and 9.
    const rows = new Set<number>();
    map.bits.forEach((v, i) => v && rows.add(Math.floor(i / map.cols)));
    expect([...rows].sort()).toEqual([7, 8, 9]);
  });
});

describe('rectangles and moved tile maps', () => {
  it('merges runs of tiles into as few rectangles as their shape allows, clipped to the picture', () => {
    const width = 100; // 4 tile columns, the last one 4 px wide
    const height = 40; // 3 tile rows, the last one 8 px tall
    const map = tileMap(width, height);
    const set = (c: number, r: number): void => void (map.bits[r * map.cols + c] = 1);
    set(0, 0);
    set(1, 0);
    set(0, 1);
    set(1, 1);
    set(3, 2);
    expect(tileRects(map, width, height)).toEqual([
      { x: 0, y: 0, width: 2 * TILE_W, height: 2 * TILE_H },
      { x: 3 * TILE_W, y: 2 * TILE_H, width: 4, height: 8 },
    ]);
  });

  it('moves lossy marks with the content and marks the exposed rows', () => {
    const map = tileMap(TILE_W, TILE_H * 6);
    map.bits[2] = 1; // tile row 2
    const up = shiftTiles(map, -TILE_H, 1); // content moved up one tile row
    expect([...up.bits]).toEqual([0, 1, 0, 0, 0, 1]);
    const half = shiftTiles(map, TILE_H / 2, 0); // half a tile down: straddles rows 2 and 3
    expect([...half.bits]).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('shifts picture rows the way the client copies them', () => {
    const pic: RawPicture = { data: new Uint8Array([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]), width: 1, height: 4 };
    shiftRows(pic, -1);
    expect([...pic.data]).toEqual([2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4]);
    shiftRows(pic, 2);
    expect([...pic.data]).toEqual([2, 2, 2, 3, 3, 3, 2, 2, 2, 3, 3, 3]);
  });
});
