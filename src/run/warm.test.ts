// cache warm: every clip of a benchmark lands in the cache under the key the runner reads; a rerun decodes nothing.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { getBenchmark } from "../benchmarks/registry.ts";
import { generateDataset } from "../synth/index.ts";
import { loadFrames } from "../video/index.ts";
import { warmCache } from "./warm.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kinema-warm-"));
  await generateDataset({ n: 12, seed: 5, out: join(dir, "set"), preset: "easy" });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("warm fills the cache for a run's frames and size, with two workers; a second warm finds it all", async () => {
  const cacheDir = join(dir, "cache");
  const bench = `synth:${join(dir, "set")}`;
  const updates: number[] = [];
  const progress = { update: (c: { done: number }) => updates.push(c.done), finish: () => {} };
  const r = await warmCache({ bench, frames: "uniform:4", size: 32, workers: 2, cacheDir, progress });
  assert.equal(r.failed, 0, JSON.stringify(r.errors));
  assert.ok(r.clips > 0 && r.clips <= r.samples);
  assert.equal(r.decoded, r.clips);
  assert.equal(r.workers, 2);
  assert.equal(updates.at(-1), r.clips, "the progress bar reaches the end");
  // What the runner asks for is now a hit.
  const { samples } = await getBenchmark(bench).benchmark.load(join(dir, "set"), {});
  const hit = await loadFrames(samples[0].video, "uniform:4", { size: 32, cacheDir });
  assert.equal(hit.cached, true);
  const again = await warmCache({ bench, frames: "uniform:4", size: 32, workers: 1, cacheDir });
  assert.deepEqual([again.decoded, again.cached, again.failed], [0, r.clips, 0]);
  // Another size is another entry.
  const other = await warmCache({ bench, frames: "uniform:4", size: 48, workers: 1, cacheDir });
  assert.equal(other.decoded, r.clips);
});

test("bad options are refused before any work", async () => {
  await assert.rejects(warmCache({ bench: `synth:${dir}`, frames: "none" }), /decodes nothing/);
  await assert.rejects(warmCache({ bench: `synth:${dir}`, frames: "uniform:x" }), /bad sample spec/);
});
