// Equivalence of the official MotionBench scorer port; every expected value is worked out by hand from
// upstream answer_util.py / compute_accuracy.py (see the comment on each case), not from this code.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isKinemaError } from "../../util/errors.ts";
import { computeAccuracy, constructAnswers, getBetterOne, type MetaRow, polishAnswer } from "./official.ts";

test("polish_answer edge cases", () => {
  const cases: [string, string, string][] = [
    ["A", "A", "plain letter"],
    ["(B)", "B", 'split(")")[0] = "(B"; "(" present → split("(")[1] = "B"'],
    ["B)", "B", 'split(")")[0] = "B"'],
    ["b", "b", "no upper-casing: stays lower case (and is wrong)"],
    ["The answer is B", "T", 'no parentheses; split(" ")[0] = "The" → "T"'],
    ["", "", "empty stays empty"],
    [" \n\t", "", "strip leaves nothing"],
    ["  C. Jump  ", "C", 'strip; split(" ")[0] = "C." → "C"'],
    ["\uFEFFA", "\uFEFF", "Python strip() keeps a BOM (not whitespace), so the BOM is answer[0]"],
    ["\u3000D\u2003", "D", "ideographic and em spaces are Python whitespace: stripped"],
    ["\u0085A", "A", "NEL (U+0085) is Python whitespace, unlike JS trim()"],
    ["\u001cA", "A", "U+001C is Python whitespace (isspace), unlike JS trim()"],
    ["\u00a0(C) Stand", "C", 'NBSP stripped; "(C" → "C"'],
    ["(A", "A", 'no ")" to cut; "(" present → "A"'],
    ["Answer: (D) because", "D", 'split(")")[0] = "Answer: (D" → after "(" → "D"'],
    ["A\tB", "A", 'only an ASCII space splits; "A\\tB"[0] = "A"'],
    ["😀 A", "😀", "answer[0] is one code point (two UTF-16 units)"],
    ["()", "", 'split(")")[0] = "(" → split("(")[1] = "" → empty'],
    ["(x (B))", "x", 'split(")")[0] = "(x (B" → split("(")[1] = "x " → strip → "x"'],
    ["**B**", "*", "markdown is not removed upstream"],
  ];
  for (const [raw, want, why] of cases)
    assert.equal(polishAnswer(raw), want, `${JSON.stringify(raw)}: ${why}`);
});

test("get_better_one keeps an old answer that holds A–D", () => {
  assert.equal(getBetterOne("C", ""), "C"); // old empty → new
  assert.equal(getBetterOne("C", "B"), "B"); // old holds B → old
  assert.equal(getBetterOne("C", "n"), "C"); // old has no A–D → new
  assert.equal(getBetterOne("C", "a"), "C"); // lower-case "a" is not "A" → new
});

test("construct_answer resolves duplicate uids as upstream", () => {
  const recs = (...objs: Record<string, unknown>[]) => objs.map((obj, i) => ({ obj, line: i + 1 }));
  const { answers, issues } = constructAnswers(
    recs(
      { u1: "B" },
      { u1: "C" }, // old "B" holds a letter → "B" kept
      { u2: "no idea" }, // polish → "n"
      { u2: "C" }, // old "n" holds no A–D → "C"
      { u3: null }, // None → "" → ""
      { u3: "D" }, // old "" → "D"
      { u4: "The answer is B" }, // → "T"
      { u4: "(A)" }, // old "T" holds no A–D → polish("(A)") = "A"
      { u5: "Definitely not" }, // → "D": garbage that happens to be a letter
      { u5: "B" }, // old "D" holds D → "D" kept
      { u6: "a" }, // lower case
      { u6: "B" }, // "a" has no upper-case A–D → "B"
      { u7: 3 }, // not a string: upstream crashes on .strip(); reported and ignored here
      { u8: "  \uFEFFC" }, // strip keeps the BOM → "\uFEFF"
    ),
    "pred.jsonl",
  );
  assert.deepEqual(Object.fromEntries(answers), {
    u1: "B",
    u2: "C",
    u3: "D",
    u4: "A",
    u5: "D",
    u6: "B",
    u8: "\uFEFF",
  });
  assert.equal(issues.length, 1);
  assert.deepEqual([issues[0].line, issues[0].field], [13, "u7"]);
});

