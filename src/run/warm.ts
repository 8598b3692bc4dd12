// `kinema cache warm`: decode every clip a benchmark run will ask for into the frame cache, ahead of the run,
// with as many decodes at once as workers (one per core by default). Keys match the runner's exactly.
import { availableParallelism } from "node:os";
import { z } from "zod";
import { KinemaError } from "../util/errors.ts";
import { closeDecoders, FITS, type Fit, loadFrames, parseSampleSpec } from "../video/index.ts";
import { clipMeta, resolveBenchmark } from "./deps.ts";
import { createProgress, type Progress } from "./progress.ts";

export const WarmOptionsSchema = z.object({
  bench: z.string().min(1),
  frames: z.string().min(1),
  size: z.number().int().min(2).max(8192).optional(),
  fit: z.enum(FITS as [Fit, ...Fit[]]).optional(),
  workers: z.number().int().min(1).max(256).optional(),
});
export type WarmOptions = z.infer<typeof WarmOptionsSchema> & {
  /** A progress display (the CLI passes a bar on stderr); none when omitted. */
  progress?: Progress;
  cacheDir?: string;
};

export interface WarmResult {
  bench: string;
  frames: string;
  size: number | null;
  /** Questions in the benchmark. */
  samples: number;
  /** Distinct (video, frame spec) pairs: what the cache holds one entry for. */
  clips: number;
  decoded: number;
  /** Already in the cache. */
  cached: number;
  failed: number;
  /** The first few failures, with the video and the reason. */
  errors: { video: string; message: string }[];
  workers: number;
  seconds: number;
  /** Clips per second, decoded and cached together. */
  clipsPerSecond: number;
}

/** Fills the frame cache for `bench` at `frames`/`size`/`fit`, the way `kinema eval` reads it. */
export async function warmCache(opts: WarmOptions): Promise<WarmResult> {
  const o = WarmOptionsSchema.parse(opts);
  if (o.frames === "none")
    throw new KinemaError("bad_spec", "--frames none decodes nothing to cache", { field: "frames" });
  parseSampleSpec(o.frames);
  const workers = o.workers ?? availableParallelism();
  const rb = await resolveBenchmark(o.bench);
  const loaded = await rb.benchmark.load(rb.path, {});
  const t0 = performance.now();
  // Samples on one video with one spec share an entry: decode it once.
  const jobs = new Map<string, { video: (typeof loaded.samples)[number]["video"]; spec: string }>();
  const metas = new Map<string, Promise<{ frames: number; fps: number }>>();
  for (const s of loaded.samples) {
    const key = JSON.stringify(s.video);
    const clip = {
      meta: () => {
        let p = metas.get(key);
        if (!p) {
          p = clipMeta(s.video);
          metas.set(key, p);
        }
        return p;
      },
    };
    const spec = (await rb.benchmark.framesFor?.(s, o.frames, clip)) ?? o.frames;
    jobs.set(`${key}\u0000${spec}`, { video: s.video, spec });
  }
  const list = [...jobs.values()];
  const r: WarmResult = {
    bench: o.bench,
    frames: o.frames,
    size: o.size ?? null,
    samples: loaded.samples.length,
    clips: list.length,
    decoded: 0,
    cached: 0,
    failed: 0,
    errors: [],
    workers,
    seconds: 0,
    clipsPerSecond: 0,
  };
  const counts = () => ({
    done: r.decoded + r.cached + r.failed,
    total: list.length,
    ok: r.decoded + r.cached,
    failed: r.failed,
    unparsed: 0,
  });
  const previous = process.env.KINEMA_DECODE_WORKERS;
  process.env.KINEMA_DECODE_WORKERS = String(workers);
  try {
    let next = 0;
    const lane = async () => {
      while (next < list.length) {
        const job = list[next++];
        try {
          const f = await loadFrames(job.video, job.spec, {
            size: o.size,
            fit: o.fit,
            cache: true,
            cacheDir: opts.cacheDir,
          });
          if (f.cached) r.cached++;
          else r.decoded++;
        } catch (e) {
          r.failed++; // one bad video never stops the warm-up
          if (r.errors.length < 20) r.errors.push({ video: job.video.path, message: (e as Error).message });
        }
        opts.progress?.update(counts());
      }
    };
    await Promise.all(Array.from({ length: Math.min(workers, Math.max(1, list.length)) }, lane));
  } finally {
    if (previous === undefined) delete process.env.KINEMA_DECODE_WORKERS;
    else process.env.KINEMA_DECODE_WORKERS = previous;
    await closeDecoders();
  }
  opts.progress?.finish(counts());
  r.seconds = (performance.now() - t0) / 1000;
  r.clipsPerSecond = list.length / Math.max(r.seconds, 1e-9);
  return r;
}

/** The CLI's progress bar for a warm-up. */
export const warmProgress = (bench: string) => createProgress(`cache warm ${bench}`);
