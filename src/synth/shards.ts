// Training shards for the PyTorch models: every question's clip decoded to N frames in one uint8 .npy,
// plus a JSON of questions, options, answers and categories that the Python side reads with numpy.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { basename, join } from "node:path";
import { getBenchmark } from "../benchmarks/registry.ts";
import type { LoadIssue, Sample } from "../benchmarks/types.ts";
import { KinemaError } from "../util/errors.ts";
import { loadFrames } from "../video/index.ts";
import { FRAME_LABELS, frameLabels, uniformIndices } from "./labels.ts";
import type { Timeline } from "./timeline.ts";

export interface ShardOptions {
  /** A synthetic-world directory (MotionBench layout) — or any `motionbench:` directory with answers. */
  data: string;
  /** Frames per clip (uniformly sampled). */
  frames: number;
  /** Frames are resized (stretched) to size×size. */
  size: number;
  out: string;
  /** Keep at most this many questions (in file order). */
  limit?: number;
}

export interface ShardItem {
  id: string;
  video_id: string;
  question: string;
  options: string[];
  /** Index of the right option. */
  answer: number;
  category: string;
  /** Per sampled frame, FRAME_LABELS from the clip's timeline (synthetic sets only). */
  frame_labels?: number[][];
}

export interface ShardResult {
  out: string;
  questions: number;
  clips: number;
  n_frames: number;
  size: number;
  /** Samples left out (no ground truth, undecodable video), each with why. */
  skipped: { id: string; reason: string }[];
  issues: LoadIssue[];
}

/**
 * The .npy v1.0 header for a C-ordered uint8 array: magic, version, little-endian header length, then a
 * Python dict literal padded with spaces to a multiple of 64 bytes and ended by a newline.
 */
export function npyHeader(shape: number[], dtype = "|u1"): Buffer {
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const unpadded = 10 + dict.length + 1;
  const pad = (64 - (unpadded % 64)) % 64;
  const text = `${dict}${" ".repeat(pad)}\n`;
  const head = Buffer.alloc(10);
  head.write("\x93NUMPY", 0, "latin1");
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(text.length, 8);
  return Buffer.concat([head, Buffer.from(text, "latin1")]);
}

/** Reads a uint8 .npy written by npyHeader (or numpy): shape and the raw bytes. */
export function readNpyU8(path: string): { shape: number[]; data: Buffer } {
  const buf = readFileSync(path);
  if (buf.toString("latin1", 0, 6) !== "\x93NUMPY")
    throw new KinemaError("bad_input", "not a .npy file", { file: path });
  const len = buf[6] === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = buf[6] === 1 ? 10 : 12;
  const header = buf.toString("latin1", start, start + len);
  if (!header.includes("'|u1'"))
    throw new KinemaError("bad_input", "expected a uint8 array", { file: path, field: "descr" });
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  return { shape, data: buf.subarray(start + len) };
}

/** The answer letter as an option index; -1 when it names no option. */
export function answerIndex(s: Sample): number {
  const i = s.answer.length === 1 ? s.answer.charCodeAt(0) - 65 : -1;
  return i >= 0 && i < s.options.length ? i : -1;
}

/** The fields every questions.json record starts with (the trainers read them by these names). */
export function questionRecord(s: Sample) {
  return {
    id: s.id,
    video_id: s.videoId,
    question: s.question,
    options: s.options,
    answer: answerIndex(s),
    category: s.category,
  };
}

