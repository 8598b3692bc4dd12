// Frame perturbations: each condition's rearrangement of the planned frames, seeded shuffles, normalisation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizePerturbation, perturbFrames, shuffledPositions } from "./perturb.ts";

const api = { key: "s1", fixedCount: false };
const fixed = { key: "s1", fixedCount: true };

test("ordered and reversed keep every frame; reversed flips the order", () => {
  assert.deepEqual(perturbFrames(4, { kind: "ordered" }, api), { positions: [0, 1, 2, 3], blank: false });
  assert.deepEqual(perturbFrames(4, undefined, api).positions, [0, 1, 2, 3]);
  assert.deepEqual(perturbFrames(4, { kind: "reversed" }, api).positions, [3, 2, 1, 0]);
});

test("first/last: one frame for models that take any count, repeated for fixed-count models", () => {
  assert.deepEqual(perturbFrames(5, { kind: "first" }, api).positions, [0]);
  assert.deepEqual(perturbFrames(5, { kind: "last" }, api).positions, [4]);
  assert.deepEqual(perturbFrames(3, { kind: "first" }, fixed).positions, [0, 0, 0]);
  assert.deepEqual(perturbFrames(3, { kind: "last" }, fixed).positions, [2, 2, 2]);
});

test("none: no frames for API models, blank frames of the planned count for fixed-count models", () => {
  assert.deepEqual(perturbFrames(4, { kind: "none" }, api), { positions: [], blank: false });
  assert.deepEqual(perturbFrames(4, { kind: "none" }, fixed), { positions: [0, 1, 2, 3], blank: true });
});

test("shuffled: a seeded permutation per sample, never the identity, stable across calls", () => {
  for (const n of [2, 3, 8, 16]) {
    for (const key of ["a", "b", "c", "d", "e"]) {
      const p = shuffledPositions(n, 0, key);
      assert.deepEqual(
        [...p].sort((x, y) => x - y),
        [...Array(n).keys()],
      );
      assert.ok(
        p.some((v, i) => v !== i),
        `identity for n=${n} key=${key}`,
      );
      assert.deepEqual(shuffledPositions(n, 0, key), p);
    }
  }
  const a = shuffledPositions(16, 0, "x");
  assert.notDeepEqual(shuffledPositions(16, 1, "x"), a, "the seed matters");
  assert.notDeepEqual(shuffledPositions(16, 0, "y"), a, "each sample has its own order");
  assert.deepEqual(
    perturbFrames(16, { kind: "shuffled", seed: 0 }, { key: "x", fixedCount: true }).positions,
    a,
  );
  assert.deepEqual(shuffledPositions(1, 0, "x"), [0]);
});

test("normalisation: ordered is no perturbation; shuffled always carries its seed; bad kinds are refused", () => {
  assert.equal(normalizePerturbation({ kind: "ordered" }), undefined);
  assert.equal(normalizePerturbation(undefined), undefined);
  assert.deepEqual(normalizePerturbation({ kind: "shuffled" }), { kind: "shuffled", seed: 0 });
  assert.deepEqual(normalizePerturbation({ kind: "first", seed: 3 }), { kind: "first" });
  assert.throws(() => normalizePerturbation({ kind: "sideways" as any }), /bad frame perturbation/);
});
