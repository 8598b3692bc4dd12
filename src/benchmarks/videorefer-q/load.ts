// Reads VideoRefer-Bench-Q.json (questions, options, RLE masks per object and frame) and finds each
// video (a JPEG folder such as DAVIS/JPEGImages/480p/x, or an mp4) under the video root.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { rleProblem } from "../../masks/rle.ts";
import { KinemaError } from "../../util/errors.ts";
import { oversizeItem } from "../limits.ts";
import { rejectMisfitMasks } from "../mask-frames.ts";
import type { LoadIssue, LoadResult, ObjectMasks, Rle, Sample } from "../types.ts";
import { gtLetter } from "./official.ts";

export const BENCH_Q_FILE = "VideoRefer-Bench-Q.json";

export interface VideoReferLoadOptions {
  /** Folder the records' `video` paths are relative to (default: the JSON file's folder); a path missing
   *  there is looked up under its `videos/` subfolder too. */
  videoRoot?: string;
  /** `single`: only the mask on frame_idx (upstream default); `multi`: every annotated frame. */
  mode?: "single" | "multi";
  /** Look for the videos on disk and report missing ones (default true). */
  checkVideos?: boolean;
}

/** A segmentation that claims to be an RLE (has size or counts); anything else is a polygon or junk. */
export function looksLikeRle(v: unknown): boolean {
  return !!v && typeof v === "object" && !Array.isArray(v) && ("size" in v || "counts" in v);
}

/**
 * The problem with one object's mask on one frame, or null: a broken RLE (negative runs, runs not summing
 * to the size, oversize) or a size that differs from the item's other masks (they all cover one frame size).
 */
export function maskProblem(seg: unknown, object: number, frame: string, sizeSeen: { size?: number[] }) {
  const p = rleProblem(seg);
  if (p) return `object ${object}, frame ${frame}: ${p}`;
  const size = (seg as Rle).size;
  if (sizeSeen.size && (sizeSeen.size[0] !== size[0] || sizeSeen.size[1] !== size[1]))
    return `object ${object}, frame ${frame}: size ${size[0]}x${size[1]} differs from the item's other masks (${sizeSeen.size[0]}x${sizeSeen.size[1]})`;
  sizeSeen.size ??= size;
  return null;
}

const OPTION = /^\(([A-Z])\)\s*(.*)$/s;

