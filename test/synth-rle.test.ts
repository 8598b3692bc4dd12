// COCO RLE as used by the synthetic world's masks, checked against encodings produced by real pycocotools.
import assert from "node:assert/strict";
import { test } from "node:test";
import { area, bbox, decodeMask, encodeMask, stringToCounts } from "../src/masks/rle.ts";
import { idsToRles } from "../src/synth/masks.ts";

function square(h: number, w: number, lo: number, hi: number): Uint8Array {
  const m = new Uint8Array(h * w);
  for (let y = lo; y < hi; y++) for (let x = lo; x < hi; x++) m[y * w + x] = 1;
  return m;
}

// Strings from twsl/pytorchcocotools tests/mask/test_encode.py (EncodeCases: a 25x25 mask with
// mask[min:max, min:max] = 1, expected output of pycocotools.mask.encode); areas as in
// tests/mask/test_area.py (square side squared).
const PYCOCO_CASES: [number, number, string, number][] = [
  [0, 5, "05d00000000d?", 25],
  [5, 10, "R45d00000000b;", 25],
  [20, 25, "X`05d00000000", 25],
  [0, 25, "0ac0", 625],
];

test("encodes squares exactly as pycocotools does (twsl/pytorchcocotools tests/mask/test_encode.py)", () => {
  for (const [lo, hi, counts, a] of PYCOCO_CASES) {
    const m = square(25, 25, lo, hi);
    assert.equal(encodeMask(m, 25, 25).counts, counts, `square ${lo}:${hi}`);
    const rle = { size: [25, 25] as [number, number], counts };
    assert.deepEqual(decodeMask(rle), m);
    assert.equal(area(rle), a);
    assert.deepEqual(bbox(rle), [lo, lo, hi - lo, hi - lo]);
    // The synth id-buffer encoder gives the same string.
    const ids = new Uint8Array(625);
    m.forEach((v, i) => (ids[i] = v ? 7 : 3));
    assert.equal(idsToRles(ids, 25, 25, [7])[0].counts, counts);
  }
});

test("uncompressed counts compress as pycocotools frPyObjects (tests/mask/test_fr_py_objects.py)", () => {
  // twsl/pytorchcocotools: {"counts": [130, 5, 20, 5, 20, 5, 20, 5, 20, 5, 390]} → b"R45d00000000b;".
  assert.deepEqual(stringToCounts("R45d00000000b;"), [130, 5, 20, 5, 20, 5, 20, 5, 20, 5, 390]);
  const viaArray = decodeMask({ size: [25, 25], counts: [130, 5, 20, 5, 20, 5, 20, 5, 20, 5, 390] });
  assert.deepEqual(viaArray, square(25, 25, 5, 10));
});

test("toBbox matches pycocotools' own tests (ppwwyyxx/cocoapi tests/test_cases.py)", () => {
  // mask[2:4, 3:6] = 1 in a 10x10 image → bbox [3, 2, 3, 2] (the non-full-image bugfix case).
  const m = new Uint8Array(100);
  for (let y = 2; y < 4; y++) for (let x = 3; x < 6; x++) m[y * 10 + x] = 1;
  assert.deepEqual(bbox(encodeMask(m, 10, 10)), [3, 2, 3, 2]);
  // [[0, 1], [1, 1]] → [0, 0, 2, 2].
  assert.deepEqual(bbox(encodeMask(Uint8Array.from([0, 1, 1, 1]), 2, 2)), [0, 0, 2, 2]);
});

test("idsToRles agrees with encodeMask on a random id buffer, non-square", () => {
  let s = 12345;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const h = 37;
  const w = 53;
  const ids = new Uint8Array(h * w);
  // Blobs rather than salt noise, so runs are long and varied.
  for (let b = 0; b < 30; b++) {
    const cx = Math.floor(rnd() * w);
    const cy = Math.floor(rnd() * h);
    const r = 2 + Math.floor(rnd() * 8);
    const id = 1 + Math.floor(rnd() * 4);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) ids[y * w + x] = id;
  }
  const rles = idsToRles(ids, w, h, [1, 2, 3, 4, 9]);
  [1, 2, 3, 4, 9].forEach((id, i) => {
    const m = Uint8Array.from(ids, (v) => (v === id ? 1 : 0));
    assert.deepEqual(rles[i], encodeMask(m, h, w));
    assert.deepEqual(decodeMask(rles[i]), m);
  });
});
