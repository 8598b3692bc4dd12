// Hidden test answers: validation with file/field in errors, and filling only test-split "NA" samples.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isKinemaError } from "../util/errors.ts";
import { applyTestAnswers, parseAnswers } from "./answers.ts";
import type { Sample } from "./types.ts";

const s = (id: string, answer: string, split: string): Sample => ({
  id,
  videoId: "v",
  video: { path: "/v.mp4" },
  category: "c",
  question: "q",
  options: ["a", "b", "c"],
  answer,
  split,
});

test("parseAnswers rejects non-objects and non-letters, naming the file and uid", () => {
  assert.deepEqual(
    [...parseAnswers({ u1: "A", u2: "C" }, "f.json")],
    [
      ["u1", "A"],
      ["u2", "C"],
    ],
  );
  for (const bad of [[], null, "A"])
    assert.throws(
      () => parseAnswers(bad, "f.json"),
      (e) => isKinemaError(e, "bad_input") && e.fields.file === "f.json",
    );
  assert.throws(
    () => parseAnswers({ u1: "A", u2: "b" }, "f.json"),
    (e) => isKinemaError(e, "bad_input") && e.fields.field === "u2",
  );
});

test("applyTestAnswers fills hidden test answers only; bad letters are reported, not applied", () => {
  const samples = [s("d", "B", "dev"), s("t1", "NA", "test"), s("t2", "NA", "test"), s("t3", "NA", "test")];
  const answers = new Map([
    ["d", "C"],
    ["t1", "A"],
    ["t2", "D"],
    ["zz", "A"],
  ]);
  const r = applyTestAnswers(samples, answers, "f.json");
  assert.deepEqual(
    r.samples.map((x) => x.answer),
    ["B", "A", "NA", "NA"],
  );
  assert.equal(r.applied, 1);
  assert.equal(r.issues.length, 1);
  assert.equal(r.issues[0].id, "t2");
  assert.equal(samples[1].answer, "NA", "input not modified");
});
