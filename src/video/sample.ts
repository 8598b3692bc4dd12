// Frame sampling: the spec grammar every command uses, and pure functions from (spec, total, fps) to indices.
import { KinemaError } from "../util/errors.ts";
import type { SampleSpec, Window } from "./types.ts";

export const SPEC_GRAMMAR =
  "uniform:N | uniform-inner:N | fps:F | fps:F,max=M | segments:N | indices:i,j,k | none";

function bad(spec: string, why: string): KinemaError {
  return new KinemaError("bad_spec", `bad sample spec "${spec}": ${why} (expected ${SPEC_GRAMMAR})`, {
    field: "sample",
    spec,
  });
}

function positiveInt(spec: string, text: string, what: string): number {
  if (!/^\d+$/.test(text.trim())) throw bad(spec, `${what} must be a positive integer, got "${text}"`);
  const n = Number(text);
  if (n < 1) throw bad(spec, `${what} must be at least 1`);
  return n;
}

/** Parses `uniform:16`, `fps:1,max=32`, `indices:0,5,9`, `none`, ... Throws KinemaError("bad_spec"). */
export function parseSampleSpec(spec: string): SampleSpec {
  const s = spec.trim();
  if (s === "none") return { kind: "none" };
  const colon = s.indexOf(":");
  if (colon < 0) throw bad(spec, "missing ':'");
  const kind = s.slice(0, colon);
  const arg = s.slice(colon + 1);
  switch (kind) {
    case "uniform":
    case "uniform-inner":
    case "segments":
      return { kind, n: positiveInt(spec, arg, "N") };
    case "fps": {
      const [rate, ...rest] = arg.split(",");
      const fps = Number(rate);
      if (!/^\d*\.?\d+$/.test(rate.trim()) || !(fps > 0)) throw bad(spec, `F must be a positive number`);
      if (rest.length === 0) return { kind, fps };
      const m = rest.length === 1 ? /^max=(.*)$/.exec(rest[0].trim()) : null;
      if (!m) throw bad(spec, `only ",max=M" may follow the rate`);
      return { kind, fps, max: positiveInt(spec, m[1], "max") };
    }
    case "indices": {
      const parts = arg.split(",").map((x) => x.trim());
      if (parts.length === 0 || parts.some((x) => !/^\d+$/.test(x)))
        throw bad(spec, "indices must be non-negative integers separated by commas");
      return { kind, indices: parts.map(Number) };
    }
    default:
      throw bad(spec, `unknown strategy "${kind}"`);
  }
}

/** Canonical text of a parsed spec (stable cache keys: `fps:1.0` and `fps:1` are the same). */
export function formatSampleSpec(spec: SampleSpec): string {
  switch (spec.kind) {
    case "none":
      return "none";
    case "fps":
      return spec.max === undefined ? `fps:${spec.fps}` : `fps:${spec.fps},max=${spec.max}`;
    case "indices":
      return `indices:${spec.indices.join(",")}`;
    default:
      return `${spec.kind}:${spec.n}`;
  }
}

/** Parses `--window START,END` (seconds). */
export function parseWindow(text: string): Window {
  const parts = text.split(",").map((x) => x.trim());
  const nums = parts.map(Number);
  if (parts.length !== 2 || parts.some((p) => p === "") || nums.some((n) => !Number.isFinite(n) || n < 0))
    throw new KinemaError("bad_spec", `bad window "${text}": expected START,END in seconds`, {
      field: "window",
    });
  if (!(nums[1] > nums[0]))
    throw new KinemaError("bad_spec", `bad window "${text}": END must be greater than START`, {
      field: "window",
    });
  return [nums[0], nums[1]];
}

/**
 * Frames [first, end) whose start time i/fps lies in the window [start, end). A tiny tolerance keeps
 * 1.0 s at 30 fps on frame 30, not 31, despite floating point.
 */
export function windowRange(total: number, fps: number, window: Window): { first: number; end: number } {
  const eps = 1e-6;
  const first = Math.min(total, Math.max(0, Math.ceil(window[0] * fps - eps)));
  const end = Math.min(total, Math.max(first, Math.ceil(window[1] * fps - eps)));
  return { first, end };
}

/** Like windowRange, on actual frame timestamps (ascending). */
export function windowRangeByTimes(times: readonly number[], window: Window): { first: number; end: number } {
  const eps = 1e-6;
  const firstAt = (t: number) => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] < t - eps) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const first = firstAt(window[0]);
  return { first, end: Math.max(first, firstAt(window[1])) };
}