/** Decodes every answered question's clip and writes OUT/frames.npy + OUT/questions.json. */
export async function writeShards(opts: ShardOptions): Promise<ShardResult> {
  for (const [field, v] of [
    ["frames", opts.frames],
    ["size", opts.size],
  ] as const)
    if (!Number.isInteger(v) || v < 1 || v > 4096)
      throw new KinemaError("bad_spec", `${field} must be a positive integer, got ${v}`, { field });
  const { benchmark, path } = getBenchmark(`synth:${opts.data}`);
  const loaded = await benchmark.load(path);
  const skipped: ShardResult["skipped"] = [];
  let samples = loaded.samples.filter((s) => {
    const ok = answerIndex(s) >= 0;
    if (!ok) skipped.push({ id: s.id, reason: `no usable answer ("${s.answer}")` });
    return ok;
  });
  if (opts.limit !== undefined) samples = samples.slice(0, opts.limit);
  const frameBytes = opts.size * opts.size * 3;
  const clipBytes = frameBytes * opts.frames;
  // Questions share clips: decode each clip once.
  const decoded = new Map<string, Promise<Buffer>>();
  const decodeClip = (s: Sample) => {
    const key = JSON.stringify(s.video);
    let p = decoded.get(key);
    if (!p) {
      p = loadFrames(s.video, `uniform:${opts.frames}`, {
        size: opts.size,
        fit: "stretch",
        cache: false,
      }).then((f) => {
        if (f.rgb.width !== opts.size || f.rgb.height !== opts.size || f.rgb.frames.length !== opts.frames)
          throw new KinemaError("decode_failed", "decoded frames have the wrong size or count", {
            file: s.video.path,
          });
        return Buffer.concat(f.rgb.frames);
      });
      decoded.set(key, p);
    }
    return p;
  };
  const items: ShardItem[] = [];
  const chunks: Buffer[] = [];
  // Dense labels when the set has timelines (the synthetic world writes one per clip).
  const labelCache = new Map<string, number[][] | undefined>();
  const labelsOf = (videoId: string) => {
    if (!labelCache.has(videoId)) {
      const file = join(opts.data, "timeline", `${basename(videoId).replace(/\.mp4$/, "")}.json`);
      let rows: number[][] | undefined;
      if (existsSync(file)) {
        const tl = JSON.parse(readFileSync(file, "utf8")) as Timeline;
        rows = frameLabels(tl, uniformIndices(tl.frames, opts.frames));
      }
      labelCache.set(videoId, rows);
    }
    return labelCache.get(videoId);
  };
  // Two clips in flight: ffmpeg does the work, and the machine has two cores.
  const results = new Array<Buffer | Error>(samples.length);
  let next = 0;
  const worker = async () => {
    while (next < samples.length) {
      const i = next++;
      results[i] = await decodeClip(samples[i]).catch((e: unknown) => e as Error);
    }
  };
  await Promise.all([worker(), worker()]);
  samples.forEach((s, i) => {
    const r = results[i];
    if (r instanceof Error) {
      skipped.push({ id: s.id, reason: r.message });
      return;
    }
    if (r.length !== clipBytes) throw new KinemaError("internal", "clip buffer has the wrong length");
    chunks.push(r);
    items.push({
      ...questionRecord(s),
      ...(labelsOf(s.videoId) ? { frame_labels: labelsOf(s.videoId) } : {}),
    });
  });
  if (items.length === 0)
    throw new KinemaError("bad_input", "no answered question with a decodable clip to write", {
      file: opts.data,
    });
  mkdirSync(opts.out, { recursive: true });
  const header = npyHeader([items.length, opts.frames, opts.size, opts.size, 3]);
  // Written piece by piece: one Buffer cannot hold more than 2 GiB (12,000 questions of 32 frames at 48 px are
  // 2.65 GB), and questions on one clip share its decoded buffer, so memory stays one copy per clip.
  const npy = join(opts.out, "frames.npy");
  const tmp = `${npy}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    const all = (b: Buffer) => {
      for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
    };
    all(header);
    for (const c of chunks) all(c);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, npy);
  writeFileSync(
    join(opts.out, "questions.json"),
    `${JSON.stringify({ version: 1, source: opts.data, n_frames: opts.frames, size: opts.size, frame_label_names: FRAME_LABELS, items })}\n`,
  );
  return {
    out: opts.out,
    questions: items.length,
    clips: decoded.size,
    n_frames: opts.frames,
    size: opts.size,
    skipped,
    issues: loaded.issues,
  };
}