test("compute_accuracy: NA continue quirk, unanswered questions, categories of answered dev only", () => {
  const rows: MetaRow[] = [
    { questionType: "Motion Recognition", qa: [{ uid: "m1", answer: "A" }] },
    { questionType: "Motion Recognition", qa: [{ uid: "m2", answer: "B" }] },
    { questionType: "Camera Motion", qa: [{ uid: "c1", answer: "C" }] },
    { questionType: "Camera Motion", qa: [{ uid: "t1", answer: "NA" }] },
    { questionType: "Action Order", qa: [{ uid: "t2", answer: "NA" }] },
    { questionType: "Action Order", qa: [{ uid: "a1", answer: "D" }] },
    { questionType: "Repetition Count", qa: [{ uid: "r1", answer: "A" }] },
  ];
  const answers = new Map([
    ["m1", "A"], // answered dev, right: MR 1/1, right_num 1, qa 1
    ["m2", "b"], // answered dev, lower case → wrong: MR 1/2, qa 2
    ["c1", "C"], // answered dev, right: CM 1/1, right_num 2, qa 3
    ["t1", "A"], // answered test: answered_num 4, then `continue` → NOT in total_qa_num
    // t2: unanswered test → total_qa_num 4
    // a1: unanswered dev → total_qa_num 5; Action Order never enters the categories
    ["r1", "T"], // answered dev, prose parsed to "T" → wrong: RC 0/1, qa 6, answered 5
    ["zz", "A"], // uid not in the meta: never looked at
  ]);
  const res = computeAccuracy(answers, rows);
  assert.deepEqual(Object.keys(res), [
    "Motion Recognition",
    "Camera Motion",
    "Repetition Count",
    "acc",
    "answered_acc",
    "total_qa_num",
    "total_answered_num",
    "right_num",
  ]);
  assert.deepEqual(res, {
    "Motion Recognition": 0.5,
    "Camera Motion": 1,
    "Repetition Count": 0,
    acc: 2 / 6,
    answered_acc: 2 / 5,
    total_qa_num: 6,
    total_answered_num: 5,
    right_num: 2,
  });
});

test("compute_accuracy: every test question answered and none unanswered", () => {
  // 2 dev (1 right) + 2 test answered: answered 4, total_qa 2 (tests skipped by continue).
  const rows: MetaRow[] = [
    { questionType: "Motion Recognition", qa: [{ uid: "d1", answer: "A" }] },
    { questionType: "Motion Recognition", qa: [{ uid: "d2", answer: "B" }] },
    { questionType: "Camera Motion", qa: [{ uid: "t1", answer: "NA" }] },
    { questionType: "Camera Motion", qa: [{ uid: "t2", answer: "NA" }] },
  ];
  const res = computeAccuracy(
    new Map([
      ["d1", "A"],
      ["d2", "C"],
      ["t1", "A"],
      ["t2", ""],
    ]),
    rows,
  );
  assert.deepEqual(res, {
    "Motion Recognition": 0.5,
    acc: 0.5,
    answered_acc: 0.25,
    total_qa_num: 2,
    total_answered_num: 4,
    right_num: 1,
  });
});

test("compute_accuracy: nothing answered is an error (upstream ZeroDivisionError)", () => {
  assert.throws(
    () => computeAccuracy(new Map(), [{ questionType: "Camera Motion", qa: [{ uid: "x", answer: "A" }] }]),
    (e) => isKinemaError(e, "bad_input"),
  );
});
