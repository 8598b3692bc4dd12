// decode(): RGB24 frames at exactly the requested indices, resized with a named fit, in ONE ffmpeg process.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { isKinemaError, KinemaError } from "../util/errors.ts";
import { planH264 } from "./h264.ts";
import { type ProbeDetail, probeDetail } from "./probe.ts";
import { runTool } from "./tools.ts";
import type { Fit, RgbFrames } from "./types.ts";

export interface DecodeStats {
  method?: "h264-refs" | "seek-select" | "folder";
  /** ffmpeg processes the frames came from (2 when the H.264 fast path split the clip, see decodeH264). */
  processes?: number;
}

export interface DecodeOptions {
  /** Target size in pixels (square for stretch/pad/crop; the longer side for max-side). Omit for native. */
  size?: number;
  fit?: Fit;
  timeoutMs?: number;
  /** A probe of the same path, to skip probing again. */
  probe?: ProbeDetail;
  /** Frame rate for frame folders (see probe). */
  fps?: number;
  /**
   * `auto` (default): H.264 in mp4/mkv goes through the reference-frames-only fast path, everything else
   * through seeking + select. `select` forces the latter (tests compare the two).
   */
  method?: "auto" | "select";
  /** Filled in with how the frames were decoded (for tests and perf). */
  stats?: DecodeStats;
}

/**
 * Seeking costs an input open plus decoding from the keyframe; this many frames' worth of decoding is what
 * we estimate the open to cost. Measured on 640×360 h264: opening an input ≈ 6–10 decoded frames.
 */
const OPEN_COST_FRAMES = 10;
/** More inputs than this in one process cost more than they save (each holds a demuxer and decoder). */
const MAX_INPUTS = 24;

/** Output dimensions and the filter chain that produces them from a source of width×height. */
export function fitFilter(
  width: number,
  height: number,
  size: number | undefined,
  fit: Fit,
): { width: number; height: number; filter: string } {
  if (size === undefined) return { width, height, filter: "setsar=1" };
  if (!Number.isInteger(size) || size < 2 || size > 8192)
    throw new KinemaError("bad_input", `size must be an integer from 2 to 8192, got ${size}`, {
      field: "size",
    });
  const px = (x: number) => Math.max(2, Math.round(x));
  const scale = (w: number, h: number) => `scale=${w}:${h}:flags=bicubic`;
  const aspect = width / height;
  switch (fit) {
    case "stretch":
      return { width: size, height: size, filter: `${scale(size, size)},setsar=1` };
    case "pad": {
      const w = aspect >= 1 ? size : px(size * aspect);
      const h = aspect >= 1 ? px(size / aspect) : size;
      const x = Math.floor((size - w) / 2);
      const y = Math.floor((size - h) / 2);
      return {
        width: size,
        height: size,
        filter: `${scale(w, h)},pad=${size}:${size}:${x}:${y}:black,setsar=1`,
      };
    }
    case "crop": {
      const w = aspect >= 1 ? px(size * aspect) : size;
      const h = aspect >= 1 ? size : px(size / aspect);
      const x = Math.floor((w - size) / 2);
      const y = Math.floor((h - size) / 2);
      return { width: size, height: size, filter: `${scale(w, h)},crop=${size}:${size}:${x}:${y},setsar=1` };
    }
    case "max-side": {
      const w = aspect >= 1 ? size : px(size * aspect);
      const h = aspect >= 1 ? px(size / aspect) : size;
      return { width: w, height: h, filter: `${scale(w, h)},setsar=1` };
    }
    default:
      throw new KinemaError("bad_input", `unknown fit "${fit as string}" (stretch | pad | crop | max-side)`, {
        field: "fit",
      });
  }
}

/** A select expression for frame numbers `n`, runs folded into between(). */
function selectExpr(ns: number[]): string {
  const terms: string[] = [];
  for (let i = 0; i < ns.length; ) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === ns[j] + 1) j++;
    terms.push(i === j ? `eq(n\\,${ns[i]})` : `between(n\\,${ns[i]}\\,${ns[j]})`);
    i = j + 1;
  }
  return `select='${terms.join("+")}'`;
}

interface Group {
  /** Targets (ascending presentation indices) decoded from one input. */
  targets: number[];
  /** Keyframe the demuxer will seek back to for the first target. */
  key: number;
}

