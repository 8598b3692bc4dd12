// Queue scale-out performance: one `kinema eval --queue` coordinator and 1, 2, 4 `kinema worker` processes
// (concurrency 4 each) against a loopback model server with fixed latency, on a private redis-server.
// Throughput is reported as a ratio to the ideal (samples × latency / slots), and the queue's overhead per item
// as the slot time each item took beyond the model's latency: (wall × slots − samples × latency) / samples.
// Text-only requests (--frames none), so frame decoding is not counted. Beside each point, the same eval runs
// in one process with the same number of slots (--concurrency workers × 4): `queueOverheadMsPerItem` is the slot
// time the queue adds beyond that (the harness's own planning, store and summary cost is in both).
// Wall time depends on what else the machine runs; CPU time much less so: `queueCpuMsPerItem` is the CPU the
// queue run took (coordinator + workers + redis-server, read from /proc) beyond the one-process run's, per item.
// Usage: npx node perf/queue.ts [--samples 160] [--latency-ms 200] [--workers 1,2,4] [--json]
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { startRedis } from "../devkit/redis.ts";
import { queueDeps } from "../src/queue/coordinator.ts";
import { defaultDeps } from "../src/run/deps.ts";
import { runEval } from "../src/run/runner.ts";
import { startServer } from "./loopback.ts";

const { values } = parseArgs({
  options: {
    samples: { type: "string", default: "160" },
    "latency-ms": { type: "string", default: "200" },
    workers: { type: "string", default: "1,2,4" },
    concurrency: { type: "string", default: "4" },
    json: { type: "boolean", default: false },
  },
});

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat (Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** This process's CPU seconds so far. */
function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const MAIN = join(import.meta.dirname, "..", "src", "cli", "main.ts");

function startWorker(queue: string, concurrency: number, cacheDir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [MAIN, "worker", "--queue", queue, "--concurrency", String(concurrency), "--quiet"],
    {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, KINEMA_CACHE_DIR: cacheDir, OPENAI_API_KEY: "sk" },
    },
  );
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d) => {
      err += d;
      if (/worker ready/.test(err)) resolve(child);
    });
    child.once("exit", (c) => reject(new Error(`worker exited ${c}: ${err}`)));
  });
}

async function main() {
  const n = Number(values.samples);
  const latencyMs = Number(values["latency-ms"]);
  const conc = Number(values.concurrency);
  const counts = values.workers.split(",").map(Number);
  const tmp = mkdtempSync(join(tmpdir(), "kinema-perfq-"));
  const cacheDir = join(tmp, "cache");
  process.env.KINEMA_CACHE_DIR = cacheDir;
  const redis = await startRedis();
  const server = await startServer(latencyMs);
  const rows: {
    workers: number;
    concurrency: number;
    samples: number;
    ok: number;
    wallS: number;
    idealS: number;
    ratioToIdeal: number;
    overheadMsPerItem: number;
    inProcessWallS: number;
    queueOverheadMsPerItem: number;
    queueCpuS: number;
    inProcessCpuS: number;
    queueCpuMsPerItem: number;
  }[] = [];
  try {
    for (const k of counts) {
      // A fresh question set per point, so no request is a cache hit.
      const bench = makeMotionBenchFixture(
        join(tmp, `mb-${k}`),
        Array.from({ length: n }, (_, i) => ({ uid: `w${k}-${i}`, text: `k${k} q${i}`, answer: "A" })),
        2,
      );
      const workers = await Promise.all(
        Array.from({ length: k }, () => startWorker(redis.url, conc, cacheDir)),
      );
      const cpuOf = () =>
        ownCpuSeconds() + cpuSeconds(redis.pid) + workers.reduce((a, w) => a + cpuSeconds(w.pid!), 0);
      const c0 = cpuOf();
      const t0 = performance.now();
      const r = await runEval(
        {
          bench: `motionbench:${bench}`,
          model: "openai:perf",
          frames: "none",
          runDir: join(tmp, `runs-${k}`),
          queue: redis.url,
          modelOptions: { baseUrl: server.url, env: { OPENAI_API_KEY: "sk" } },
        },
        queueDeps,
      );
      const wall = (performance.now() - t0) / 1000;
      const queueCpu = cpuOf() - c0;
      for (const w of workers) w.kill("SIGTERM");
      await Promise.all(workers.map((w) => new Promise((res) => w.once("exit", res))));
      const slots = k * conc;
      // the same eval in one process, same slots, on its own fresh question set
      const local = makeMotionBenchFixture(
        join(tmp, `mb-local-${k}`),
        Array.from({ length: n }, (_, i) => ({ uid: `l${k}-${i}`, text: `local k${k} q${i}`, answer: "A" })),
        2,
      );
      const c1 = ownCpuSeconds();
      const t1 = performance.now();
      await runEval(
        {
          bench: `motionbench:${local}`,
          model: "openai:perf",
          frames: "none",
          runDir: join(tmp, `runs-local-${k}`),
          concurrency: slots,
          progress: false,
          modelOptions: { baseUrl: server.url, env: { OPENAI_API_KEY: "sk" } },
        },
        defaultDeps,
      );
      const localWall = (performance.now() - t1) / 1000;
      const localCpu = ownCpuSeconds() - c1;
      const ideal = (n * latencyMs) / 1000 / slots;
      rows.push({
        workers: k,
        concurrency: conc,
        samples: n,
        ok: r.summary.counts.ok,
        wallS: Number(wall.toFixed(3)),
        idealS: Number(ideal.toFixed(3)),
        ratioToIdeal: Number((ideal / wall).toFixed(3)),
        overheadMsPerItem: Number((((wall * slots - (n * latencyMs) / 1000) / n) * 1000).toFixed(2)),
        inProcessWallS: Number(localWall.toFixed(3)),
        queueOverheadMsPerItem: Number(((((wall - localWall) * slots) / n) * 1000).toFixed(2)),
        queueCpuS: Number(queueCpu.toFixed(2)),
        inProcessCpuS: Number(localCpu.toFixed(2)),
        queueCpuMsPerItem: Number((((queueCpu - localCpu) / n) * 1000).toFixed(2)),
      });
    }
  } finally {
    server.child.kill("SIGTERM");
    await redis.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  const base = rows[0];
  const out = {
    latencyMs,
    rows: rows.map((r) => ({
      ...r,
      speedupVs1: Number((base.wallS / r.wallS).toFixed(3)),
      linearFraction: Number((base.wallS / r.wallS / (r.workers / base.workers)).toFixed(3)),
    })),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  else
    for (const r of out.rows)
      process.stdout.write(
        `${r.workers} worker(s) × ${r.concurrency}: ${r.wallS}s for ${r.samples} (ideal ${r.idealS}s, ratio ${r.ratioToIdeal}, ${r.linearFraction} of linear), overhead ${r.overheadMsPerItem} ms/item; in one process ${r.inProcessWallS}s, so the queue adds ${r.queueOverheadMsPerItem} ms/item; CPU ${r.queueCpuS}s against ${r.inProcessCpuS}s in one process, ${r.queueCpuMsPerItem} ms/item\n`,
      );
}

await main();
