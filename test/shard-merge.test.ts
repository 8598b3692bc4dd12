// The zero-infrastructure fallback: `kinema eval --shard i/N` on three run stores, `kinema merge` into one;
// the merged run has the one-process run's id, rows and summary; mixed or missing shards are refused.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { MB_CATEGORIES, makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { defaultDeps } from "../src/run/deps.ts";
import { evalJson } from "../src/run/report.ts";
import { runEval } from "../src/run/runner.ts";
import { openStore } from "../src/store/index.ts";
import { cliRunner } from "./helpers/cli.ts";

let tmp: string;
let bench: string;
const { kinema, children } = cliRunner(() => tmp);

before(() => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-shard-"));
  bench = makeMotionBenchFixture(
    join(tmp, "mb"),
    Array.from({ length: 11 }, (_, i) => ({
      uid: `s${i}`,
      text: `question ${i}`,
      answer: "ABCD"[i % 4],
      category: MB_CATEGORIES[i % 3],
      video: i % 2,
    })),
    2,
  );
});
after(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
});

const rowsOf = (dir: string, run: string) => {
  const st = openStore(dir);
  try {
    return st
      .samples(run)
      .map((s) => [s.sampleId, s.idx, s.status, s.requestKey, s.prompt, s.raw, s.parsed, s.correct]);
  } finally {
    st.close();
  }
};

test("three shards merged equal one run: same id, rows and summary; runs marks the shards", async () => {
  const single = await runEval(
    { bench: `motionbench:${bench}`, model: "random:5", frames: "none", runDir: join(tmp, "one") },
    defaultDeps,
  );
  const dirs = [0, 1, 2].map((i) => join(tmp, `shard${i}`));
  const sizes: number[] = [];
  for (const [i, d] of dirs.entries()) {
    const r = await kinema([
      ...["eval", "--bench", `motionbench:${bench}`, "--model", "random:5", "--frames", "none"],
      ...["--shard", `${i}/3`, "--run-dir", d, "--no-progress", "--json"],
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.match(j.run, new RegExp(`shard${i}of3-`));
    sizes.push(j.counts.total);
    const runs = JSON.parse((await kinema(["runs", "--run-dir", d, "--json"])).stdout);
    assert.equal(runs[0].shard, `${i}/3`);
  }
  assert.deepEqual(sizes, [4, 4, 3], "samples 0,3,6,9 / 1,4,7,10 / 2,5,8");
  const m = await kinema(["merge", ...dirs, "--out", join(tmp, "merged"), "--json"]);
  assert.equal(m.code, 0, m.stderr);
  const mj = JSON.parse(m.stdout);
  assert.equal(mj.run, single.run.id, "the merged run has the unsharded identity");
  const want = evalJson(single.summary);
  const got = evalJson(mj.summary);
  assert.deepEqual(
    { overall: got.overall, categories: got.categories, counts: got.counts },
    { overall: want.overall, categories: want.categories, counts: want.counts },
  );
  assert.deepEqual(rowsOf(join(tmp, "merged"), mj.run), rowsOf(join(tmp, "one"), single.run.id));
  // The merged store continues like any run: the same eval there asks nothing.
  const again = await runEval(
    { bench: `motionbench:${bench}`, model: "random:5", frames: "none", runDir: join(tmp, "merged") },
    defaultDeps,
  );
  assert.equal(again.run.id, single.run.id);
  assert.equal(again.asked, 0);
});

test("merge refuses mixed runs and missing shards with a clear message", async () => {
  const other = join(tmp, "other0");
  const r = await kinema([
    ...["eval", "--bench", `motionbench:${bench}`, "--model", "random:6", "--frames", "none"],
    ...["--shard", "0/3", "--run-dir", other, "--no-progress", "--json"],
  ]);
  assert.equal(r.code, 0, r.stderr);
  const mixed = await kinema([
    ...["merge", other, join(tmp, "shard1"), join(tmp, "shard2"), "--out", join(tmp, "bad")],
  ]);
  assert.notEqual(mixed.code, 0);
  assert.match(mixed.stderr, /is not a shard of the same run .*: model differs/);
  const missing = await kinema([
    "merge",
    join(tmp, "shard0"),
    join(tmp, "shard2"),
    "--out",
    join(tmp, "bad2"),
  ]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /shards 1\/3 are missing/);
  const twice = await kinema([
    ...["merge", join(tmp, "shard0"), join(tmp, "shard0"), join(tmp, "shard2"), "--out", join(tmp, "bad3")],
  ]);
  assert.match(twice.stderr, /shard 0\/3 given twice/);
});
