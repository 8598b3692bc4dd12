// Equivalence with LVBench's own scorer: official.fixture.json was produced by running
// THUDM/LVBench@f998d95541cd5f0953c52449b185c6467b9b099d lvbench/utils/answer_util.py (polish_answer) and
// lvbench/metrics/compute_accuracy.py with /usr/bin/python3 (upstream/gen_vectors.py beside this file).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { lvQas } from "./load.ts";
import { computeAccuracyLv, polishAnswer } from "./official.ts";

const fx = JSON.parse(readFileSync(new URL("./official.fixture.json", import.meta.url), "utf8"));

test("polish_answer (MotionBench's, reused) equals LVBench's on every vector", () => {
  for (const v of fx.polish) assert.equal(polishAnswer(v.raw), v.polished, JSON.stringify(v.raw));
});

test("compute_accuracy: per question type over multi-label QAs, answered denominator, keys in upstream order", () => {
  const { qas } = lvQas(fx.meta.map((m: unknown) => JSON.stringify(m)).join("\n"), "meta.jsonl");
  const got = computeAccuracyLv(new Map(Object.entries(fx.answers)), qas);
  assert.deepEqual(Object.entries(got), fx.result);
});
