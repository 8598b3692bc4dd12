// Decode speed: sampled decode vs decoding every frame, and cached re-reads, on generated 10 s 640×360 clips.
// Usage: npx node perf/decode.ts            (prints one table per clip; one run, medians of a few repeats)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { textTable } from "../src/cli/output.ts";
import {
  type DecodeStats,
  decode,
  encodeImages,
  loadFrames,
  probeDetail,
  resolveTool,
  runTool,
} from "../src/video/index.ts";

/** Rounds of interleaved measurements; each number is the best of its rounds. The machine is shared, so
 * interleaving (every variant once per round) and the minimum keep background load out of the ratios. */
const ROUNDS = 5;

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

/** The naive way: decode every frame at 224×224 with one ffmpeg call, then pick in JS. */
async function fullDecode(file: string): Promise<number> {
  const r = await runTool("ffmpeg", [
    "-v",
    "error",
    "-i",
    file,
    "-vf",
    "scale=224:224",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "pipe:1",
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.length / (224 * 224 * 3);
}

async function main(): Promise<void> {
  const ff = resolveTool("ffmpeg");
  const dir = await mkdtemp(join(tmpdir(), "kinema-perf-"));
  process.env.KINEMA_CACHE_DIR = join(dir, "cache");
  console.log(`ffmpeg ${ff.version} (${ff.source}: ${ff.path}); clip 10 s 640x360 30 fps h264 (testsrc2)`);
  console.log(
    "load = loadFrames uncached (probe + sample + decode); decode = decode() with the probe done;" +
      " seek+select = the generic path; ratios are against the full decode; speedup = load / cached re-read;" +
      ` best of ${ROUNDS} interleaved rounds`,
  );
  try {
    for (const [label, gop] of [
      ["GOP 30 (1 s keyframe interval)", 30],
      ["x264 default GOP (keyint 250)", undefined],
    ] as const) {
      const file = join(dir, `clip-${gop ?? "default"}.mp4`);
      await makeClip(file, gop);
      const frames = await fullDecode(file);
      const detail = await probeDetail(file);
      const ns = [8, 16, 32, 64];
      const best = new Map<string, number>();
      const keep = (key: string, ms: number) => best.set(key, Math.min(best.get(key) ?? Infinity, ms));
      const method = new Map<number, string>();
      for (let round = 0; round < ROUNDS; round++) {
        keep("full", await timed(() => fullDecode(file)));
        // The floor for any exact method that decodes every frame: decoding alone, no scaling, no output.
        keep("null", await timed(() => runTool("ffmpeg", ["-v", "error", "-i", file, "-f", "null", "-"])));
        for (const n of ns) {
          const spec = `uniform:${n}`;
          keep(`load${n}`, await timed(() => loadFrames({ path: file }, spec, { size: 224, cache: false })));
          const indices = Array.from({ length: n }, (_, k) => Math.floor((k * (frames - 1)) / (n - 1)));
          const stats: DecodeStats = {};
          keep(`dec${n}`, await timed(() => decode(file, indices, { size: 224, probe: detail, stats })));
          method.set(n, `${stats.method ?? ""}${stats.processes === 2 ? " (2 processes)" : ""}`);
          const sel = { size: 224, probe: detail, method: "select" as const };
          keep(`sel${n}`, await timed(() => decode(file, indices, sel)));
        }
      }
      const full = best.get("full") as number;
      const rows: (string | number)[][] = [
        [
          "frames",
          "load ms",
          "ratio",
          "decode ms",
          "ratio",
          "method",
          "seek+select ms",
          "ratio",
          "cached ms",
          "speedup",
        ],
      ];
      for (const n of ns) {
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
        const sel = best.get(`sel${n}`) as number;
        rows.push([
          n,
          load.toFixed(1),
          (load / full).toFixed(2),
          dec.toFixed(1),
          (dec / full).toFixed(2),
          method.get(n) ?? "",
          sel.toFixed(1),
          (sel / full).toFixed(2),
          cached.toFixed(2),
          `${(load / cached).toFixed(0)}x`, // cached re-read vs an uncached load of the same spec
        ]);
      }
      const decodeOnly = best.get("null") as number;
      console.log(
        `\n${label}: full decode of all ${frames} frames at 224x224 = ${full.toFixed(1)} ms` +
          ` (decoding alone, -f null: ${decodeOnly.toFixed(1)} ms = ${(decodeOnly / full).toFixed(2)})`,
      );
      console.log(textTable(rows));
    }
    // JPEG bytes for API models from the decoded pixels: in-process skia vs a second ffmpeg process.
    const rgb = (await loadFrames({ path: join(dir, "clip-30.mp4") }, "uniform:16", { size: 224 })).rgb;
    let skia = Infinity;
    let viaFfmpeg = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      skia = Math.min(skia, await timed(() => encodeImages(rgb, "jpeg")));
      viaFfmpeg = Math.min(
        viaFfmpeg,
        await timed(() =>
          runTool(
            "ffmpeg",
            ["-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "224x224", "-i", "pipe:0"].concat([
              "-c:v",
              "mjpeg",
              "-q:v",
              "3",
              "-f",
              "image2pipe",
              "pipe:1",
            ]),
            { input: Buffer.concat(rgb.frames) },
          ),
        ),
      );
    }
    console.log(
      `\nJPEG-encode 16 frames 224x224: @napi-rs/canvas ${skia.toFixed(1)} ms, ffmpeg mjpeg process ${viaFfmpeg.toFixed(1)} ms`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
