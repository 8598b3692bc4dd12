// Shared parsers: Python whitespace, option blocks, lmms-eval's and kinema's lenient letter extraction.
import assert from "node:assert/strict";
import { test } from "node:test";
import { extractLenient, extractLmmsEval, pyNormalizeSpace, pyStrip, splitOptions } from "./parse.ts";

test("pyStrip follows Python str.strip(), not JS trim()", () => {
  assert.equal(pyStrip("\uFEFF A \uFEFF"), "\uFEFF A \uFEFF"); // BOM is not Python whitespace
  assert.equal(pyStrip("\u0085\u001f A\u3000"), "A"); // NEL, unit separator, ideographic space are
  assert.equal(pyNormalizeSpace(" a \n\t b\u2003c "), "a b c");
});

test("splitOptions", () => {
  assert.deepEqual(splitOptions("Q?\nA. x\nB. y  \nC. "), {
    question: "Q?",
    options: [
      { label: "A", text: "x", line: 1 },
      { label: "B", text: "y", line: 2 },
      { label: "C", text: "", line: 3 },
    ],
  });
  // A question spanning lines, an option continued on the next line, ")" labels.
  const b = splitOptions("Line one\nline two\nA) first\ncontinued\nB) second");
  assert.equal(b.question, "Line one\nline two");
  assert.deepEqual(
    b.options.map((o) => o.text),
    ["first\ncontinued", "second"],
  );
  assert.deepEqual(splitOptions("No options here"), { question: "No options here", options: [] });
});

test("lmms-eval extraction", () => {
  assert.equal(extractLmmsEval("The answer is B"), "B"); // phrase removed, standalone B
  assert.equal(extractLmmsEval("<think>A or C?</think> c."), "C"); // after </think>, upper-cased
  assert.equal(extractLmmsEval("A man jumps"), "A"); // its known weakness: the article
  assert.equal(extractLmmsEval("(D)"), "D");
  // Python's \b is Unicode-aware: "ÉA" is one word, so the first standalone letter is B (JS \b would say A).
  assert.equal(extractLmmsEval("ÉA B"), "B");
  assert.equal(extractLmmsEval(""), "");
  assert.equal(extractLmmsEval("xyz"), "");
});

test("lenient extraction", () => {
  const opts = ["Jump, Lay down, Stand", "Jump, Stand, Lay down", "Lay down, Stand, Jump", "Stand still"];
  const cases: [string, string][] = [
    ["B", "B"],
    ["b", "B"],
    ["(B)", "B"],
    ["B)", "B"],
    ["b.", "B"],
    ["The answer is B", "B"],
    ["The answer is (C).", "C"],
    ["**C**", "C"],
    ["**Answer:** D", "D"],
    ["answer: b", "B"],
    ["<think>Maybe A? No, the order is wrong.</think>\nThe correct option is C.", "C"],
    ["<think>unfinished reasoning about A", ""],
    ["I believe (D) fits best", "D"],
    ["C. Lay down, Stand, Jump", "C"],
    ["Lay down, Stand, Jump", "C"], // option text
    ["The person will stand still.", "D"], // option text contained
    ["A man jumps and then lies down", ""], // article, not an answer
    ["E", ""], // not an option
    ["", ""],
    ["I am not sure", ""],
  ];
  for (const [raw, want] of cases) assert.equal(extractLenient(raw, opts), want, JSON.stringify(raw));
});
