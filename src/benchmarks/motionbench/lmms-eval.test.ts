// The `lmms-eval` preset is lmms-eval's exact text: lmms-eval.vectors.json holds what lmms-eval's own
// _split_question_and_options + motionbench_doc_to_text (run in Python, commit in the file) build for each
// raw meta question, edge cases included (empty question line, text starting with an option, empty options,
// labels outside A–F, "A.x" without a space, Unicode spaces, random option soup).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { motionbench } from "./index.ts";
import { lmmsEvalPrompt, lmmsEvalSplit } from "./lmms-eval.ts";

const vectors = JSON.parse(readFileSync(join(import.meta.dirname, "lmms-eval.vectors.json"), "utf8"));

test("byte-equal to lmms-eval's doc_to_text on every vector", () => {
  assert.match(vectors.commit, /^[0-9a-f]{40}$/);
  assert.ok(vectors.cases.length > 300);
  for (const c of vectors.cases) {
    assert.equal(lmmsEvalPrompt(c.raw), c.text, JSON.stringify(c.raw));
    assert.deepEqual(lmmsEvalSplit(c.raw).options, c.options, JSON.stringify(c.raw));
  }
});

test("the preset uses the sample's raw meta question", async () => {
  const sample = {
    id: "u",
    videoId: "v",
    video: { path: "/v.mp4" },
    category: "Motion Recognition",
    question: "Q?",
    options: ["x", "y"],
    answer: "A",
    raw: { question: "Q?\nA.x\nB.y" },
  };
  const want = vectors.cases.find((c: { raw: string }) => c.raw === "Q?\nA.x\nB.y\nC. z");
  assert.ok(want);
  assert.equal(motionbench.prompt(sample, "lmms-eval").text, lmmsEvalPrompt("Q?\nA.x\nB.y"));
  assert.equal(
    motionbench.prompt(sample, "lmms-eval").text,
    "Q?\nA. x B.y\nAnswer with only the option letter (A, B, C, D, E, or F).",
  );
});