/** Loads VideoRefer-Bench-Q from its JSON (or a folder holding VideoRefer-Bench-Q.json). */
export async function loadVideoReferQ(path: string, opts: VideoReferLoadOptions = {}): Promise<LoadResult> {
  if (!existsSync(path))
    throw new KinemaError("not_found", `no such file or folder: ${path}`, { file: path });
  const file = statSync(path).isDirectory() ? join(path, BENCH_Q_FILE) : path;
  if (!existsSync(file)) throw new KinemaError("not_found", `no ${BENCH_Q_FILE} in ${path}`, { file });
  const root = opts.videoRoot ?? dirname(file);
  const mode = opts.mode ?? "single";
  const checkVideos = opts.checkVideos ?? true;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new KinemaError("bad_input", `invalid JSON: ${(e as Error).message}`, { file });
  }
  if (!Array.isArray(data)) throw new KinemaError("bad_input", "expected a JSON list of questions", { file });

  const samples: Sample[] = [];
  const issues: LoadIssue[] = [];
  const seen = new Set<string>();
  const videoKinds = new Map<string, "dir" | "file" | "missing">();
  const itemIndex = new Map<Sample, number>();

  data.forEach((item: unknown, i: number) => {
    const at = (f: string) => `[${i}].${f}`;
    const skip = (field: string, message: string, id?: string) =>
      issues.push({ file, field: at(field), id, message, action: "skipped" });
    const keep = (field: string, message: string, id?: string) =>
      issues.push({ file, field: at(field), id, message, action: "kept" });
    if (!item || typeof item !== "object") return skip("", "not an object");
    const big = oversizeItem(item);
    if (big) return skip("", big);
    const r = item as Record<string, unknown>;
    if (typeof r.id !== "number" && typeof r.id !== "string")
      return skip("id", "missing or not a number/string");
    const id = String(r.id);
    if (seen.has(id)) return skip("id", "duplicate id", id);
    for (const f of ["video", "Question", "Answer", "type"])
      if (typeof r[f] !== "string" || r[f] === "") return skip(f, "missing or not a string", id);
    if (!Array.isArray(r.options) || r.options.length < 2 || !r.options.every((o) => typeof o === "string"))
      return skip("options", "missing or not a list of 2+ strings", id);
    if (
      !Array.isArray(r.annotation) ||
      r.annotation.length === 0 ||
      !r.annotation.every((a) => a && typeof a === "object")
    )
      return skip("annotation", "missing or not a list of objects", id);
    if (typeof r.frame_idx !== "string" && typeof r.frame_idx !== "number")
      return skip("frame_idx", "missing or not a number/string", id);
    const frameKey = String(r.frame_idx);

    const options: string[] = [];
    (r.options as string[]).forEach((o, k) => {
      const m = OPTION.exec(o);
      if (!m || m[1] !== String.fromCharCode(65 + k))
        keep(
          `options[${k}]`,
          `expected "(${String.fromCharCode(65 + k)}) ...", got ${JSON.stringify(o)}`,
          id,
        );
      options.push(m ? m[2].trim() : o.trim());
    });
    const answer = gtLetter(r.Answer as string);
    if (!/^[A-Z]$/.test(answer) || answer.charCodeAt(0) - 65 >= options.length)
      keep("Answer", `no option letter "(X)" of the options in ${JSON.stringify(r.Answer)}`, id);
    const regions = ((r.Question as string).match(/<region>/g) ?? []).length;
    if (regions !== (r.annotation as unknown[]).length)
      keep(
        "Question",
        `${regions} <region> tags but ${(r.annotation as unknown[]).length} annotated objects`,
        id,
      );

    const masks: ObjectMasks[] = [];
    let bad = false;
    const sizeSeen: { size?: number[] } = {};
    (r.annotation as Record<string, unknown>[]).forEach((ann, k) => {
      const keys = mode === "single" ? [frameKey] : Object.keys(ann);
      const om: ObjectMasks = {};
      for (const key of keys) {
        if (!(key in ann)) {
          // Upstream single mode indexes ann[frame_idx] and crashes when it is absent.
          bad = true;
          skip(`annotation[${k}]`, `no mask on frame_idx ${frameKey}`, id);
          return;
        }
        const seg = (ann[key] as Record<string, unknown> | null)?.segmentation;
        if (seg === null || seg === undefined) om[key] = null;
        else if (looksLikeRle(seg)) {
          const problem = maskProblem(seg, k, key, sizeSeen);
          if (problem) {
            bad = true;
            skip(`annotation[${k}].${key}.segmentation`, problem, id);
            return;
          }
          om[key] = seg as Rle;
        } else {
          keep(
            `annotation[${k}].${key}.segmentation`,
            "not a COCO RLE (polygons are not supported); treated as empty",
            id,
          );
          om[key] = null;
        }
      }
      masks.push(om);
    });
    if (bad) return;

    const video = r.video as string;
    let full = join(root, video);
    // The synthetic world (and a tidy download) keeps the clips in a videos/ folder beside the JSON.
    if (!existsSync(full) && existsSync(join(root, "videos", video))) full = join(root, "videos", video);
    if (checkVideos) {
      let kind = videoKinds.get(full);
      if (!kind) {
        kind = existsSync(full) ? (statSync(full).isDirectory() ? "dir" : "file") : "missing";
        videoKinds.set(full, kind);
      }
      if (kind === "missing")
        keep("video", `video not found under ${root} (or ${root}/videos): ${video}`, id);
    }
    seen.add(id);
    itemIndex.set(
      samples[
        samples.push({
          id,
          videoId: video,
          video: { path: full },
          category: r.type as string,
          question: r.Question as string,
          options,
          answer,
          masks,
          frameIdx: Number(frameKey),
          raw: {
            id: r.id,
            video,
            Question: r.Question,
            options: r.options,
            Answer: r.Answer,
            type: r.type,
            frame_idx: r.frame_idx,
            mode,
          },
        }) - 1
      ],
      i,
    );
  });
  // Masks must match the frames they mark (each video's header read once).
  return checkVideos
    ? rejectMisfitMasks({ samples, issues }, file, (s) => `[${itemIndex.get(s)}]`)
    : { samples, issues };
}
