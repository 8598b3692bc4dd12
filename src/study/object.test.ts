// `kinema study object --quick` end to end: synthetic VideoRefer-Q sets → region shards → five cells → JSON, table.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { main } from "../cli/main.ts";
import { type ObjectStudyResult, wilson95 } from "./object.ts";

const dir = mkdtempSync(join(tmpdir(), "kinema-study-object-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("kinema study object --quick trains every cell and evaluates both Bench-Q modes", async () => {
  const out = join(dir, "quick");
  const code = await main(["node", "kinema", "study", "object", "--quick", "--out", out, "--json"]);
  assert.equal(code, 0);
  const r = JSON.parse(readFileSync(join(out, "study.json"), "utf8")) as ObjectStudyResult;
  assert.equal(r.quick, true);
  assert.deepEqual(
    r.runs.map((x) => x.cell),
    ["u1", "u2", "u4", "u8", "som"],
  );
  for (const x of r.runs) {
    assert.equal(x.k, 8);
    assert.equal(x.regions, x.cell !== "som");
    for (const m of ["single", "multi"] as const) {
      assert.equal(x.eval[m].n, r.n_test);
      assert.ok(x.eval[m].acc >= 0 && x.eval[m].acc <= 1);
      assert.equal(Object.keys(x.eval[m].per_category).length, 5);
    }
  }
  // region tokens: 8 frames x 2x2 global tokens + 2 object slots x u; set-of-mark: the global tokens only
  const tokens = Object.fromEntries(r.runs.map((x) => [x.cell, x.decoder_tokens]));
  assert.deepEqual(tokens, { u1: 34, u2: 36, u4: 40, u8: 48, som: 32 });
  assert.ok(r.chance > 0.25 && r.chance < 0.5);
  const md = readFileSync(join(out, "study.md"), "utf8");
  assert.match(md, /region tokens, u = 4/);
  assert.match(md, /set-of-mark frames, no region input/);
  assert.match(md, /\| \d+\.\d \[\d+\.\d, \d+\.\d\] \|/); // accuracy with its interval

  // a rerun resumes: every cell comes from cells.jsonl, none is trained again, the results are the same
  const done = readFileSync(join(out, "cells.jsonl"), "utf8").trim().split("\n");
  assert.equal(done.length, 5);
  assert.equal(await main(["node", "kinema", "study", "object", "--quick", "--out", out, "--json"]), 0);
  assert.equal(readFileSync(join(out, "cells.jsonl"), "utf8").trim().split("\n").length, 5);
  const r2 = JSON.parse(readFileSync(join(out, "study.json"), "utf8")) as ObjectStudyResult;
  assert.deepEqual(r2.runs, r.runs);
});

test("wilson95 matches a hand-worked interval", () => {
  // p = 0.5, n = 100: centre 0.5, half-width 1.96 * sqrt(0.0025 + 0.000096) / 1.0384 = 0.0962
  const [lo, hi] = wilson95(0.5, 100);
  assert.ok(Math.abs(lo - 40.38) < 0.01 && Math.abs(hi - 59.62) < 0.01, `${lo} ${hi}`);
});
