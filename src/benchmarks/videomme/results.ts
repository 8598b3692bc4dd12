// Reads the official eval script's input (a JSON list of videos, each with its questions and "response")
// into its ResultVideo shape; unknown or missing fields are issues naming file, line and field.
import { readJsonArray } from "../mvbench/load.ts";
import type { LoadIssue } from "../types.ts";
import { type EvalOptions, evalYourResults, type ResultVideo, type VideoMmeScore } from "./official.ts";

/** The script's keys (duration_category, video_category, video_subcategory); the template's (duration,
 *  domain, sub_category) are accepted too, with an issue, since the script itself would raise KeyError. */
export function readResultsFile(file: string): { videos: ResultVideo[]; issues: LoadIssue[] } {
  const { items, issues } = readJsonArray(file);
  const videos: ResultVideo[] = [];
  items.forEach(({ value, line }, k) => {
    if (!value || typeof value !== "object") {
      issues.push({ file, line, field: `[${k}]`, message: "not an object", action: "skipped" });
      return;
    }
    const v = value as Record<string, unknown>;
    const pick = (official: string, template: string): string | undefined => {
      if (typeof v[official] === "string") return v[official] as string;
      if (typeof v[template] === "string") {
        issues.push({
          file,
          line,
          field: `[${k}].${official}`,
          message: `missing; used "${template}" (the script reads "${official}")`,
          action: "kept",
        });
        return v[template] as string;
      }
      return undefined;
    };
    const duration = pick("duration_category", "duration");
    const category = pick("video_category", "domain");
    const subCategory = pick("video_subcategory", "sub_category");
    if (!duration || category === undefined || subCategory === undefined || !Array.isArray(v.questions)) {
      issues.push({
        file,
        line,
        field: `[${k}]`,
        message: "needs duration_category, video_category, video_subcategory and questions",
        action: "skipped",
      });
      return;
    }
    const questions: ResultVideo["questions"] = [];
    v.questions.forEach((q: unknown, j: number) => {
      const qq = (q ?? {}) as Record<string, unknown>;
      if (typeof qq.task_type !== "string" || typeof qq.response !== "string") {
        issues.push({
          file,
          line,
          field: `[${k}].questions[${j}]`,
          message: "needs task_type and a string response",
          action: "skipped",
        });
        return;
      }
      questions.push({ taskType: qq.task_type, answer: qq.answer, response: qq.response });
    });
    videos.push({ duration, category, subCategory, missing: v.missing === true, questions });
  });
  return { videos, issues };
}

export function scoreVideoMmeFile(
  file: string,
  opts: EvalOptions,
): { score: VideoMmeScore; issues: LoadIssue[] } {
  const { videos, issues } = readResultsFile(file);
  const r = evalYourResults(videos, opts, file);
  return { score: r.score, issues: [...issues, ...r.issues] };
}
