import assert from "node:assert/strict";
import { test } from "node:test";
import { errorRecord, formatError, KinemaError } from "./errors.ts";

test("formatError names file, line and field", () => {
  const e = new KinemaError("bad_input", "answer is not an option", {
    file: "meta.jsonl",
    line: 3,
    field: "qa[0].answer",
  });
  assert.equal(formatError(e), "meta.jsonl:3: qa[0].answer: answer is not an option [bad_input]");
  assert.deepEqual(errorRecord(e), {
    code: "bad_input",
    message: "answer is not an option",
    file: "meta.jsonl",
    line: 3,
    field: "qa[0].answer",
  });
});
