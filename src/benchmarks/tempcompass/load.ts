// Reads TempCompass as released (questions/<task>.json: {video_id: {aspect: [{question, answer}]}},
// meta_info.json, videos/<video_id>.mp4). Conflicting videos (<id>_reverse, <id>_concat_k, ...) keep their own
// id and their source video in the labels; questions on a source and its conflicting versions share a cluster.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { KinemaError } from "../../util/errors.ts";
import type { LoadIssue, LoadResult, Sample } from "../types.ts";
import { ASPECTS, TASKS, type TcTask } from "./official.ts";

export interface TempCompassLoadOptions {
  /** Only these tasks (multi-choice, yes_no, caption_matching). */
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
  if (existsSync(join(qdir, "captioning.json")))
    issues.push({
      file: join(qdir, "captioning.json"),
      message:
        "captioning needs TempCompass's two-stage LLM evaluation, which kinema does not run: not loaded",
      action: "skipped",
    });
  const samples: Sample[] = [];
  let any = false;
  for (const task of TASKS) {
    if (opts.tasks && !opts.tasks.includes(task)) continue;
    const file = join(qdir, `${task}.json`);
    if (!existsSync(file)) continue;
    any = true;
    const data = readJson(file, issues) as Record<string, Record<string, unknown>> | undefined;
    if (!data || typeof data !== "object") continue;
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
          samples.push({
            id: `${task}/${vid}/${dim}/${k}`,
            videoId: source,
            video: { path: video },
            category: dim,
            question: task === "yes_no" ? q.question : lines[0],
            options: task === "yes_no" ? [] : lines.slice(1),
            answer: q.answer,
            labels: {
              task,
              video_id: vid,
              source_video: source,
              variant,
              aspect: dim,
              fine_aspect: fine,
              question_text: q.question,
            },
          });
        });
      }
    }
  }
  if (!any)
    throw new KinemaError(
      "not_found",
      `no questions/{multi-choice,yes_no,caption_matching}.json in ${path}`,
      { file: qdir },
    );
  return { samples, issues };
}

export const taskOf = (s: Sample) => s.labels?.task as TcTask;
