// Decode speed: sampled decode vs decoding every frame, cached re-reads, and `cache warm` throughput, on
// generated 10 s 640×360 clips.
// Usage: npx node perf/decode.ts            (a table per clip; best of a few interleaved rounds)
//        npx node perf/decode.ts --json     (one JSON object: gop30/gop250 ratios, cached_speedup, warm)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { textTable } from "../src/cli/output.ts";
import { warmCache } from "../src/run/warm.ts";
import { generateDataset } from "../src/synth/index.ts";
import {
  closeDecoders,
  type DecodeStats,
  decode,
  engineAvailable,
  loadFrames,
  probeDetail,
  resolveTool,
  runTool,
} from "../src/video/index.ts";

/** Rounds of interleaved measurements; each number is the best of its rounds. The machine is shared, so
 * interleaving (every variant once per round) and the minimum keep background load out of the ratios. */
const ROUNDS = 5;
const NS = [8, 16, 32];
const json = process.argv.includes("--json");
const log = (s: string) => {
  if (!json) console.log(s);
};

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function makeClip(file: string, gop: number | undefined): Promise<void> {
  const args = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=10"];
  args.push("-c:v", "libx264", "-preset", "medium", "-pix_fmt", "yuv420p");
  if (gop) args.push("-g", String(gop));
  const r = await runTool("ffmpeg", [...args, file], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(r.stderr);
}

/** The naive way, the ratios' denominator: decode every frame at 224×224 with one ffmpeg call. */
async function fullDecode(file: string): Promise<number> {
  const r = await runTool(
    "ffmpeg",
    ["-v", "error", "-i", file, "-vf", "scale=224:224", "-f", "rawvideo"].concat([
      "-pix_fmt",
      "rgb24",
      "pipe:1",
    ]),
  );
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.length / (224 * 224 * 3);
}

interface ClipFigures {
  full_ms: number;
  /** loadFrames uncached (probe + sample + decode) of uniform:16, over the full decode. */
  ratio16: number;
  /** decode() alone (probe done) of uniform:16, over the full decode. */
  decode_ratio16: number;
  method16: string;
  /** Uncached load of uniform:16 over a cached re-read of it. */
  cached_speedup16: number;
  rows: Record<string, { load_ms: number; decode_ms: number; method: string; cached_ms: number }>;
}

async function measureClip(dir: string, gop: number | undefined, label: string): Promise<ClipFigures> {
  const file = join(dir, `clip-${gop ?? "default"}.mp4`);
  await makeClip(file, gop);
  const frames = await fullDecode(file);
  const detail = await probeDetail(file);
  const best = new Map<string, number>();
  const keep = (key: string, ms: number) => best.set(key, Math.min(best.get(key) ?? Infinity, ms));
  const method = new Map<number, string>();
  const warm = await timed(() => decode(file, [0], { size: 224, probe: detail })); // starts the decoder pool
  for (let round = 0; round < ROUNDS; round++) {
    keep("full", await timed(() => fullDecode(file)));
    for (const n of NS) {
      const spec = `uniform:${n}`;
      keep(`load${n}`, await timed(() => loadFrames({ path: file }, spec, { size: 224, cache: false })));
      const indices = Array.from({ length: n }, (_, k) => Math.floor((k * (frames - 1)) / (n - 1)));
      const stats: DecodeStats = {};
      keep(`dec${n}`, await timed(() => decode(file, indices, { size: 224, probe: detail, stats })));
      method.set(
        n,
        `${stats.method ?? ""}${(stats.processes ?? 1) > 1 ? ` (${stats.processes} workers)` : ""}`,
      );
    }
  }
  const full = best.get("full") as number;
  const rows: ClipFigures["rows"] = {};
  const table: (string | number)[][] = [
    ["frames", "load ms", "ratio", "decode ms", "ratio", "method", "cached ms", "speedup"],
  ];
  for (const n of NS) {
    const spec = `uniform:${n}`;
    await loadFrames({ path: file }, spec, { size: 224 }); // fill the cache
    let cached = Infinity;
    for (let k = 0; k < 20; k++)
      cached = Math.min(
        cached,
        await timed(async () => {
          const c = await loadFrames({ path: file }, spec, { size: 224 });
          if (!c.cached) throw new Error("expected a cache hit");
        }),
      );
    const load = best.get(`load${n}`) as number;
    const dec = best.get(`dec${n}`) as number;
    rows[spec] = { load_ms: load, decode_ms: dec, method: method.get(n) ?? "", cached_ms: cached };
    table.push(
      [n, load.toFixed(1), (load / full).toFixed(2), dec.toFixed(1), (dec / full).toFixed(2)].concat([
        method.get(n) ?? "",
        cached.toFixed(2),
        `${(load / cached).toFixed(0)}x`,
      ]),
    );
  }
  log(
    `\n${label}: full decode of all ${frames} frames at 224x224 (ffmpeg CLI) = ${full.toFixed(1)} ms; first decode (starts the pool) ${warm.toFixed(0)} ms`,
  );
  log(textTable(table));
  const r16 = rows["uniform:16"];
  return {
    full_ms: full,
    ratio16: r16.load_ms / full,
    decode_ratio16: r16.decode_ms / full,
    method16: r16.method,
    cached_speedup16: r16.load_ms / r16.cached_ms,
    rows,
  };
}

/** `cache warm` on a small synthetic benchmark, cold cache, with 1 and 2 workers. */
async function measureWarm(dir: string): Promise<Record<string, number>> {
  const bench = join(dir, "synth");
  await generateDataset({ n: 96, seed: 7, out: bench, preset: "easy", size: { w: 128, h: 128 } });
  const out: Record<string, number> = {};
  for (const workers of [1, 2]) {
    const cacheDir = join(dir, `warm-${workers}`);
    const r = await warmCache({
      bench: `synth:${bench}`,
      frames: "uniform:16",
      size: 224,
      workers,
      cacheDir,
    });
    if (r.failed) throw new Error(`cache warm failed: ${r.errors[0]?.message}`);
    out[`workers${workers}_clips_per_s`] = r.clipsPerSecond;
    log(
      `cache warm, ${r.clips} clips, ${workers} worker${workers > 1 ? "s" : ""}: ${r.clipsPerSecond.toFixed(1)} clips/s`,
    );
  }
  return out;
}

async function main(): Promise<void> {
  const ff = resolveTool("ffmpeg");
  const dir = await mkdtemp(join(tmpdir(), "kinema-perf-"));
  process.env.KINEMA_CACHE_DIR = join(dir, "cache");
  log(
    `ffmpeg ${ff.version} (${ff.source}: ${ff.path}); in-process decoder: ${engineAvailable() ? "node-av" : "none (CLI only)"}; clip 10 s 640x360 30 fps h264 (testsrc2)`,
  );
  log(
    "load = loadFrames uncached (probe + sample + decode); decode = decode() with the probe done; ratios are" +
      ` against the full decode; speedup = load / cached re-read; best of ${ROUNDS} interleaved rounds`,
  );
  try {
    const gop30 = await measureClip(dir, 30, "GOP 30 (1 s keyframe interval)");
    const gop250 = await measureClip(dir, undefined, "x264 default GOP (keyint 250)");
    const warm = await measureWarm(dir);
    if (json)
      console.log(
        JSON.stringify({
          ffmpeg: ff.version,
          engine: engineAvailable() ? "node-av" : "cli",
          gop30,
          gop250,
          cached_speedup: Math.min(gop30.cached_speedup16, gop250.cached_speedup16),
          warm,
        }),
      );
  } finally {
    await closeDecoders();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
