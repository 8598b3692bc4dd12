// MotionBench files read as upstream reads them: files.vectors.json holds, per case, a meta and a prediction
// file and what upstream's code made of them (wbolster/jsonlines line by line, then MotionBench's
// construct_answer + compute_accuracy; scripts/vectors/motionbench-files.py, commits in the file): byte-order
// marks, \r-only and mixed line endings, per-line BOM/RS, non-string uids (7.0, null, true, 1e16, NaN, lists).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { isKinemaError } from "../../util/errors.ts";
import { pyFloatRepr, readJsonLines } from "./jsonl.ts";
import { parseJsonl } from "./load.ts";
import { scoreMotionBenchFiles } from "./results.ts";

const vectors = JSON.parse(readFileSync(join(import.meta.dirname, "files.vectors.json"), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "kinema-mbfiles-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("line by line as jsonlines: the lines it yields, their uids as str() makes them, the lines it rejects", () => {
  for (const c of vectors.cases) {
    const text = Buffer.from(c.meta, "base64").toString("utf8");
    const { lines, issues } = parseJsonl(text, "meta.jsonl");
    const okLines = c.meta_lines.filter((l: { ok: boolean }) => l.ok);
    assert.deepEqual(
      lines.map((l) => (l.value.qa as { uid: string }[]).map((q) => q.uid)),
      okLines.map((l: { uids: string[] }) => l.uids),
      c.name,
    );
    const rejected = c.meta_lines.filter((l: { ok: boolean }) => !l.ok).map((l: { line: number }) => l.line);
    assert.deepEqual(
      issues.filter((i) => i.action === "skipped").map((i) => i.line),
      rejected,
      c.name,
    );
  }
});

test("the official scorer's result on every case upstream can score; its failures are reported lines", () => {
  for (const [k, c] of vectors.cases.entries()) {
    const meta = join(dir, `${k}.meta.jsonl`);
    const pred = join(dir, `${k}.pred.jsonl`);
    writeFileSync(meta, Buffer.from(c.meta, "base64"));
    writeFileSync(pred, Buffer.from(c.pred, "base64"));
    if (c.result) {
      const r = scoreMotionBenchFiles({ meta, pred });
      assert.deepEqual(Object.entries(r.result), Object.entries(c.result), c.name);
    } else {
      assert.equal(c.error, "InvalidLineError");
      let issues: { line?: number; message: string }[];
      try {
        issues = scoreMotionBenchFiles({ meta, pred }).issues;
      } catch (e) {
        assert.ok(isKinemaError(e));
        issues = e.fields.issues as typeof issues;
      }
      assert.ok(
        issues.some((i) => /blank line/.test(i.message)),
        c.name,
      );
    }
  }
});

test("Python float repr and line limits", () => {
  assert.deepEqual(
    [1e16, 1e-5, 0.0001, 100, -0, 2.5e-7, 1.2345678901234568e20, 0.1, 9999999999999998].map(pyFloatRepr),
    [
      "1e+16",
      "1e-05",
      "0.0001",
      "100.0",
      "-0.0",
      "2.5e-07",
      "1.2345678901234568e+20",
      "0.1",
      "9999999999999998.0",
    ],
  );
  const long = `{"x": "${"a".repeat(1 << 20)}"}`;
  const r = readJsonLines(`{"a": 1}\n${long}\n`, "f.jsonl");
  assert.equal(r.lines.length, 1);
  assert.deepEqual(
    r.issues.map((i) => [i.line, i.action]),
    [[2, "skipped"]],
  );
  assert.match(r.issues[0].message, /over the 1048576 limit/);
});
