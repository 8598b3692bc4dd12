// `kinema study object --quick` end to end: synthetic VideoRefer-Q sets → region shards → five cells → JSON, table.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { main } from "../cli/main.ts";
import type { ObjectStudyResult } from "./object.ts";

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
});
