// Run planning: the frame spec is canonical before it names a run, so `fps:1.0` and `fps:1` are one run (and
// one cache entry per request), and a typed config comes back from the store.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Benchmark, Sample } from "../benchmarks/types.ts";
import { openStore } from "../store/index.ts";
import { canonicalFrames } from "./plan.ts";
import { type EvalDeps, runEval } from "./runner.ts";

test("canonicalFrames writes each plan one way and keeps text the grammar does not know", () => {
  assert.equal(canonicalFrames("fps:1.0"), "fps:1");
  assert.equal(canonicalFrames(" fps:0.50,max=8 "), "fps:0.5,max=8");
  assert.equal(canonicalFrames("uniform:8"), "uniform:8");
  assert.equal(canonicalFrames("indices: 0, 5"), "indices:0,5");
  assert.equal(canonicalFrames("none"), "none");
  assert.equal(canonicalFrames(" mystery:3 "), "mystery:3");
});

test("fps:1.0 and fps:1 are one run: the second invocation continues it and asks nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kinema-plan-"));
  try {
    const samples: Sample[] = [0, 1, 2].map((i) => ({
      id: `s${i}`,
      videoId: `v${i}`,
      video: { path: `/fake/v${i}.mp4` },
      category: "Camera Motion",
      question: `q${i}?`,
      options: ["left", "right"],
      answer: "A",
    }));
    const bench: Benchmark = {
      name: "fake",
      defaultFrames: "uniform:4",
      load: async () => ({ samples, issues: [] }),
      prompt: (s) => ({ text: s.question, preset: "p" }),
      parse: (raw) => ({ answer: raw.trim(), ok: /^[AB]$/.test(raw.trim()) }),
    };
    const specs: string[] = [];
    const deps: EvalDeps = {
      resolveBenchmark: async () => ({ name: "fake", benchmark: bench, path: "/fake" }),
      loadFrames: async (_ref, spec) => {
        specs.push(spec);
        return { indices: [0], images: [Buffer.from("jpeg")] };
      },
    };
    const runDir = join(dir, "runs");
    const a = await runEval({ bench: "fake:x", model: "random:0", frames: "fps:1.0", runDir }, deps);
    const b = await runEval({ bench: "fake:x", model: "random:0", frames: "fps:1", runDir }, deps);
    assert.equal(b.run.id, a.run.id, "one run");
    assert.equal(b.continued, true);
    assert.equal(b.asked, 0, "nothing asked again");
    const store = openStore(runDir);
    try {
      assert.equal(store.listRuns().length, 1);
      const config = store.getRun(a.run.id)!.config;
      assert.equal(config.frames, "fps:1", "the stored spec is the canonical one");
      assert.equal(config.benchItems, 3);
      assert.equal(config.params?.temperature, 0);
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
