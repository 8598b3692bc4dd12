// Cluster bootstrap: seeded determinism, and clustering by video widening the interval.
import assert from "node:assert/strict";
import { test } from "node:test";
import { clusterBootstrap, mulberry32, quantileSorted } from "./stats.ts";

/** 200 questions, 60% right, spread over `videos` videos; right answers grouped so videos differ. */
function dataset(videos: number): { cluster: string; correct: boolean }[] {
  const per = 200 / videos;
  const items: { cluster: string; correct: boolean }[] = [];
  for (let v = 0; v < videos; v++)
    for (let q = 0; q < per; q++) items.push({ cluster: `v${v}`, correct: v * per + q < 120 });
  return items;
}

test("same seed, same interval; another seed, another interval", () => {
  // Uneven clusters with mixed answers, so that resampled accuracies take many values.
  const items = Array.from({ length: 200 }, (_, i) => ({
    cluster: `v${(i * i) % 37}`,
    correct: (i * 7) % 10 < 6,
  }));
  const a = clusterBootstrap(items, { seed: 7, resamples: 1000 });
  const b = clusterBootstrap(items, { seed: 7, resamples: 1000 });
  const c = clusterBootstrap(items, { seed: 8, resamples: 1000 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.ci95, c.ci95);
  assert.equal(a.acc, 0.6);
  assert.equal(a.n, 200);
  assert.equal(a.right, 120);
  assert.ok(a.ci95![0] < 0.6 && 0.6 < a.ci95![1]);
});

test("questions sharing 2 videos give a wider interval than the same accuracy over 200 videos", () => {
  const two = clusterBootstrap(dataset(2), { seed: 1 }); // video 0: 100/100 right, video 1: 20/100
  const many = clusterBootstrap(dataset(200), { seed: 1 }); // one question per video
  assert.equal(two.acc, many.acc);
  const width = (c: typeof two) => c.ci95![1] - c.ci95![0];
  // 2 clusters: resamples are {0,0},{0,1},{1,1} → 0.2, 0.6 or 1.0, so the interval spans [0.2, 1.0].
  assert.deepEqual(two.ci95, [0.2, 1]);
  // Independent questions: about ±1.96·sqrt(0.24/200) ≈ ±0.068.
  assert.ok(width(many) > 0.1 && width(many) < 0.16, `width ${width(many)}`);
  assert.ok(width(two) > 4 * width(many));
});

test("no items: no accuracy, no interval; helpers", () => {
  assert.deepEqual(clusterBootstrap([]), { acc: null, n: 0, right: 0, ci95: null });
  const r = mulberry32(3);
  const xs = Array.from({ length: 5 }, () => r());
  assert.ok(xs.every((x) => x >= 0 && x < 1) && new Set(xs).size === 5);
  assert.equal(quantileSorted([0, 10], 0.25), 2.5);
});
