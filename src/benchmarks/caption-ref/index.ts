// A COCO-captioned referring set (HC-STVG style, as VideoRefer reports it): one object per video with
// reference captions, scored with the COCO caption metrics (src/metrics/caption). File layout:
// {"videos": [{"id", "video", "frame_idx"?, "annotation"?: [{<frame>: {segmentation}}], "window"?: [s, e]}],
//  "annotations": [{"image_id", "caption"}]} — annotations exactly as a COCO caption ground-truth file.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type CaptionMetricsResult, captionMetrics } from "../../metrics/caption/index.ts";
import { KinemaError } from "../../util/errors.ts";
import { unknownChoice } from "../define.ts";
import { oversizeItem } from "../limits.ts";
import { firstIndexById, rejectMisfitMasks } from "../mask-frames.ts";
import { isDir, openEndedBenchmark, readJsonFile, str, videoNotFound } from "../openqa/common.ts";
import type { LoadIssue, LoadResult, ObjectMasks, PromptSpec, Rle, Sample, SampleOutcome } from "../types.ts";
import { maskProblem } from "../videorefer-q/load.ts";

export const CAPTION_REF_FILE = "captions.json";

/** Records → samples (pure): references grouped by image_id, in the videos' order. */
export function captionRefSamples(
  data: unknown,
  file: string,
  video: (v: string) => { path: string; found: boolean },
): LoadResult {
  const d = data as { videos?: unknown; annotations?: unknown };
  if (!d || typeof d !== "object" || !Array.isArray(d.videos) || !Array.isArray(d.annotations))
    throw new KinemaError("bad_input", 'expected {"videos": [...], "annotations": [...]}', { file });
  const issues: LoadIssue[] = [];
  const refs = new Map<string, string[]>();
  d.annotations.forEach((a0, i) => {
    const a = (a0 ?? {}) as Record<string, unknown>;
    const id = str(a, "image_id");
    const cap = str(a, "caption");
    if (id === undefined || cap === undefined)
      return void issues.push({
        file,
        field: `annotations[${i}]`,
        message: "needs image_id and caption",
        action: "skipped",
      });
    refs.set(id, [...(refs.get(id) ?? []), cap]);
  });
  const samples: Sample[] = [];
  d.videos.forEach((v0, i) => {
    const v = (v0 ?? {}) as Record<string, unknown>;
    const id = str(v, "id");
    const path = str(v, "video");
    const big = oversizeItem(v0);
    if (big) return void issues.push({ file, field: `videos[${i}]`, id, message: big, action: "skipped" });
    if (id === undefined || !path)
      return void issues.push({
        file,
        field: `videos[${i}]`,
        message: "needs id and video",
        action: "skipped",
      });
    const references = refs.get(id);
    if (!references)
      return void issues.push({
        file,
        field: `videos[${i}].id`,
        id,
        message: "no reference captions",
        action: "skipped",
      });
    let masks: ObjectMasks[] | undefined;
    if (Array.isArray(v.annotation)) {
      masks = [];
      const sizeSeen: { size?: number[] } = {};
      for (const [k, ann] of (
        v.annotation as Record<string, { segmentation?: unknown } | null>[]
      ).entries()) {
        const om: ObjectMasks = {};
        for (const [f, x] of Object.entries(ann ?? {})) {
          const seg = x?.segmentation;
          const problem = seg == null ? null : maskProblem(seg, k, f, sizeSeen);
          if (problem)
            return void issues.push({
              file,
              field: `videos[${i}].annotation[${k}].${f}.segmentation`,
              id,
              message: problem,
              action: "skipped",
            });
          om[f] = (seg as Rle | null | undefined) ?? null;
        }
        masks.push(om);
      }
    }
    const vid = video(path);
    if (!vid.found) issues.push(videoNotFound(file, `videos[${i}].video`, id, vid.path));
    const window =
      Array.isArray(v.window) && v.window.length === 2 ? (v.window as [number, number]) : undefined;
    samples.push({
      id,
      videoId: path,
      video: { path: vid.path, ...(window ? { window } : {}) },
      category: "caption",
      question: "",
      options: [],
      answer: references[0],
      masks,
      frameIdx: str(v, "frame_idx") !== undefined ? Number(v.frame_idx) : undefined,
      raw: v,
      scoring: { references },
    });
  });
  return { samples, issues };
}

export async function loadCaptionRef(
  path: string,
  opts: { videoRoot?: string; checkVideos?: boolean } = {},
): Promise<LoadResult> {
  const file = isDir(path) ? join(path, CAPTION_REF_FILE) : path;
  const root = opts.videoRoot ?? (isDir(path) ? path : join(path, ".."));
  const check = opts.checkVideos ?? true;
  const data = readJsonFile(file);
  const loaded = captionRefSamples(data, file, (v) => {
    const p = join(root, v);
    return { path: p, found: !check || existsSync(p) };
  });
  if (!check) return loaded;
  // Masks must match the frames they mark (each video's header read once).
  const at = firstIndexById((data as { videos: unknown[] }).videos);
  return rejectMisfitMasks(loaded, file, (s) => `videos[${at.get(s.id)}]`);
}

export const PRESETS = ["som-contour", "region"] as const;

export function captionRefPrompt(sample: Sample, preset: string = PRESETS[0]): PromptSpec {
  void sample;
  if (preset === "som-contour")
    return {
      preset,
      text: "I have outlined an object with a red contour in the video. Describe the object outlined in red in one sentence.",
    };
  if (preset === "region")
    return { preset, text: "Describe <object0> [<region>] in the video in one sentence." };
  throw unknownChoice("preset", "preset", preset, PRESETS);
}

/** COCO caption metrics of a run: answered samples are scored; failed ones are excluded and counted. */
export function scoreCaptionRun(outcomes: SampleOutcome[]): CaptionMetricsResult & { failed: number } {
  const done = outcomes.filter((o) => o.status !== "failed" && o.sample.scoring?.references);
  const r = captionMetrics(
    {
      ids: done.map((o) => o.sample.id),
      refs: done.map((o) => o.sample.scoring!.references!),
      hyps: done.map((o) => o.raw ?? ""),
    },
    { perItem: true },
  );
  return { ...r, failed: outcomes.length - done.length };
}

export const captionRef = openEndedBenchmark({
  name: "caption-ref",
  load: (path, opts) => loadCaptionRef(path, opts as { videoRoot?: string; checkVideos?: boolean }),
  prompt: captionRefPrompt,
  presets: PRESETS,
});
