// VideoRefer-Bench-D: describe one masked object in a video; judged by the Bench-D judge (src/judge).
// Records {id, video, caption, frame_idx, annotation: [{<frame>: {segmentation: RLE|null}}]}; single-frame
// mode keeps only the mask on frame_idx, multi-frame mode every annotated frame. General models get
// set-of-mark frames (the object outlined or filled in red) and a question naming that mark.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { KinemaError } from "../../util/errors.ts";
import { unknownChoice } from "../define.ts";
import { oversizeItem } from "../limits.ts";
import { firstIndexById, rejectMisfitMasks } from "../mask-frames.ts";
import { isDir, openEndedBenchmark, readJsonFile, str, videoNotFound } from "../openqa/common.ts";
import type { LoadIssue, LoadResult, ObjectMasks, PromptSpec, Rle, Sample } from "../types.ts";
import { looksLikeRle, maskProblem } from "../videorefer-q/load.ts";

export const BENCH_D_FILE = "VideoRefer-Bench-D.json";

export interface VideoReferDLoadOptions {
  videoRoot?: string;
  mode?: "single" | "multi";
  checkVideos?: boolean;
}

/** Records → samples (pure). */
export function benchDSamples(
  records: unknown,
  file: string,
  mode: "single" | "multi",
  video: (v: string) => { path: string; found: boolean },
): LoadResult {
  if (!Array.isArray(records)) throw new KinemaError("bad_input", "expected a JSON list", { file });
  const samples: Sample[] = [];
  const issues: LoadIssue[] = [];
  records.forEach((r0, i) => {
    const r = (r0 ?? {}) as Record<string, unknown>;
    const id = str(r, "id");
    const skip = (field: string, message: string) =>
      issues.push({ file, field: `[${i}].${field}`, id, message, action: "skipped" });
    if (id === undefined) return void skip("id", "missing or not a number/string");
    const big = oversizeItem(r0);
    if (big) return void skip("", big);
    const v = str(r, "video");
    if (!v) return void skip("video", "missing or not a string");
    const caption = str(r, "caption");
    if (caption === undefined) return void skip("caption", "missing or not a string");
    const frameKey = str(r, "frame_idx");
    if (frameKey === undefined) return void skip("frame_idx", "missing or not a number/string");
    if (!Array.isArray(r.annotation) || r.annotation.length === 0)
      return void skip("annotation", "missing or not a list of objects");
    const masks: ObjectMasks[] = [];
    const sizeSeen: { size?: number[] } = {};
    for (const [k, ann] of (r.annotation as Record<string, unknown>[]).entries()) {
      const keys = mode === "single" ? [frameKey] : Object.keys(ann ?? {});
      const om: ObjectMasks = {};
      for (const key of keys) {
        if (!ann || !(key in ann)) return void skip(`annotation[${k}]`, `no mask on frame ${key}`);
        const seg = (ann[key] as Record<string, unknown> | null)?.segmentation;
        if (seg == null) om[key] = null;
        else if (looksLikeRle(seg)) {
          const problem = maskProblem(seg, k, key, sizeSeen);
          if (problem) return void skip(`annotation[${k}].${key}.segmentation`, problem);
          om[key] = seg as Rle;
        } else {
          issues.push({
            file,
            field: `[${i}].annotation[${k}].${key}.segmentation`,
            id,
            message: "not a COCO RLE (polygons are not supported); treated as empty",
            action: "kept",
          });
          om[key] = null;
        }
      }
      masks.push(om);
    }
    const vid = video(v);
    if (!vid.found) issues.push(videoNotFound(file, `[${i}].video`, id, vid.path));
    samples.push({
      id,
      videoId: v,
      video: { path: vid.path },
      category: mode,
      question: "",
      options: [],
      answer: caption,
      masks,
      frameIdx: Number(frameKey),
      raw: r,
      scoring: { judge: "videorefer-d" },
    });
  });
  return { samples, issues };
}

export async function loadVideoReferD(path: string, opts: VideoReferDLoadOptions = {}): Promise<LoadResult> {
  const file = isDir(path) ? join(path, BENCH_D_FILE) : path;
  const dir = isDir(path) ? path : join(path, "..");
  const root = opts.videoRoot ?? dir;
  const check = opts.checkVideos ?? true;
  const records = readJsonFile(file);
  const loaded = benchDSamples(records, file, opts.mode ?? "single", (v) => {
    const p = join(root, v);
    if (!check) return { path: p, found: true };
    return { path: p, found: existsSync(p) && (statSync(p).isFile() || statSync(p).isDirectory()) };
  });
  if (!check) return loaded;
  // Masks must match the frames they mark (each video's header read once).
  const at = firstIndexById(records as unknown[]);
  return rejectMisfitMasks(loaded, file, (s) => `[${at.get(s.id)}]`);
}

/**
 * Presets. The reference material does not give VideoRefer's own Bench-D inference prompt, so none is
 * claimed as upstream: `som-contour` / `som-fill` (general models; frames marked in red, wording as the
 * paper's general-MLLM setting) and `region` (region-token models: one `<region>` placeholder).
 */
export const PRESETS = ["som-contour", "som-fill", "region"] as const;

export function benchDPrompt(sample: Sample, preset: string = PRESETS[0]): PromptSpec {
  void sample;
  if (preset === "som-contour")
    return {
      preset,
      text: "I have outlined an object with a red contour in the video. Please describe the object outlined in red in detail, including its appearance and its motion.",
    };
  if (preset === "som-fill")
    return {
      preset,
      text: "I have highlighted an object with a red mask in the video. Please describe the object highlighted in red in detail, including its appearance and its motion.",
    };
  if (preset === "region")
    return {
      preset,
      text: "Please give a detailed description of the object <object0> [<region>] in the video.",
    };
  throw unknownChoice("preset", "Bench-D preset", preset, PRESETS);
}

export const videoreferD = openEndedBenchmark({
  name: "videorefer-d",
  load: (path, opts) => loadVideoReferD(path, opts as VideoReferDLoadOptions),
  prompt: benchDPrompt,
  presets: PRESETS,
});
