// COCO run-length encoding of binary masks, bit-compatible with pycocotools (maskApi.c).
// Masks here are row-major Uint8Array(h*w) with 0/1 values; RLE runs are column-major as upstream.
import { KinemaError } from "../util/errors.ts";

export interface Rle {
  /** [height, width] as in pycocotools. */
  size: [number, number];
  /** Compressed string (pycocotools `rleToString`) or uncompressed run lengths. */
  counts: string | number[];
}

/** Run lengths (alternating 0s and 1s, starting with 0s) of a row-major mask, scanned column-major. */
export function maskToCounts(mask: Uint8Array, h: number, w: number): number[] {
  if (mask.length !== h * w)
    throw new KinemaError("bad_input", `mask has ${mask.length} pixels, expected ${h}x${w}`);
  const counts: number[] = [];
  let prev = 0;
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      const v = mask[y * w + x] ? 1 : 0;
      if (v !== prev) {
        counts.push(run);
        run = 0;
        prev = v;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

/** pycocotools `rleToString`: LEB128-like 6-bit chars, deltas against the count two back. */
export function countsToString(counts: number[]): string {
  let s = "";
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/** pycocotools `rleFrString`. */
export function stringToCounts(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    let c = 0;
    while (more) {
      if (p >= s.length) throw new KinemaError("bad_input", "truncated RLE counts string");
      c = s.charCodeAt(p) - 48;
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
    }
    if (c & 0x10) x -= 2 ** (5 * k); // sign-extend
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

export function encodeMask(mask: Uint8Array, h: number, w: number): Rle {
  return { size: [h, w], counts: countsToString(maskToCounts(mask, h, w)) };
}

/** Decodes an RLE (string or array counts) to a row-major 0/1 mask. */
export function decodeMask(rle: Rle): Uint8Array {
  const [h, w] = rle.size;
  const counts = typeof rle.counts === "string" ? stringToCounts(rle.counts) : rle.counts;
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== h * w)
    throw new KinemaError("bad_input", `RLE runs cover ${total} pixels, size says ${h}x${w}=${h * w}`);
  const mask = new Uint8Array(h * w);
  let pos = 0;
  let v = 0;
  for (const n of counts) {
    if (v)
      for (let i = pos; i < pos + n; i++) {
        const x = Math.floor(i / h);
        const y = i - x * h;
        mask[y * w + x] = 1;
      }
    pos += n;
    v ^= 1;
  }
  return mask;
}

export function area(rle: Rle): number {
  const counts = typeof rle.counts === "string" ? stringToCounts(rle.counts) : rle.counts;
  let a = 0;
  for (let i = 1; i < counts.length; i += 2) a += counts[i];
  return a;
}

/** [x, y, width, height] of the mask's pixels, as pycocotools `toBbox`; zeros for an empty mask. */
export function bbox(rle: Rle): [number, number, number, number] {
  const m = decodeMask(rle);
  const [h, w] = rle.size;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (m[y * w + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

/** Largest mask side and area accepted from a file (8K video is 7680×4320 = 33 Mpx). */
export const MAX_MASK_SIDE = 16384;
export const MAX_MASK_PIXELS = 2 ** 26;

/**
 * Checks a COCO RLE read from a file without decoding it to pixels: `size` two positive integers within the
 * limits, `counts` a pycocotools string or a list of integers, every run non-negative, the runs summing to
 * height × width. Returns the problem in words, or null when the mask is sound. Cost: one pass over the runs,
 * so a hostile entry cannot make the loader allocate its claimed size.
 */
export function rleProblem(v: unknown): string | null {
  if (!v || typeof v !== "object" || Array.isArray(v))
    return "not a COCO RLE {size, counts} (polygons are not supported)";
  const r = v as Record<string, unknown>;
  if (!Array.isArray(r.size) || r.size.length !== 2 || !r.size.every((x) => Number.isInteger(x)))
    return `size must be [height, width] integers, got ${JSON.stringify(r.size)?.slice(0, 60)}`;
  const [h, w] = r.size as number[];
  if (h < 1 || w < 1) return `size ${h}x${w} is empty or negative`;
  if (h > MAX_MASK_SIDE || w > MAX_MASK_SIDE || h * w > MAX_MASK_PIXELS)
    return `size ${h}x${w} exceeds the limit (${MAX_MASK_SIDE} per side, ${MAX_MASK_PIXELS} pixels)`;
  let counts: number[];
  if (typeof r.counts === "string") {
    try {
      counts = stringToCounts(r.counts);
    } catch (e) {
      return (e as Error).message;
    }
  } else if (Array.isArray(r.counts)) {
    if (!r.counts.every((x) => Number.isInteger(x))) return "counts must be integers";
    counts = r.counts as number[];
  } else return "counts must be a string or a list of integers";
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] < 0) return `run ${i} is negative (${counts[i]})`;
    total += counts[i];
  }
  if (total !== h * w) return `runs cover ${total} pixels, size says ${h}x${w}=${h * w}`;
  return null;
}
