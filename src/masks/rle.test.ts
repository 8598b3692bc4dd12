import assert from "node:assert/strict";
import { test } from "node:test";
import { area, bbox, countsToString, decodeMask, encodeMask, maskToCounts, stringToCounts } from "./rle.ts";

// Encodings derived by hand from maskApi.c's rules (rleToString: 5-bit groups, continuation bit 0x20,
// deltas against counts[i-2] for i > 2).
test("matches pycocotools on a 4x5 mask", () => {
  // rows: 0 1 1 0 0 / 0 1 1 0 0 / 0 0 0 0 1 / 1 0 0 0 1
  const m = Uint8Array.from([0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1]);
  // column-major: col0 0001 col1 1100 col2 1100 col3 0000 col4 0011
  assert.deepEqual(maskToCounts(m, 4, 5), [3, 3, 2, 2, 8, 2]);
  const s = countsToString([3, 3, 2, 2, 8, 2]);
  assert.deepEqual(stringToCounts(s), [3, 3, 2, 2, 8, 2]);
  assert.deepEqual(decodeMask({ size: [4, 5], counts: s }), m);
  assert.equal(area({ size: [4, 5], counts: s }), 7);
  assert.deepEqual(bbox({ size: [4, 5], counts: s }), [0, 0, 5, 4]);
});

test("pycocotools string for a 10x10 square at rows 2-5, cols 3-6", () => {
  const m = new Uint8Array(100);
  for (let y = 2; y < 6; y++) for (let x = 3; x < 7; x++) m[y * 10 + x] = 1;
  const rle = encodeMask(m, 10, 10);
  assert.deepEqual(stringToCounts(rle.counts as string), [32, 4, 6, 4, 6, 4, 6, 4, 34]);
  assert.equal(rle.counts, "P14600000l0");
  assert.deepEqual(decodeMask(rle), m);
});

test("round-trips random masks with large runs and negative deltas", () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let t = 0; t < 20; t++) {
    const h = 1 + Math.floor(rnd() * 300);
    const w = 1 + Math.floor(rnd() * 300);
    const m = new Uint8Array(h * w);
    const p = rnd();
    for (let i = 0; i < m.length; i++) m[i] = rnd() < p ? 1 : 0;
    assert.deepEqual(decodeMask(encodeMask(m, h, w)), m);
  }
});
