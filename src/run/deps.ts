// The runner's real collaborators: the benchmark registry (src/benchmarks) and the frame decoder (src/video).
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { getBenchmark } from "../benchmarks/registry.ts";
import { KinemaError } from "../util/errors.ts";
import {
  loadFrames as decodeFrames,
  encodeImages,
  FITS,
  type Fit,
  parseSampleSpec,
  parseWindow,
  probeDetail,
  windowRange,
  windowRangeByTimes,
} from "../video/index.ts";
import type { EvalDeps, FrameLoader, ResolvedBenchmark } from "./runner.ts";

/**
 * `motionbench:PATH` → module + absolute path; the run records the spec prefix (synth stays synth).
 * A synthetic set's hidden test answers (DIR/answers.json) are picked up, so its Test AVG is scored.
 */
export async function resolveBenchmark(spec: string): Promise<ResolvedBenchmark> {
  const r = getBenchmark(spec);
  const path = resolve(r.path);
  const answers = r.prefix === "synth" ? join(path, "answers.json") : undefined;
  return {
    name: r.prefix,
    benchmark: r.benchmark,
    path,
    answers: answers && existsSync(answers) ? answers : undefined,
  };
}

/** Frame count (inside the clip's window, cut as loadFrames cuts it) and fps of a clip. */
export async function clipMeta(ref: {
  path: string;
  window?: [number, number] | string;
  fps?: number;
}): Promise<{ frames: number; fps: number }> {
  const detail = await probeDetail(ref.path, { fps: ref.fps });
  const { frames, fpsValue } = detail.meta;
  const window = typeof ref.window === "string" ? parseWindow(ref.window) : ref.window;
  if (!window) return { frames, fps: fpsValue };
  const { first, end } = detail.pts
    ? windowRangeByTimes(detail.pts, window)
    : windowRange(frames, fpsValue, window);
  return { frames: end - first, fps: fpsValue };
}

export const loadFrames: FrameLoader = (ref, spec, opts) =>
  decodeFrames(ref, spec, { ...opts, fit: opts.fit as Fit | undefined });

/** Checks --frames and --fit before any work starts (the decoder would only fail per sample). */
export function checkFrameOptions(frames: string | undefined, fit: string | undefined): void {
  if (frames !== undefined && frames !== "none") {
    try {
      parseSampleSpec(frames);
    } catch (e) {
      throw new KinemaError("bad_spec", `--frames: ${(e as Error).message}`, { field: "frames" });
    }
  }
  if (fit !== undefined && !FITS.includes(fit as Fit))
    throw new KinemaError("bad_spec", `--fit must be one of ${FITS.join(", ")}, got "${fit}"`, {
      field: "fit",
    });
}

export const defaultDeps: EvalDeps = {
  resolveBenchmark,
  loadFrames,
  encodeImages: (rgb) => encodeImages(rgb, "jpeg"),
  checkOptions: checkFrameOptions,
  clipMeta,
};