/**
 * Splits sorted targets into runs that each get their own seeking input: a new input pays off when the
 * next target's keyframe lies past the previous target, by more than an input open costs.
 */
export function planGroups(targets: number[], keyframes: number[] | undefined): Group[] {
  const keyOf = (t: number): number => {
    if (!keyframes || keyframes.length === 0) return 0;
    let lo = 0;
    let hi = keyframes.length - 1;
    let best = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (keyframes[mid] <= t) {
        best = keyframes[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  };
  const groups: Group[] = [];
  for (const t of targets) {
    const last = groups[groups.length - 1];
    const key = keyOf(t);
    const prev = last?.targets[last.targets.length - 1];
    if (last && prev !== undefined && t - prev <= t - key + OPEN_COST_FRAMES) last.targets.push(t);
    else groups.push({ targets: [t], key });
  }
  // Too many inputs: merge where the gap between groups is smallest.
  while (groups.length > MAX_INPUTS) {
    let best = 1;
    let bestGap = Number.POSITIVE_INFINITY;
    for (let i = 1; i < groups.length; i++) {
      const a = groups[i - 1].targets;
      const gap = groups[i].targets[0] - a[a.length - 1];
      if (gap < bestGap) {
        bestGap = gap;
        best = i;
      }
    }
    groups[best - 1].targets.push(...groups[best].targets);
    groups.splice(best, 1);
  }
  return groups;
}

const sec = (x: number) => Math.max(0, x).toFixed(6);

/** Inputs and filter graph for seek + select: one seeking input per group, concatenated in order. */
function fileArgs(detail: ProbeDetail, targets: number[], chain: string) {
  const { meta, pts, keyframes } = detail;
  const groups = pts ? planGroups(targets, keyframes) : [{ targets, key: 0 }];
  const args: string[] = [];
  const graph: string[] = [];
  groups.forEach((g, k) => {
    const first = g.targets[0];
    const last = g.targets[g.targets.length - 1];
    // Seek to the midpoint between frame first-1 and first: accurate seeking then drops every frame before
    // `first`, so the filter's n=0 is exactly frame `first` (also for 29.97 and VFR timestamps).
    const seekAt = pts && first > 0 ? (pts[first - 1] + pts[first]) / 2 : 0;
    const base = pts && first > 0 ? first : 0;
    if (groups.length > 1) args.push("-threads", "1"); // many short decodes: frame threads only add latency
    if (seekAt > 0) args.push("-ss", sec(seekAt));
    if (pts && last + 1 < meta.frames) args.push("-t", sec((pts[last] + pts[last + 1]) / 2 - seekAt));
    args.push("-i", meta.path);
    const ns = g.targets.map((t) => t - base);
    graph.push(`[${k}:v]${selectExpr(ns)},${chain}[o${k}]`);
  });
  const outs = groups.map((_, k) => `[o${k}]`).join("");
  graph.push(
    groups.length > 1 ? `${outs}concat=n=${groups.length}:v=1:a=0,setpts=N[out]` : `${outs}setpts=N[out]`,
  );
  return { args, graph: graph.join(";") };
}

/** ffconcat list for frame folders: only the wanted files, in order, so one process reads them all. */
function concatList(files: string[]): Buffer {
  const quote = (p: string) => `'${p.replaceAll("'", "'\\''")}'`;
  return Buffer.from(`ffconcat version 1.0\n${files.map((f) => `file ${quote(f)}\nduration 1\n`).join("")}`);
}

/**
 * Decodes the frames at `indices` (any order, repeats allowed) and returns them in that order.
 * Throws KinemaError index_out_of_range | not_found | not_a_video | truncated | decode_failed | timeout.
 */
export async function decode(path: string, indices: number[], opts: DecodeOptions = {}): Promise<RgbFrames> {
  const detail = opts.probe ?? (await probeDetail(path, { fps: opts.fps, timeoutMs: opts.timeoutMs }));
  const { meta } = detail;
  for (const i of indices)
    if (!Number.isInteger(i) || i < 0 || i >= meta.frames)
      throw new KinemaError(
        "index_out_of_range",
        `frame ${i} requested from ${path}, which has ${meta.frames} frames (0..${meta.frames - 1})`,
        { file: path, index: i, frames: meta.frames },
      );
  const { width, height, filter } = fitFilter(meta.width, meta.height, opts.size, opts.fit ?? "stretch");
  if (indices.length === 0) return { width, height, frames: [], indices: [] };
  const targets = [...new Set(indices)].sort((a, b) => a - b);
  const chain = `${filter},format=rgb24`;

  const frameBytes = width * height * 3;
  const fast = await decodeH264(detail, targets, chain, frameBytes, opts);
  if (fast) {
    if (opts.stats) opts.stats.method = "h264-refs";
    if (opts.stats) opts.stats.processes = fast.processes;
    return inRequestOrder(fast.out, targets, indices, width, height, frameBytes);
  }
  if (opts.stats) opts.stats.method = meta.kind === "frames" ? "folder" : "seek-select";
  if (opts.stats) opts.stats.processes = 1;
  // Seeking is relative to the container's start time, which only ffprobe reports exactly.
  if (detail.source === "mp4")
    return decode(path, indices, {
      ...opts,
      method: "select",
      probe: await probeDetail(path, { parser: false, timeoutMs: opts.timeoutMs }),
    });

  const args = ["-v", "error", "-nostdin"];
  let listDir: string | undefined;
  if (meta.kind === "frames") {
    // The concat demuxer wants a real list file (it cannot read one from a pipe).
    const files = detail.files ?? [];
    listDir = await mkdtemp(join(tmpdir(), "kinema-concat-"));
    const list = join(listDir, "frames.ffconcat");
    await writeFile(list, concatList(targets.map((t) => files[t])));
    args.push("-f", "concat", "-safe", "0", "-i", list, "-filter_complex", `[0:v]${chain},setpts=N[out]`);
  } else {
    const plan = fileArgs(detail, targets, chain);
    args.push(...plan.args, "-filter_complex", plan.graph);
  }
  args.push("-map", "[out]", "-vsync", "passthrough", "-frames:v", String(targets.length));
  args.push("-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1");

  let r: Awaited<ReturnType<typeof runTool>>;
  try {
    r = await runTool("ffmpeg", args, { timeoutMs: opts.timeoutMs ?? 120_000 });
  } catch (e) {
    if (isKinemaError(e, "timeout"))
      throw new KinemaError("timeout", `decoding ${path} took longer than ${opts.timeoutMs ?? 120_000} ms`, {
        file: path,
      });
    throw e;
  } finally {
    if (listDir) await rm(listDir, { recursive: true, force: true });
  }
  const got = Math.floor(r.stdout.length / frameBytes);
  if (r.code !== 0 || got !== targets.length || r.stdout.length % frameBytes !== 0) {
    const why = r.stderr.trim().split("\n").pop() ?? "";
    throw new KinemaError(
      /partial file|truncat|end of file|invalid data/i.test(r.stderr) ? "truncated" : "decode_failed",
      `decoding ${path} gave ${got} of ${targets.length} frames${why ? `: ${why.slice(0, 300)}` : ""}`,
      { file: path, expected: targets.length, got },
    );
  }
  return inRequestOrder(r.stdout, targets, indices, width, height, frameBytes);
}

/** Splits ffmpeg's output (one frame per distinct target, ascending) back into the caller's order. */
function inRequestOrder(
  out: Buffer,
  targets: number[],
  indices: number[],
  width: number,
  height: number,
  frameBytes: number,
): RgbFrames {
  const byIndex = new Map<number, Buffer>();
  targets.forEach((t, k) => byIndex.set(t, out.subarray(k * frameBytes, (k + 1) * frameBytes)));
  return { width, height, frames: indices.map((i) => byIndex.get(i) as Buffer), indices: [...indices] };
}

/** H.264 fast-path decodes running in this process (see decodeH264's split). */
let inFlight = 0;
const CORES = availableParallelism();

/**
 * Where to cut ascending targets into two runs of whole keyframe groups with about equal decoding work
 * (packets from each group's keyframe to its last target), or undefined when no cut saves enough.
 */
export function splitPoint(
  targets: number[],
  keyframes: number[],
  decodePos: (frame: number) => number,
): number | undefined {
  const groups: { end: number; work: number }[] = []; // end: index after the group's last target
  let k = 0;
  let key = -1;
  targets.forEach((t, i) => {
    while (k + 1 < keyframes.length && keyframes[k + 1] <= t) k++;
    const work = decodePos(t) - decodePos(keyframes[k]) + 1;
    if (keyframes[k] === key) {
      const g = groups[groups.length - 1];
      g.end = i + 1;
      g.work = Math.max(g.work, work);
    } else groups.push({ end: i + 1, work });
    key = keyframes[k];
  });
  if (groups.length < 2) return undefined;
  const total = groups.reduce((a, g) => a + g.work, 0);
  let left = 0;
  let best: { cut: number; cost: number } | undefined;
  for (const g of groups.slice(0, -1)) {
    left += g.work;
    const cost = Math.max(left, total - left);
    if (!best || cost < best.cost) best = { cut: g.end, cost };
  }
  // A second process pays its own start-up: worth it only when the longer half saves a quarter of the work
  // (one long keyframe group, as with x264's default keyint 250, does not split well).
  return best && best.cost <= 0.75 * total ? best.cut : undefined;
}

/**
 * The H.264 fast path (see h264.ts): pipes only the needed packets into one ffmpeg. Returns undefined when
 * it does not apply or the decoder did not give exactly the expected frames (the caller then seeks).
 */
async function decodeH264(
  detail: ProbeDetail,
  targets: number[],
  chain: string,
  frameBytes: number,
  opts: DecodeOptions,
): Promise<{ out: Buffer; processes: number } | undefined> {
  const { meta, packets, keyframes, avc } = detail;
  if ((opts.method ?? "auto") !== "auto" || !packets || !keyframes || !avc || meta.kind !== "file")
    return undefined;
  // A clip's keyframe groups decode independently. When this is the only decode running and a second core
  // is free, two ffmpeg processes each take half of the groups: their start-up (≈65 ms for Debian's
  // dynamically linked ffmpeg, mostly symbol lookup) and decoding overlap. Busy runners decode one clip
  // per process and keep the cores for other clips.
  inFlight++;
  try {
    const dpos = new Map<number, number>();
    packets.forEach((p, i) => dpos.set(p.frame, i));
    const alone = inFlight === 1 && CORES >= 2;
    const cut = alone ? splitPoint(targets, keyframes, (f) => dpos.get(f) ?? 0) : undefined;
    const parts = cut === undefined ? [targets] : [targets.slice(0, cut), targets.slice(cut)];
    const plans = [];
    for (const part of parts) {
      const plan = await planH264(meta.path, packets, keyframes, avc, part);
      if (!plan) return undefined;
      plans.push(plan);
    }
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const abort = new AbortController();
    let firstError: unknown;
    const runs = await Promise.allSettled(
      plans.map((plan, i) => {
        const args = ["-v", "error", "-nostdin"];
        if (plans.length > 1) args.push("-threads", "1"); // one core each
        args.push("-f", "h264", "-i", "pipe:0");
        args.push("-filter_complex", `[0:v]${selectExpr(plan.ns)},${chain},setpts=N[out]`, "-map", "[out]");
        args.push("-vsync", "passthrough", "-frames:v", String(parts[i].length));
        args.push("-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1");
        // If one process fails, the other is killed; allSettled waits for both to exit.
        return runTool("ffmpeg", args, { timeoutMs, input: plan.stream, signal: abort.signal }).catch((e) => {
          if (!abort.signal.aborted) firstError = e; // the sibling's "aborted" is not the cause
          abort.abort();
          throw e;
        });
      }),
    );
    if (runs.some((r) => r.status === "rejected")) {
      const e = firstError;
      if (isKinemaError(e, "timeout"))
        throw new KinemaError("timeout", `decoding ${meta.path} took longer than ${timeoutMs} ms`, {
          file: meta.path,
        });
      throw e;
    }
    const outs = runs.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof runTool>>>).value);
    if (outs.some((r, i) => r.code !== 0 || r.stdout.length !== parts[i].length * frameBytes))
      return undefined;
    return {
      out: outs.length === 1 ? outs[0].stdout : Buffer.concat(outs.map((r) => r.stdout)),
      processes: outs.length,
    };
  } finally {
    inFlight--;
  }
}
