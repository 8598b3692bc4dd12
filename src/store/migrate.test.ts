// Old run stores read forward: stores written by earlier kinema commits (fixtures/, each recorded below) open
// with today's code, migrate in place to SCHEMA_VERSION, and read back the same runs, samples and numbers
// through the store, the report summary and the CLI (`kinema show`, `kinema runs`, `kinema report`).
//
// Fixtures: both were written from the same 6-question MotionBench-layout set (devkit/motionbench-fixture.ts,
// questions q0..q5 with answers A B C D A B, at /tmp/fx/mb) by
//   kinema eval --bench motionbench:/tmp/fx/mb --model random:0 --run-dir DIR
//   kinema eval --bench motionbench:/tmp/fx/mb --model random:1 --limit 4 --run-dir DIR
// - fixtures/v1/kinema.db: commit a563ff6 (schema version 1, before the judged-benchmark columns of v2)
// - fixtures/v5/kinema.db: commit b6d9948 (schema version 5, this renovation's first runner split)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { summarizeRun } from "../run/report.ts";
import { openStore, SCHEMA_VERSION } from "./index.ts";

const MAIN = join(import.meta.dirname, "..", "cli", "main.ts");
const RUN0 = "motionbench-random-0-1db7420a1a";
const RUN1 = "motionbench-random-1-cfdadc6bd4";
/** What random:0 and random:1 answered, as the old code stored it. */
const PARSED: Record<string, string[]> = {
  [RUN0]: ["A", "D", "C", "B", "A", "B"],
  [RUN1]: ["C", "C", "A", "C"],
};
const ANSWERS = ["A", "B", "C", "D", "A", "B"];

/** A copy of a fixture store in a fresh run dir (opening for writing migrates it in place). */
function copyOf(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kinema-store-${version}-`));
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(import.meta.dirname, "fixtures", version, "kinema.db"), join(dir, "kinema.db"));
  return dir;
}

const schemaVersion = (dir: string) => {
  const db = new DatabaseSync(join(dir, "kinema.db"), { readOnly: true });
  try {
    return (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string })
      .value;
  } finally {
    db.close();
  }
};

for (const version of ["v1", "v5"]) {
  test(`a ${version} run store opens with today's code: runs, samples and numbers read back`, () => {
    const dir = copyOf(version);
    try {
      assert.equal(schemaVersion(dir), version.slice(1), "the fixture is what it says");
      const store = openStore(dir);
      try {
        assert.equal(schemaVersion(dir), String(SCHEMA_VERSION), "migrated forward in place");
        const runs = store.listRuns();
        assert.deepEqual(
          runs.map((r) => r.id),
          [RUN0, RUN1],
        );
        for (const run of runs) {
          assert.equal(run.status, "done");
          assert.equal(run.benchmark, "motionbench");
          assert.equal(run.config.frames, "uniform:16");
          assert.equal(run.config.params?.temperature, 0);
          assert.equal(run.config.params?.maxTokens, 64);
          assert.equal(run.config.prompt, "lmms-eval");
          assert.equal(run.config.parse, "official");
          assert.deepEqual(run.config.needs, { images: false, rgb: false });
          const rows = store.samples(run.id);
          const parsed = PARSED[run.id];
          assert.deepEqual(
            rows.map((r) => r.sampleId),
            parsed.map((_, i) => `q${i}`),
          );
          rows.forEach((r, i) => {
            assert.equal(r.idx, i);
            assert.equal(r.status, "ok");
            assert.equal(r.answer, ANSWERS[i]);
            assert.equal(r.parsed, parsed[i]);
            assert.equal(r.correct, parsed[i] === ANSWERS[i]);
            assert.equal(r.raw, parsed[i]);
            assert.match(r.prompt ?? "", new RegExp(`fixture question ${i}: what moves\\?`));
            assert.deepEqual(r.options, ["left", "right", "up", "down"]);
            assert.equal(r.judge, null, "no judge digest (a v2 column)");
            assert.equal(r.flags, null, "no answer notes (a v3 column)");
          });
          // Each answer is in the shared request cache under the key the row names.
          for (const r of rows) assert.equal(store.cachedResponse(r.requestKey!)?.response, r.raw);
        }
        const s0 = summarizeRun(store, store.getRun(RUN0)!);
        assert.equal(s0.overall.n, 6);
        assert.equal(s0.overall.acc, 4 / 6);
        assert.deepEqual(s0.counts, { total: 6, ok: 6, failed: 0, unparsed: 0 });
        assert.equal(s0.categories["Location-related Motion"].acc, 0);
        const s1 = summarizeRun(store, store.getRun(RUN1)!);
        assert.equal(s1.overall.acc, 0);
        assert.equal(s1.overall.n, 4);
        if (version === "v5") assert.equal(store.getRun(RUN0)!.config.benchItems, 6);
      } finally {
        store.close();
      }
      // The CLI reads the migrated store: show's --json numbers, the runs table, an HTML report.
      const cli = (args: string[]) =>
        execFileSync(process.execPath, [MAIN, ...args, "--run-dir", dir], { encoding: "utf8" });
      const shown = JSON.parse(cli(["show", RUN0, "--json"]));
      assert.equal(shown.run, RUN0);
      assert.equal(shown.overall.acc, 4 / 6);
      assert.deepEqual(shown.counts, { total: 6, ok: 6, failed: 0, unparsed: 0 });
      // v1 did not record the benchmark's size (benchItems), so only v5 can say the --limit run is partial.
      const samples = version === "v1" ? "4" : "4 of 6 \\(partial\\)";
      assert.match(cli(["runs"]), new RegExp(`${RUN1}\\s+done\\s+${samples}\\s+0\\s+0\\s+0`));
      const html = join(dir, "report.html");
      cli(["report", RUN0, RUN1, "--out", html]);
      assert.ok(existsSync(html));
      assert.match(readFileSync(html, "utf8"), new RegExp(RUN0));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
