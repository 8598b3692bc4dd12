// Validation of generated MCQ lists: every rejection has its reason; categories by name, abbreviation or dimensions.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mapDimensions, validateQuestion, validateReply } from "./mcq.ts";

const q = (o: Record<string, unknown>) => ({
  question: "Q?",
  options: ["a", "b", "c", "d"],
  answer: "B",
  category: "Camera Motion",
  ...o,
});

test("a valid question: letter, option text or index answers; letter prefixes stripped", () => {
  assert.deepEqual(validateQuestion(q({})), {
    question: "Q?",
    options: ["a", "b", "c", "d"],
    answer: 1,
    category: "Camera Motion",
    categorySource: "model",
  });
  assert.equal((validateQuestion(q({ answer: "c" })) as { answer: number }).answer, 2);
  assert.equal((validateQuestion(q({ answer: "(D)" })) as { answer: number }).answer, 3);
  assert.equal((validateQuestion(q({ answer: "B. b" })) as { answer: number }).answer, 1);
  assert.deepEqual(
    (validateQuestion(q({ options: ["A. x", "B) y"], answer: "y" })) as { options: string[] }).options,
    ["x", "y"],
  );
  assert.deepEqual(
    (validateQuestion(q({ options: { B: "y", A: "x" }, answer: "A" })) as { options: string[] }).options,
    ["x", "y"],
  );
  assert.equal(
    (validateQuestion(q({ category: "rc" })) as { category: string }).category,
    "Repetition Count",
  );
});

test("each rejection reason", () => {
  assert.equal(validateQuestion("x"), "element is not an object");
  assert.equal(validateQuestion(q({ question: " " })), "question missing");
  assert.equal(validateQuestion(q({ options: ["a"] })), "1 options (need 2–4)");
  assert.equal(validateQuestion(q({ options: ["a", "b", "c", "d", "e"] })), "5 options (need 2–4)");
  assert.equal(validateQuestion(q({ options: ["a", "A "] })), "duplicate options");
  assert.equal(validateQuestion(q({ options: ["a", ""] })), "an option is empty");
  assert.equal(validateQuestion(q({ options: [1, 2] })), "options must be strings");
  assert.equal(validateQuestion(q({ answer: "E" })), "answer E is not among the 4 options");
  assert.equal(validateQuestion(q({ answer: "zebra" })), "answer is not among the options");
  assert.equal(validateQuestion(q({ answer: undefined })), "answer missing");
  assert.equal(validateQuestion(q({ category: "Funny" })), 'category "Funny" is not one of the six');
  assert.equal(
    validateQuestion(q({ category: undefined })),
    "category missing (none of the six named, no dimensions given)",
  );
});

test("the prompt's two dimensions map to the six categories", () => {
  assert.equal(mapDimensions("4.1", "1"), "Camera Motion");
  assert.equal(mapDimensions("1.1", "2"), "Repetition Count");
  assert.equal(mapDimensions("1.2", "3"), "Action Order");
  assert.equal(mapDimensions("3.2", "1"), "Location-related Motion");
  assert.equal(mapDimensions("2.1", "1"), "Motion-related Objects");
  assert.equal(mapDimensions("1.3", "4"), "Motion Recognition");
  assert.equal(mapDimensions(undefined, undefined), undefined);
  const v = validateQuestion(
    q({ category: undefined, content_dimension: "4.1", question_logic_dimension: "1" }),
  );
  assert.deepEqual(
    [(v as { category: string }).category, (v as { categorySource: string }).categorySource],
    ["Camera Motion", "mapped"],
  );
});

test("replies: not JSON, not a list, empty, fenced, duplicates", () => {
  assert.match(validateReply("nope").error!, /^not JSON/);
  assert.equal(validateReply('{"a": 1}').error, "not a JSON list");
  assert.equal(validateReply("[]").error, "empty list");
  assert.equal(validateReply('[{"question": "x"}]').error, "no valid question in the list");
  const r = validateReply(
    `\`\`\`json\n${JSON.stringify([q({}), q({ question: " q? " }), q({ question: "R?" })])}\n\`\`\``,
  );
  assert.equal(r.fenced, true);
  assert.equal(r.questions.length, 2);
  assert.deepEqual(r.rejected, [{ index: 1, reason: "duplicate question" }]);
});
