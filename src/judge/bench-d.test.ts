// VideoRefer-Bench-D aggregation against upstream itself: bench-d.vectors.json holds the output of
// DAMO-NLP-SG/VideoRefer's 2.extract_re.py + 3.analyze_score.py (commit in the file) on each case's replies,
// made by scripts/vectors/bench-d.py. The official mode must give exactly those means and counts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { aggregateBenchD, type Judgement } from "./aggregate.ts";
import { BENCH_D_DIMENSIONS, parseBenchDReply } from "./parse.ts";

const vectors = JSON.parse(readFileSync(join(import.meta.dirname, "bench-d.vectors.json"), "utf8"));

const judgements = (replies: string[]): Judgement[] =>
  replies.map((reply, i) => {
    const p = parseBenchDReply(reply);
    return {
      kind: "videorefer-d",
      metric: "bench_d",
      id: String(i),
      sample: 0,
      status: p.missing.length ? "unparsed" : "ok",
      reply,
      dims: p.scores,
      judge: {} as Judgement["judge"],
      cached: false,
      attempts: 1,
      cacheKey: String(i),
    };
  });

test("official aggregation equals upstream's scripts on every vector (Unicode \\d and \\s included)", () => {
  assert.match(vectors.commit, /^[0-9a-f]{40}$/);
  assert.ok(vectors.cases.length >= 10);
  for (const [k, c] of vectors.cases.entries()) {
    const a = aggregateBenchD(judgements(c.replies), c.replies.length);
    assert.equal(a.mode, "official");
    for (const d of BENCH_D_DIMENSIONS) {
      assert.equal(a.judged[d], c.counts[d], `case ${k} ${d} count`);
      assert.ok(Math.abs((a[d] as number) - c.means[d]) < 1e-12, `case ${k} ${d}: ${a[d]} vs ${c.means[d]}`);
    }
    assert.ok(Math.abs((a.Avg as number) - c.avg) < 1e-12, `case ${k} Avg: ${a.Avg} vs ${c.avg}`);
  }
});

test("one unreadable value drops the whole item officially; per-dimension keeps its other scores", () => {
  const replies = [
    "1. Subject Correspondence: 5\n2. Appearance Description: 4\n3. Temporal Description: 3\n4. Hallucination Detection: 2",
    "1. Subject Correspondence: 1\n2. Appearance Description: 1\n3. Temporal Description: 1\n4. Hallucination Detection: 1\n5. Note: .",
  ];
  const off = aggregateBenchD(judgements(replies), 2);
  assert.equal(off["Subject Correspondence"], 5);
  assert.equal(off.dropped, 1);
  assert.deepEqual(
    off.dropped_items.map((x) => x.id),
    ["1"],
  );
  const per = aggregateBenchD(judgements(replies), 2, "per-dimension");
  assert.equal(per["Subject Correspondence"], 3);
  assert.equal(per.dropped, 0);
  assert.equal(per.mode, "per-dimension");
});

test("Python's \\d and \\s: Arabic-Indic and full-width digits, no-break and ideographic spaces; not U+FEFF", () => {
  const r = parseBenchDReply(
    "١. Subject Correspondence:\u00a0٤\n２. Appearance Description:\u3000３.５\n3.\ufeffTemporal Description: 4",
  );
  assert.deepEqual(r.scores, { "Subject Correspondence": 4, "Appearance Description": 3.5 });
  assert.deepEqual(r.floatErrors, []);
});
