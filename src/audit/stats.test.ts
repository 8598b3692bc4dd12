// Audit statistics: chance from option counts, retention against the ordered condition, paired intervals.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type AuditItem, conditionStats, retention } from "./stats.ts";

/** n questions on n/2 videos, 4 options each, the first `right` of them correct. */
function items(n: number, right: number, cat = "c"): AuditItem[] {
  return Array.from({ length: n }, (_, i) => ({
    sampleId: `s${i}`,
    videoId: `v${i >> 1}`,
    category: cat,
    correct: i < right,
    options: 4,
  }));
}

test("conditionStats: accuracy with the eval's interval, chance = mean 1/#options", () => {
  const its = [...items(10, 5), { sampleId: "x", videoId: "vx", category: "d", correct: true, options: 2 }];
  const s = conditionStats(its, ["d"]);
  assert.equal(s.overall.n, 11);
  assert.equal(s.overall.acc, 6 / 11);
  assert.ok(Math.abs(s.overall.chance! - (10 * 0.25 + 0.5) / 11) < 1e-12);
  assert.deepEqual(Object.keys(s.categories), ["d", "c"], "known order first");
  assert.equal(s.categories.c.chance, 0.25);
  assert.ok(s.overall.ci95![0] <= s.overall.acc! && s.overall.acc! <= s.overall.ci95![1]);
});

test("retention: 1 when nothing is lost, 0 at chance, the raw ratio and a paired delta", () => {
  const ordered = items(40, 30); // 75% vs chance 25%
  assert.equal(retention(ordered, ordered).retained, 1);
  assert.deepEqual(retention(ordered, ordered).deltaCi95, [0, 0]);
  const half = retention(ordered, items(40, 20)); // 50%: halfway between chance and ordered
  assert.equal(half.retained, 0.5);
  assert.equal(half.ratio, 20 / 30);
  assert.equal(half.delta, -0.25);
  assert.equal(half.paired, 40);
  assert.ok(half.deltaCi95![0] < -0.25 && half.deltaCi95![1] > -0.25);
  assert.ok(half.retainedCi95![0] < 0.5 && half.retainedCi95![1] > 0.5);
  assert.equal(retention(ordered, items(40, 10)).retained, 0);
});

test("retention is undefined when ordered is not above chance, and paired on shared questions only", () => {
  const r = retention(items(8, 2), items(8, 4));
  assert.equal(r.retained, null);
  assert.equal(r.retainedCi95, null);
  assert.equal(r.delta, 0.25);
  const some = items(8, 8).slice(0, 4); // a condition that failed half its questions
  assert.equal(retention(items(8, 8), some).paired, 4);
  assert.equal(retention(items(8, 8), []).retained, null);
});
