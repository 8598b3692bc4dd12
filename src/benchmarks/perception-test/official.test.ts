// Perception Test scoring against lmms-eval's perceptiontest/val utils (EvolvingLMMs-Lab/lmms-eval@
// 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3: doc_to_text, process_results_mc, aggregate_accuracy), run with
// /usr/bin/python3 on the vectors in official.fixture.json (upstream/gen_vectors.py). The benchmark's own
// metric is top-1 accuracy (google-deepmind/perception_test@6bd0642 README; its mc_vqa notebook is not in the
// snapshot kinema could read, so the submission scorer is top-1 by definition, tested by hand below).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { Sample } from "../types.ts";
import { perceptionTestPrompt } from "./index.ts";
import { predId, scoreSubmission, top1 } from "./official.ts";

const fx = JSON.parse(readFileSync(new URL("./official.fixture.json", import.meta.url), "utf8"));

test("prompt and pred_id equal lmms-eval's on every vector; accuracy = correct / all", () => {
  for (const v of fx.vectors) {
    const s = { question: v.doc.question, options: v.doc.options } as Sample;
    assert.equal(perceptionTestPrompt(s).text, v.text);
    assert.equal(predId(v.pred), v.pred_id, JSON.stringify(v.pred));
  }
  assert.equal(
    top1(
      fx.vectors.map((v: { pred: string; doc: { answer_id: number } }) => ({
        predId: predId(v.pred),
        answerId: v.doc.answer_id,
      })),
    ),
    fx.accuracy,
  );
});

test("submission scoring: top-1 over all annotated questions, unanswered ones wrong, per area/reasoning/tag", () => {
  const qs = [
    { videoId: "v1", id: "0", answerId: 1, area: "Memory", reasoning: "Descriptive", tags: ["a", "b"] },
    { videoId: "v1", id: "1", answerId: 0, area: "Physics", reasoning: "Predictive", tags: ["a"] },
    { videoId: "v2", id: "0", answerId: 2, area: "Memory", reasoning: "Descriptive", tags: [] },
  ];
  const r = scoreSubmission(
    qs,
    new Map([
      ["v1/0", 1],
      ["v1/1", 2],
    ]),
  );
  assert.equal(r.top1, 1 / 3);
  assert.deepEqual(r.area, { Memory: 0.5, Physics: 0 });
  assert.deepEqual(r.tag, { a: 0.5, b: 1 });
  assert.equal(r.answered, 2);
});