/** numpy.linspace(0, stop, n) exactly (same float operations), then floor. */
function floorLinspace(stop: number, n: number): number[] {
  if (n === 1) return [0];
  const step = stop / (n - 1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.floor(i === n - 1 ? stop : i * step));
  return out;
}

/**
 * Indices (0-based, into the range of `total` frames) a spec selects: ascending, except `indices:` which keeps
 * the order given; duplicates are kept when N exceeds the frame count, as lmms-eval does. `fps` is the video's
 * frame rate.
 */
export function sampleRange(
  spec: SampleSpec,
  total: number,
  fps: number,
  /** Presentation time of each of the `total` frames (seconds, ascending); `fps:F` then follows them. */
  times?: readonly number[],
): number[] {
  if (spec.kind === "none" || total <= 0) {
    if (spec.kind === "indices" && spec.indices.length > 0)
      throw new KinemaError("index_out_of_range", `frame ${spec.indices[0]} requested from 0 frames`, {
        index: spec.indices[0],
        frames: total,
      });
    return [];
  }
  switch (spec.kind) {
    case "uniform": // lmms-eval: np.linspace(0, total - 1, N).astype(int), ends included
      return floorLinspace(total - 1, spec.n);
    case "uniform-inner": {
      // VLMEvalKit: step = total / (N + 1); [int(i * step) for i in 1..N], ends excluded
      const step = total / (spec.n + 1);
      return Array.from({ length: spec.n }, (_, k) => Math.floor((k + 1) * step));
    }
    case "segments": // midpoint of each of N equal segments
      return Array.from({ length: spec.n }, (_, k) => Math.floor(((k + 0.5) * total) / spec.n));
    case "fps": {
      const out: number[] = [];
      if (times && times.length === total && total > 1) {
        // Presentation times: at t0 + k/F take the last frame shown at or before it (the frame on screen),
        // until the clip ends one mean frame interval after its last frame. On CFR this is the rule below.
        const t0 = times[0];
        const end = times[total - 1] + (times[total - 1] - t0) / (total - 1);
        let i = 0;
        for (let k = 0; ; k++) {
          const t = t0 + k / spec.fps;
          if (t >= end - 1e-9) break;
          while (i + 1 < total && times[i + 1] <= t + 1e-9) i++;
          if (out[out.length - 1] !== i) out.push(i);
        }
      } else {
        // One frame every fps/F frames starting at frame 0; a rate above the video's keeps every frame once.
        const every = fps / spec.fps;
        for (let k = 0; ; k++) {
          const i = Math.floor(k * every + 1e-9);
          if (i >= total) break;
          if (out[out.length - 1] !== i) out.push(i);
        }
      }
      if (spec.max === undefined || out.length <= spec.max) return out;
      return floorLinspace(out.length - 1, spec.max).map((k) => out[k]);
    }
    case "indices": {
      for (const i of spec.indices)
        if (i >= total)
          throw new KinemaError(
            "index_out_of_range",
            `frame ${i} requested but the range has ${total} frames`,
            {
              index: i,
              frames: total,
            },
          );
      return [...spec.indices];
    }
  }
}

/**
 * Indices into the whole video for a spec, optionally restricted to a window in seconds. With a window,
 * strategies (including `indices:`) count frames from the window's first frame.
 */
export function sampleIndices(
  spec: SampleSpec | string,
  total: number,
  fps: number,
  window?: Window,
  /** Presentation time of each frame (seconds); the window and `fps:F` then use these (exact for VFR). */
  times?: readonly number[],
): number[] {
  const parsed = typeof spec === "string" ? parseSampleSpec(spec) : spec;
  const exact = times && times.length === total ? times : undefined;
  if (!window) return sampleRange(parsed, total, fps, exact);
  const { first, end } = times ? windowRangeByTimes(times, window) : windowRange(total, fps, window);
  if (end <= first && parsed.kind !== "none")
    throw new KinemaError(
      "index_out_of_range",
      `window ${window[0]},${window[1]} s holds no frames (video has ${total} frames at ${fps.toFixed(3)} fps)`,
      { field: "window", frames: total },
    );
  return sampleRange(parsed, end - first, fps, exact?.slice(first, end)).map((i) => i + first);
}
