// Open-ended video QA benchmarks judged with the Video-ChatGPT protocol: ActivityNet-QA, MSVD-QA,
// MSRVTT-QA and TGIF-QA. Layout (Video-ChatGPT / Video-LLaVA zero-shot files): test_q.json
// [{video_name, question, question_id}] and test_a.json [{answer, type, question_id}], paired by list
// index (as upstream), plus a video folder; ActivityNet videos are named v_<video_name>.mp4.
import { join } from "node:path";
import { KinemaError } from "../../util/errors.ts";
import { unknownChoice } from "../define.ts";
import type { Benchmark, LoadIssue, LoadResult, PromptSpec, Sample } from "../types.ts";
import { findVideo, isDir, missing, openEndedBenchmark, readJsonFile, str, videoNotFound } from "./common.ts";

export interface OpenQaVariant {
  name: "activitynet-qa" | "msvd-qa" | "msrvtt-qa" | "tgif-qa";
  /** Video file name from the record's video_name. */
  videoFile: (videoName: string) => { name: string; ext: string };
}

export const OPENQA_VARIANTS: Record<OpenQaVariant["name"], OpenQaVariant> = {
  "activitynet-qa": { name: "activitynet-qa", videoFile: (v) => ({ name: `v_${v}`, ext: ".mp4" }) },
  "msvd-qa": { name: "msvd-qa", videoFile: (v) => ({ name: v, ext: ".avi" }) },
  "msrvtt-qa": { name: "msrvtt-qa", videoFile: (v) => ({ name: v, ext: ".mp4" }) },
  "tgif-qa": { name: "tgif-qa", videoFile: (v) => ({ name: v, ext: ".gif" }) },
};

export interface OpenQaLoadOptions {
  /** Folder of the videos (default: `<path>/videos` when it exists, else `<path>`). */
  videoRoot?: string;
  /** Look for the videos and report missing ones (default true). */
  checkVideos?: boolean;
}

/** Pairs questions and answers by index; pure, so tests and other loaders reuse it. */
export function pairQa(
  questions: unknown,
  answers: unknown,
  files: { q: string; a: string },
  video: (videoName: string) => { path: string; found: boolean },
): LoadResult {
  if (!Array.isArray(questions))
    throw new KinemaError("bad_input", "expected a JSON list of questions", { file: files.q });
  if (!Array.isArray(answers))
    throw new KinemaError("bad_input", "expected a JSON list of answers", { file: files.a });
  const issues: LoadIssue[] = [];
  if (questions.length !== answers.length)
    issues.push({
      file: files.a,
      message: `${questions.length} questions but ${answers.length} answers: pairing by index up to the shorter list`,
      action: "kept",
    });
  const samples: Sample[] = [];
  const n = Math.min(questions.length, answers.length);
  const perVideo = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const q = (questions[i] ?? {}) as Record<string, unknown>;
    const a = (answers[i] ?? {}) as Record<string, unknown>;
    const videoName = str(q, "video_name");
    const question = str(q, "question");
    const answer = str(a, "answer");
    const qid = str(q, "question_id");
    if (videoName === undefined) {
      issues.push(missing(files.q, i, "video_name", qid));
      continue;
    }
    if (question === undefined) {
      issues.push(missing(files.q, i, "question", qid));
      continue;
    }
    if (answer === undefined) {
      issues.push(missing(files.a, i, "answer", qid));
      continue;
    }
    const aid = str(a, "question_id");
    if (qid !== undefined && aid !== undefined && qid !== aid)
      issues.push({
        file: files.a,
        field: `[${i}].question_id`,
        id: qid,
        message: `question_id ${aid} differs from test_q.json's ${qid}; paired by index as upstream`,
        action: "kept",
      });
    const k = (perVideo.get(videoName) ?? 0) + 1;
    perVideo.set(videoName, k);
    const v = video(videoName);
    if (!v.found) issues.push(videoNotFound(files.q, `[${i}].video_name`, qid, v.path));
    samples.push({
      id: qid ?? `${videoName}_${k}`,
      videoId: videoName,
      video: { path: v.path },
      category: a.type === undefined ? "all" : String(a.type),
      question,
      options: [],
      answer,
      raw: { question: q, answer: a },
      scoring: { judge: "vcgpt-qa" },
    });
  }
  return { samples, issues };
}

export async function loadOpenQa(
  variant: OpenQaVariant,
  path: string,
  opts: OpenQaLoadOptions = {},
): Promise<LoadResult> {
  const dir = isDir(path) ? path : join(path, "..");
  const qFile = isDir(path) ? join(path, "test_q.json") : path;
  const aFile = join(dir, "test_a.json");
  const root = opts.videoRoot ?? (isDir(join(dir, "videos")) ? join(dir, "videos") : dir);
  const check = opts.checkVideos ?? true;
  return pairQa(readJsonFile(qFile), readJsonFile(aFile), { q: qFile, a: aFile }, (name) => {
    const f = variant.videoFile(name);
    return findVideo(root, f.name, f.ext, check);
  });
}

/** Presets: `question` sends the question alone (Video-ChatGPT's inference); `short` adds a brevity hint. */
export const PRESETS = ["question", "short"] as const;

export function openQaPrompt(sample: Sample, preset: string = PRESETS[0]): PromptSpec {
  if (preset === "question") return { preset, text: sample.question };
  if (preset === "short")
    return { preset, text: `${sample.question}\nAnswer the question using a single word or phrase.` };
  throw unknownChoice("preset", "open-ended QA preset", preset, PRESETS);
}

/** Open-ended answers are scored by the judge, not here. */
function makeBenchmark(variant: OpenQaVariant): Benchmark {
  return openEndedBenchmark({
    name: variant.name,
    load: (path, opts) => loadOpenQa(variant, path, opts as OpenQaLoadOptions),
    prompt: openQaPrompt,
    defaultFrames: "uniform:8",
    defaultMaxTokens: 256,
    presets: PRESETS,
  });
}

export const activitynetQa = makeBenchmark(OPENQA_VARIANTS["activitynet-qa"]);
export const msvdQa = makeBenchmark(OPENQA_VARIANTS["msvd-qa"]);
export const msrvttQa = makeBenchmark(OPENQA_VARIANTS["msrvtt-qa"]);
export const tgifQa = makeBenchmark(OPENQA_VARIANTS["tgif-qa"]);
