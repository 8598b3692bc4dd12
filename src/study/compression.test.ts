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
  // version 3: fair starts, per-item predictions, paired contrasts, chance per category
  assert.equal(r.version, 3);
  assert.equal(r.start, "fair");
  assert.ok(r.base.per_category && Object.keys(r.base.per_category).length > 0);
  assert.deepEqual(Object.keys(r.chance_per_category ?? {}).sort(), Object.keys(r.base.per_category).sort());
  const runs = readFileSync(join(out, "runs.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  for (const run of runs) {
    assert.match(run.correct, /^[01]+$/);
    assert.equal(run.correct.length, r.n_test);
    assert.ok(Math.abs([...run.correct].filter((c) => c === "1").length / r.n_test! - run.acc) < 1e-9);
  }
  const kangaroo = r.cells.find((c) => c.method === "kangaroo")!;
  assert.ok(
    !kangaroo.fresh?.some((n) => n.startsWith("vision.temporal")),
    "kangaroo's MLP is a pass-through",
  );
  assert.ok(r.cells.find((c) => c.method === "qformer")!.fresh!.length > 0, "the Q-Former starts fresh");
  const family = r.contrasts!.family;
  assert.deepEqual(family.map((c) => c.b).sort(), ["kangaroo", "none", "pllava", "pre-encoder", "qformer"]);
  for (const c of family) {
    assert.ok(Math.abs(c.diff - (c.acc_a - c.acc_b)) < 1e-9);
    assert.ok(c.ci95[0] <= c.diff && c.diff <= c.ci95[1]);
    assert.ok(c.p_holm >= c.p);
  }
  assert.equal(r.contrasts!.main, null); // the quick grid has no fixed-N k = 16
  const md = readFileSync(join(out, "study.md"), "utf8");
  assert.match(md, /Paired contrasts/);
  assert.match(md, /paper k=4 MotionBench/);
  assert.match(md, /te-fusion/);
});

test("an unknown study is a bad_spec error (exit 2)", async () => {
  assert.equal(await main(["node", "kinema", "study", "nope", "--out", join(dir, "x")]), 2);
});
