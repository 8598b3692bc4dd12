// Reads TempCompass as released (questions/<task>.json: {video_id: {aspect: [{question, answer}]}},
// meta_info.json, videos/<video_id>.mp4). Conflicting videos (<id>_reverse, <id>_concat_k, ...) keep their own
// id and their source video in the labels; questions on a source and its conflicting versions share a cluster.
// Captioning questions carry the multi-choice question their caption is judged against (eval_captioning.py:
// the video's first multi-choice question of the aspect, whose answer is the ground truth).
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { KinemaError } from "../../util/errors.ts";
import type { LoadIssue, LoadResult, Sample } from "../types.ts";
import { ALL_TASKS, ASPECTS, type TcAnyTask } from "./official.ts";

export interface TempCompassLoadOptions {
  /** Only these tasks (multi-choice, yes_no, caption_matching, captioning). */
  tasks?: string[];
  videoRoot?: string;
}

/** "1034419625_reverse" → source "1034419625", variant "reverse"; a plain id is its own source ("original"). */
export function conflictOf(videoId: string): { source: string; variant: string } {
  const m = /^(\d+)_(.+)$/.exec(videoId);
  return m ? { source: m[1], variant: m[2] } : { source: videoId, variant: "original" };
}

function readJson(file: string, issues: LoadIssue[]): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    issues.push({ file, message: `invalid JSON: ${(e as Error).message}`, action: "skipped" });
    return undefined;
  }
}

export async function loadTempCompass(path: string, opts: TempCompassLoadOptions = {}): Promise<LoadResult> {
  if (!existsSync(path) || !statSync(path).isDirectory())
    throw new KinemaError(
      "not_found",
      `no such folder: ${path} (TempCompass's layout: questions/, meta_info.json, videos/)`,
      { file: path },
    );
  const qdir = existsSync(join(path, "questions")) ? join(path, "questions") : path;
  const vdir = opts.videoRoot ?? join(path, "videos");
  const issues: LoadIssue[] = [];
  const metaFile = join(path, "meta_info.json");
  const meta = (existsSync(metaFile) ? readJson(metaFile, issues) : undefined) as
    | Record<string, { eval_dim?: Record<string, { type?: string } | null> }>
    | undefined;
  if (!meta)
    issues.push({ file: metaFile, message: "missing: fine-grained aspects unknown", action: "kept" });
  const samples: Sample[] = [];
  let any = false;
  // captioning is judged against questions/multi-choice.json, read even when only captioning is asked for
  let mcQuestions: Record<string, Record<string, { question?: unknown; answer?: unknown }[]>> | undefined;
  const mcFile = join(qdir, "multi-choice.json");
  for (const task of ALL_TASKS) {
    if (opts.tasks && !opts.tasks.includes(task)) continue;
    const file = join(qdir, `${task}.json`);
    if (!existsSync(file)) continue;
    any = true;
    const data = readJson(file, issues) as Record<string, Record<string, unknown>> | undefined;
    if (!data || typeof data !== "object") continue;
    if (task === "captioning" && mcQuestions === undefined)
      mcQuestions = (existsSync(mcFile) ? (readJson(mcFile, []) ?? {}) : {}) as NonNullable<
        typeof mcQuestions
      >;
    const text = readFileSync(file, "utf8");
    for (const [vid, dims] of Object.entries(data)) {
      const line = text.slice(0, Math.max(0, text.indexOf(`"${vid}"`))).split("\n").length;
      const video = join(vdir, `${vid}.mp4`);
      if (!existsSync(video))
        issues.push({ file, line, field: vid, message: `video not found: ${video}`, action: "kept" });
      const { source, variant } = conflictOf(vid);
      for (const [dim, qs] of Object.entries(dims ?? {})) {
        if (!ASPECTS.includes(dim))
          issues.push({
            file,
            line,
            field: `${vid}.${dim}`,
            message: "not one of the five temporal aspects",
            action: "kept",
          });
        if (!Array.isArray(qs)) {
          issues.push({
            file,
            line,
            field: `${vid}.${dim}`,
            message: "not a list of questions",
            action: "skipped",
          });
          continue;
        }
        const mc = task === "captioning" ? mcQuestions?.[vid]?.[dim]?.[0] : undefined;
        if (task === "captioning" && (typeof mc?.question !== "string" || typeof mc.answer !== "string")) {
          issues.push({
            file,
            line,
            field: `${vid}.${dim}`,
            message: `no multi-choice question ${vid}.${dim}[0] in ${mcFile} to judge the captions against (upstream KeyError)`,
            action: "skipped",
          });
          continue;
        }
        qs.forEach((q: Record<string, unknown>, k: number) => {
          if (typeof q?.question !== "string" || typeof q.answer !== "string") {
            issues.push({
              file,
              line,
              field: `${vid}.${dim}[${k}]`,
              message: "needs string question and answer",
              action: "skipped",
            });
            return;
          }
          const lines = q.question.split("\n");
          const fine = dim === "order" ? "order" : (meta?.[vid]?.eval_dim?.[dim]?.type ?? "");
          const plain = task === "yes_no" || task === "captioning";
          samples.push({
            id: `${task}/${vid}/${dim}/${k}`,
            videoId: source,
            video: { path: video },
            category: dim,
            question: plain ? q.question : lines[0],
            options: plain ? [] : lines.slice(1),
            // captioning: the paired multi-choice answer, as eval_captioning.py scores against it
            answer: mc ? (mc.answer as string) : q.answer,
            labels: {
              task,
              video_id: vid,
              source_video: source,
              variant,
              aspect: dim,
              fine_aspect: fine,
              question_text: q.question,
              ...(mc ? { mc_question: mc.question as string, caption_answer: q.answer } : {}),
            },
            // rule tasks: the judge rates only replies no rule matches; captioning: every caption
            scoring: { judge: "tempcompass", ...(mc ? { judgeRequired: true } : {}) },
          });
        });
      }
    }
  }
  if (!any)
    throw new KinemaError(
      "not_found",
      `no questions/{multi-choice,yes_no,caption_matching,captioning}.json in ${path}`,
      { file: qdir },
    );
  return { samples, issues };
}

export const taskOf = (s: Sample) => s.labels?.task as TcAnyTask;
