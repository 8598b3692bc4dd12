// decode(): RGB24 frames at exactly the requested indices, resized with a named fit, in ONE ffmpeg process.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { isKinemaError, KinemaError } from "../util/errors.ts";
import { frameIndex, planRanges, type Range, rangeWork, type Scan } from "./av.ts";
import { fileIdentity } from "./cache.ts";
import { planH264 } from "./h264.ts";
import { DecodeTimeout, engineAvailable, poolSize, runDecodeJob, scanFile } from "./pool.ts";
import { type ProbeDetail, probeDetail } from "./probe.ts";
import { runTool } from "./tools.ts";
import type { Fit, RgbFrames } from "./types.ts";

export interface DecodeStats {
  /**
   * av-fast: in-process, keyframe runs only; av-safe: in-process sequential decode from packet 0;
   * h264-refs: ffmpeg CLI fed only the packets the targets need; sequential: ffmpeg CLI from the start;
   * folder: frame images.
   */
  method?: "av-fast" | "av-safe" | "h264-refs" | "sequential" | "folder";
  /** Decoder workers or ffmpeg processes the frames came from (2 when an idle decode split the clip). */
  processes?: number;
  /** Why a faster path was not taken or was redone (undefined when the fastest one applied). */
  fallback?: string;
  /** What the decoder complained about in a sequential decode (the frames are still what it output). */
  warnings?: string[];
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
   * `auto` (default): in-process decoding (node-av), keyframe runs when the stream allows, else sequential;
   * the ffmpeg CLI when node-av is unavailable. `av-safe`: in-process sequential. `cli`: the ffmpeg CLI
   * (H.264 mp4 through its reference-frames-only path). `select`: ffmpeg CLI sequential decode + select,
   * the reference every other path must equal.
   */
  method?: "auto" | "av-safe" | "cli" | "select";
  /** Filled in with how the frames were decoded (for tests and perf). */
  stats?: DecodeStats;
}

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

/** Filters that turn a rotated stream upright as ffmpeg's autorotation does (for streams fed without it). */
export function rotateFilter(rotation: number | undefined): string {
  return rotation === 90
    ? "transpose=clock,"
    : rotation === 180
      ? "hflip,vflip,"
      : rotation === 270
        ? "transpose=cclock,"
        : "";
}

/** ffconcat list for frame folders: only the wanted files, in order, so one process reads them all. */
function concatList(files: string[]): Buffer {
  const quote = (p: string) => `'${p.replaceAll("'", "'\\''")}'`;
  return Buffer.from(`ffconcat version 1.0\n${files.map((f) => `file ${quote(f)}\nduration 1\n`).join("")}`);
}

