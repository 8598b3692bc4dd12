// `kinema study compression --quick` end to end: synthetic sets → shards → PyTorch grid → JSON, plot, table.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { main } from "../cli/main.ts";
import type { StudyResult } from "./compression.ts";

const dir = mkdtempSync(join(tmpdir(), "kinema-study-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("kinema study compression --quick runs the whole pipeline", async () => {
  const out = join(dir, "quick");
  const code = await main([
    "node",
    "kinema",
    "study",
    "compression",
    "--quick",
    "--out",
    out,
    "--workers",
    "1",
  ]);
  assert.equal(code, 0);
  const r = JSON.parse(readFileSync(join(out, "study.json"), "utf8")) as StudyResult;
  assert.equal(r.quick, true);
  assert.match(r.train, /--seed 4001/);
  assert.match(r.test, /--seed 5005/);
  const methods = new Set(r.cells.map((c) => c.method));
  assert.deepEqual([...methods].sort(), [
    "kangaroo",
    "none",
    "pllava",
    "pre-encoder",
    "qformer",
    "te-fusion",
  ]);
  for (const c of r.cells) {
    assert.equal(c.decoder_tokens, (c.n_frames * 4) / c.k, `${c.method} k=${c.k}: L = N*l/k`);
    assert.ok(c.acc.mean >= 0 && c.acc.mean <= 1);
    assert.ok(Object.keys(c.per_category).includes("Repetition Count"));
  }
  // fixed-L cells share one decoder length; fixed-N cells share one N
  const fixedL = r.cells.filter((c) => c.protocol === "fixed-L");
  assert.equal(new Set(fixedL.map((c) => c.decoder_tokens)).size, 1);
  assert.equal(new Set(r.cells.filter((c) => c.protocol === "fixed-N").map((c) => c.n_frames)).size, 1);
  assert.ok(existsSync(join(out, "study.png")));
  // every cell was warm-started from one base model, trained first
  assert.equal(r.base.method, "none");
  assert.equal(r.base.k, 1);
  assert.ok(existsSync(join(out, "base.pt")));
  const md = readFileSync(join(out, "study.md"), "utf8");
  assert.match(md, /paper k=4 MotionBench/);
  assert.match(md, /te-fusion/);
});

test("an unknown study is a bad_spec error (exit 2)", async () => {
  assert.equal(await main(["node", "kinema", "study", "nope", "--out", join(dir, "x")]), 2);
});
