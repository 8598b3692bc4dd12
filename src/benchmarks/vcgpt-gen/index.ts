// Video-ChatGPT's video-based generative benchmark: generic_qa.json ({video_name, Q, A}: correctness,
// detail orientation, contextual understanding), temporal_qa.json (temporal understanding) and
// consistency_qa.json ({video_name, Q1, Q2, A}: the model answers Q1 and Q2 separately, and ONE judge
// call sees both answers). Consistency records become two samples paired by `scoring.pair`.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { KinemaError } from "../../util/errors.ts";
import { unknownChoice } from "../define.ts";
import {
  findVideo,
  isDir,
  missing,
  openEndedBenchmark,
  readJsonFile,
  str,
  videoNotFound,
} from "../openqa/common.ts";
import type { LoadIssue, LoadResult, PromptSpec, Sample } from "../types.ts";

export const GEN_FILES = {
  generic: { file: "generic_qa.json", metrics: ["correctness", "detail", "context"] },
  temporal: { file: "temporal_qa.json", metrics: ["temporal"] },
  consistency: { file: "consistency_qa.json", metrics: ["consistency"] },
} as const;
export type GenSet = keyof typeof GEN_FILES;

export interface VcgptGenLoadOptions {
  /** Which sets to load (default: every file present). */
  sets?: GenSet[];
  videoRoot?: string;
  checkVideos?: boolean;
}

/** Turns one set's records into samples (pure). */
export function genSamples(
  set: GenSet,
  records: unknown,
  file: string,
  video: (name: string) => { path: string; found: boolean },
): LoadResult {
  if (!Array.isArray(records)) throw new KinemaError("bad_input", "expected a JSON list", { file });
  const samples: Sample[] = [];
  const issues: LoadIssue[] = [];
  const perVideo = new Map<string, number>();
  const metrics = [...GEN_FILES[set].metrics];
  records.forEach((r0, i) => {
    const r = (r0 ?? {}) as Record<string, unknown>;
    const name = str(r, "video_name");
    if (name === undefined) return void issues.push(missing(file, i, "video_name"));
    const answer = str(r, "A");
    if (answer === undefined) return void issues.push(missing(file, i, "A", name));
    const k = (perVideo.get(name) ?? 0) + 1;
    perVideo.set(name, k);
    const id = `${set}/${name}_${k}`; // upstream numbers repeated video names the same way
    const v = video(name);
    if (!v.found) issues.push(videoNotFound(file, `[${i}].video_name`, id, v.path));
    const base = { videoId: name, video: { path: v.path }, category: set, options: [], answer, raw: r };
    if (set === "consistency") {
      const q1 = str(r, "Q1");
      const q2 = str(r, "Q2");
      if (q1 === undefined) return void issues.push(missing(file, i, "Q1", id));
      if (q2 === undefined) return void issues.push(missing(file, i, "Q2", id));
      samples.push({
        ...base,
        id: `${id}/q1`,
        question: q1,
        scoring: { judge: "vcgpt-gen", metrics, pair: { group: id, part: 1 } },
      });
      samples.push({
        ...base,
        id: `${id}/q2`,
        question: q2,
        scoring: { judge: "vcgpt-gen", metrics, pair: { group: id, part: 2 } },
      });
      return;
    }
    const q = str(r, "Q");
    if (q === undefined) return void issues.push(missing(file, i, "Q", id));
    samples.push({ ...base, id, question: q, scoring: { judge: "vcgpt-gen", metrics } });
  });
  return { samples, issues };
}

export async function loadVcgptGen(path: string, opts: VcgptGenLoadOptions = {}): Promise<LoadResult> {
  const dir = isDir(path) ? path : join(path, "..");
  const root = opts.videoRoot ?? (isDir(join(dir, "videos")) ? join(dir, "videos") : dir);
  const check = opts.checkVideos ?? true;
  const video = (name: string) => findVideo(root, name, ".mp4", check);
  const chosen: [GenSet, string][] = isDir(path)
    ? (opts.sets ?? (Object.keys(GEN_FILES) as GenSet[])).map((s) => [s, join(path, GEN_FILES[s].file)])
    : [
        [
          (Object.keys(GEN_FILES) as GenSet[]).find((s) => path.endsWith(GEN_FILES[s].file)) ?? "generic",
          path,
        ],
      ];
  const out: LoadResult = { samples: [], issues: [] };
  for (const [set, file] of chosen) {
    if (isDir(path) && !opts.sets && !existsSync(file)) continue; // a folder loads the files that are there
    const r = genSamples(set, readJsonFile(file), file, video);
    out.samples.push(...r.samples);
    out.issues.push(...r.issues);
  }
  if (out.samples.length === 0 && out.issues.length === 0)
    throw new KinemaError(
      "not_found",
      `no generic_qa.json, temporal_qa.json or consistency_qa.json in ${path}`,
      {
        file: path,
      },
    );
  return out;
}

/** Video-ChatGPT asks the question as is. */
export function vcgptGenPrompt(sample: Sample, preset = "question"): PromptSpec {
  if (preset !== "question") throw unknownChoice("preset", "preset", preset, ["question"]);
  return { preset, text: sample.question };
}

export const vcgptGen = openEndedBenchmark({
  name: "vcgpt-gen",
  load: (path, opts) => loadVcgptGen(path, opts as VcgptGenLoadOptions),
  prompt: vcgptGenPrompt,
  presets: ["question"],
});
