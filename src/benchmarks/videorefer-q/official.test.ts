// Equivalence of the VideoRefer-Bench-Q scorer port; expected values worked out by hand from upstream
// eval_videorefer_bench_q.py (comment on each record), not from this code.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isKinemaError } from "../../util/errors.ts";
import { gtLetter, predLetter, scoreVideoReferQ } from "./official.ts";

test("letter extraction", () => {
  assert.equal(gtLetter("(A) A helmet"), "A");
  assert.equal(gtLetter("B"), "B"); // no "(X)": the whole Answer is compared
  assert.equal(predLetter("(C) Sunglasses"), "C"); // \(([A-Z])\)
  assert.equal(predLetter("B) A hat"), "B"); // ([A-Z])\)
  assert.equal(predLetter("D) d (A) a"), "A"); // the "(X)" pattern wins over an earlier "X)"
  assert.equal(predLetter("c"), "c"); // first char, case kept (compared case-insensitively)
  assert.equal(predLetter("...C"), "C"); // dots removed first
  assert.equal(predLetter("The answer is D."), "T"); // prose → first character
  assert.equal(predLetter("(b)"), "("); // [A-Z] is upper case only; first char is "("
  assert.equal(predLetter("\uFEFFA"), "\uFEFF"); // BOM is a character
  assert.equal(predLetter("."), ""); // upstream IndexError
});

test("scores exactly as upstream: per type in first-seen order, micro average", () => {
  const recs = [
    { Answer: "(A) A helmet", pred: "(A) A helmet", type: "Basic Questions" }, // A = A → right
    { Answer: "(B) A hat", pred: "B) A hat", type: "Basic Questions" }, // "B)" → B → right
    { Answer: "(C) x", pred: "c", type: "Basic Questions" }, // "c" vs "C" case-insensitive → right
    { Answer: "(D) y", pred: "The answer is D.", type: "Sequential Questions" }, // "T" → wrong
    { Answer: "(A) z", pred: "A.", type: "Sequential Questions" }, // dots removed → "A" → right
    { Answer: "(B) w", pred: "(b)", type: "Sequential Questions" }, // "(" → wrong
    { Answer: "(C) v", pred: "...C", type: "Reasoning Questions" }, // "C" → right
    { Answer: "(A) a", pred: "Option (B) or A)", type: "Future Predictions" }, // (B) first → wrong
    { Answer: "(D) d", pred: "D) d\n(A) a", type: "Future Predictions" }, // "(A)" pattern first → wrong
    { Answer: "B", pred: "b", type: "Reasoning Questions" }, // gt "B" (no parens) vs "b" → right
    { Answer: "(A) q", pred: "\uFEFFA", type: "Reasoning Questions" }, // BOM first char → wrong
  ].map((rec, i) => ({ rec, line: i + 1 }));
  const { score, issues } = scoreVideoReferQ(recs, "p.jsonl");
  assert.deepEqual(issues, []);
  assert.deepEqual(Object.keys(score.types), [
    "Basic Questions",
    "Sequential Questions",
    "Reasoning Questions",
    "Future Predictions",
  ]);
  assert.deepEqual(score, {
    types: {
      "Basic Questions": { n: 3, right: 3, acc: 1 },
      "Sequential Questions": { n: 3, right: 1, acc: 1 / 3 },
      "Reasoning Questions": { n: 3, right: 2, acc: 2 / 3 },
      "Future Predictions": { n: 2, right: 0, acc: 0 },
    },
    // micro: 6 / 11, not the mean of the type accuracies (0.5)
    average: { n: 11, right: 6, acc: 6 / 11 },
  });
});

test("records upstream would crash on are reported; bad preds count as wrong", () => {
  const recs = [
    { Answer: "(A) a", pred: "", type: "Basic Questions" }, // upstream IndexError → wrong here
    { Answer: "(A) a", pred: null, type: "Basic Questions" }, // upstream TypeError → wrong here
    { Answer: "(A) a", pred: "A", type: "Basic Questions" }, // right
    { pred: "A", type: "Basic Questions" }, // no Answer → skipped
  ].map((rec, i) => ({ rec, line: i + 1 }));
  const { score, issues } = scoreVideoReferQ(recs, "p.jsonl");
  assert.deepEqual(score.average, { n: 3, right: 1, acc: 1 / 3 });
  assert.deepEqual(
    issues.map((i) => [i.line, i.field, i.action]),
    [
      [1, "pred", "kept"],
      [2, "pred", "kept"],
      [4, "Answer", "skipped"],
    ],
  );
  assert.throws(
    () => scoreVideoReferQ([]),
    (e) => isKinemaError(e, "bad_input"),
  );
});