/**
 * Decodes the frames at `indices` (any order, repeats allowed) and returns them in that order. Frame i is
 * frame i of a sequential decode of the whole stream (ffmpeg -vsync passthrough), whichever path runs.
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
  const stats: DecodeStats = opts.stats ?? {};
  stats.fallback = undefined;
  stats.warnings = undefined;
  const method = opts.method ?? "auto";

  if (meta.kind === "file" && (method === "auto" || method === "av-safe")) {
    if (engineAvailable()) {
      const got = await decodeInProcess(
        detail,
        targets,
        chain,
        frameBytes,
        method === "av-safe",
        stats,
        opts,
      );
      if (got) return inRequestOrder(got, targets, indices, width, height, frameBytes, stats.warnings);
    } else stats.fallback = "node-av is not available";
  }
  if (method !== "select" && meta.kind === "file") {
    const fast = await decodeH264(detail, targets, chain, frameBytes, opts);
    if (fast) {
      stats.method = "h264-refs";
      stats.processes = fast.processes;
      return inRequestOrder(fast.out, targets, indices, width, height, frameBytes);
    }
  }
  stats.method = meta.kind === "frames" ? "folder" : "sequential";
  stats.processes = 1;

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
    // The reference decode: every frame from the first, frame n selected by its output count. Starting at a
    // later keyframe (-ss) is not exact for every stream (decoder state from packet 0, open GOPs).
    args.push("-i", meta.path, "-filter_complex", `[0:v]${selectExpr(targets)},${chain},setpts=N[out]`);
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
  const complaints = r.stderr.trim();
  if (complaints) stats.warnings = complaints.split("\n").slice(0, 20);
  return inRequestOrder(r.stdout, targets, indices, width, height, frameBytes, stats.warnings);
}

/** Splits ffmpeg's output (one frame per distinct target, ascending) back into the caller's order. */
function inRequestOrder(
  out: Buffer | Buffer[],
  targets: number[],
  indices: number[],
  width: number,
  height: number,
  frameBytes: number,
  warnings?: string[],
): RgbFrames {
  const byIndex = new Map<number, Buffer>();
  targets.forEach((t, k) =>
    byIndex.set(t, Array.isArray(out) ? out[k] : out.subarray(k * frameBytes, (k + 1) * frameBytes)),
  );
  const r: RgbFrames = {
    width,
    height,
    frames: indices.map((i) => byIndex.get(i) as Buffer),
    indices: [...indices],
  };
  if (warnings?.length) r.warnings = warnings;
  return r;
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
  if (!packets || !keyframes || !avc || meta.kind !== "file") return undefined;
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
        // A raw H.264 stream carries no display matrix: turn the picture upright as autorotation would.
        const upright = `${rotateFilter(meta.rotation)}${chain}`;
        args.push("-filter_complex", `[0:v]${selectExpr(plan.ns)},${upright},setpts=N[out]`, "-map", "[out]");
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

/** Scans by file identity (path, size, mtime): a run samples each video once per spec, often several specs. */
const scans = new Map<string, Promise<Scan>>();
const MAX_SCANS = 256;

function cachedScan(path: string, identity: string): Promise<Scan> {
  let s = scans.get(identity);
  if (!s) {
    s = scanFile(path);
    s.catch(() => scans.delete(identity));
    scans.set(identity, s);
    if (scans.size > MAX_SCANS) scans.delete(scans.keys().next().value as string);
  }
  return s;
}

/** Splits ranges (in decode order) into two contiguous parts of about equal work, or undefined. */
export function splitRanges(ranges: Range[]): [Range[], Range[]] | undefined {
  if (ranges.length < 2) return undefined;
  const total = ranges.reduce((a, r) => a + rangeWork(r), 0);
  let left = 0;
  let best: { cut: number; cost: number } | undefined;
  for (let i = 0; i < ranges.length - 1; i++) {
    left += rangeWork(ranges[i]);
    const cost = Math.max(left, total - left);
    if (!best || cost < best.cost) best = { cut: i + 1, cost };
  }
  // Each part also decodes packet 0 and pays a worker round trip: split only when it saves a quarter.
  return best && best.cost <= 0.75 * total ? [ranges.slice(0, best.cut), ranges.slice(best.cut)] : undefined;
}

/**
 * In-process decoding on the worker pool. Returns undefined (with stats.fallback) when the stream is one the
 * engine does not index the way the probe does; the caller then uses the ffmpeg CLI.
 */
async function decodeInProcess(
  detail: ProbeDetail,
  targets: number[],
  chain: string,
  frameBytes: number,
  safeOnly: boolean,
  stats: DecodeStats,
  opts: DecodeOptions,
): Promise<Buffer[] | undefined> {
  const { meta } = detail;
  const identity = await fileIdentity(meta.path);
  let scan: Scan;
  try {
    scan = await cachedScan(meta.path, identity);
  } catch (e) {
    stats.fallback = `in-process scan failed: ${(e as Error).message}`;
    return undefined;
  }
  if (scan.frames !== meta.frames) {
    stats.fallback = `in-process demuxer counts ${scan.frames} frames, the probe ${meta.frames}`;
    return undefined;
  }
  if (scan.mirrored || scan.rotation < 0 || scan.rotation !== (meta.rotation ?? 0)) {
    stats.fallback = `display matrix (rotation ${scan.rotation}${scan.mirrored ? ", mirrored" : ""}) left to the CLI`;
    return undefined;
  }
  const base = { path: meta.path, chain, rotation: scan.rotation, targets, threads: 1 };
  const check = (frames: Uint8Array[]) => {
    if (frames.some((f) => f.byteLength !== frameBytes))
      throw new KinemaError("decode_failed", `decoding ${meta.path} gave frames of an unexpected size`, {
        file: meta.path,
      });
    return frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength));
  };
  const timeoutMs = opts.timeoutMs ?? 120_000;
  inFlight++;
  try {
    if (!safeOnly && scan.unsafe === undefined) {
      const { frameOf, ptsOf } = frameIndex(scan);
      const ranges = planRanges(scan, frameOf, targets);
      const dposOf = new Map<number, number>();
      frameOf.forEach((f, d) => {
        if (f >= 0) dposOf.set(f, d);
      });
      const alone = inFlight === 1 && poolSize() >= 2;
      const parts = (alone && splitRanges(ranges)) || [ranges];
      try {
        const outs = await Promise.all(
          parts.map((rs) => {
            const mine = targets.filter((t) => {
              const d = dposOf.get(t) as number;
              return rs.some((r) => r.from <= d && d <= r.to);
            });
            return runDecodeJob(
              {
                ...base,
                targets: mine,
                mode: "fast",
                ranges: rs,
                targetPts: mine.map((t) => ptsOf[t]),
                skipNonRef: true,
              },
              timeoutMs,
            ).then((o) => ({ mine, o }));
          }),
        );
        const byTarget = new Map<number, Uint8Array>();
        for (const { mine, o } of outs) mine.forEach((t, k) => byTarget.set(t, o.frames[k]));
        if (targets.every((t) => byTarget.has(t))) {
          stats.method = "av-fast";
          stats.processes = parts.length;
          return check(targets.map((t) => byTarget.get(t) as Uint8Array));
        }
        stats.fallback = "fast decode did not cover every target";
      } catch (e) {
        if (e instanceof DecodeTimeout) throw timeoutError(meta.path, timeoutMs);
        stats.fallback = `fast decode redone sequentially: ${(e as Error).message}`;
      }
    } else if (!safeOnly) stats.fallback = `sequential decode: ${scan.unsafe}`;
    let out: Awaited<ReturnType<typeof runDecodeJob>>;
    try {
      out = await runDecodeJob({ ...base, mode: "safe" }, timeoutMs);
    } catch (e) {
      if (e instanceof DecodeTimeout) throw timeoutError(meta.path, timeoutMs);
      // FFmpeg 8 refused what it could not decode: the CLI decodes it, or says why it cannot.
      stats.fallback = `in-process decode failed: ${(e as Error).message}`;
      return undefined;
    }
    stats.method = "av-safe";
    stats.processes = 1;
    if (out.warnings.length) stats.warnings = out.warnings;
    return check(out.frames);
  } finally {
    inFlight--;
  }
}

function timeoutError(path: string, timeoutMs: number): KinemaError {
  return new KinemaError("timeout", `decoding ${path} took longer than ${timeoutMs} ms`, { file: path });
}
