// Runner performance: harness overhead per sample (cached frames, instantly answering loopback server,
// concurrency 8) and throughput against a 500 ms-latency server as a ratio of concurrency / latency.
// Usage: npx node perf/runner.ts [--samples 300] [--frames uniform:8] [--size 224]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { defaultDeps } from "../src/run/deps.ts";
import { runEval } from "../src/run/runner.ts";
import { startServer } from "./loopback.ts";

const { values } = parseArgs({
  options: {
    samples: { type: "string", default: "300" },
    frames: { type: "string", default: "uniform:8" },
    size: { type: "string", default: "224" },
  },
});

async function main() {
  const n = Number(values.samples);
  const tmp = mkdtempSync(join(tmpdir(), "kinema-perf-"));
  process.env.KINEMA_CACHE_DIR = join(tmp, "cache");
  const bench = makeMotionBenchFixture(
    join(tmp, "mb"),
    Array.from({ length: n }, (_, i) => ({ uid: `p${i}`, text: `q${i} which way?`, answer: "ABCD"[i % 4] })),
    6,
  );
  const base = {
    bench: `motionbench:${bench}`,
    model: "openai:perf",
    frames: values.frames,
    size: Number(values.size),
    retries: 0,
    progress: false,
    modelOptions: { env: {} as NodeJS.ProcessEnv },
  };
  try {
    // 1. Overhead: warm the frame cache, then time a fresh run (new store, so no request-cache hits).
    const fast = await startServer(0);
    const mo = { ...base.modelOptions, baseUrl: fast.url };
    await runEval({ ...base, modelOptions: mo, concurrency: 8, runDir: join(tmp, "warm") }, defaultDeps);
    let t0 = performance.now();
    const r1 = await runEval(
      { ...base, modelOptions: mo, concurrency: 8, runDir: join(tmp, "r1") },
      defaultDeps,
    );
    const overhead = (performance.now() - t0) / n;
    fast.child.kill("SIGTERM");
    if (r1.summary.counts.ok !== n) throw new Error(`overhead run: ${JSON.stringify(r1.summary.counts)}`);

    // 2. Throughput at 500 ms latency, concurrency 8 (frames still cached).
    const slow = await startServer(500);
    const m = Math.min(n, 160);
    t0 = performance.now();
    const r2 = await runEval(
      {
        ...base,
        modelOptions: { ...mo, baseUrl: slow.url },
        concurrency: 8,
        limit: m,
        runDir: join(tmp, "r2"),
      },
      defaultDeps,
    );
    const secs = (performance.now() - t0) / 1000;
    slow.child.kill("SIGTERM");
    if (r2.summary.counts.ok !== m) throw new Error(`throughput run: ${JSON.stringify(r2.summary.counts)}`);
    const ideal = 8 / 0.5;
    const rate = m / secs;
    console.log(
      `samples ${n}, frames ${values.frames} at ${values.size}px (JPEG per request), concurrency 8`,
    );
    console.log(
      `harness overhead: ${overhead.toFixed(2)} ms/sample (target <= 20) -> ${overhead <= 20 ? "ok" : "MISS"}`,
    );
    console.log(
      `throughput at 500 ms latency: ${rate.toFixed(2)} samples/s of ideal ${ideal.toFixed(2)} = ${(rate / ideal).toFixed(3)} (target >= 0.9) -> ${rate / ideal >= 0.9 ? "ok" : "MISS"}`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
