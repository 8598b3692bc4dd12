// Reads Perception Test multiple-choice annotations as released (mc_question_valid.json or all_valid.json:
// {video_id: {metadata, mc_question: [{id, question, options[3], answer_id, area, reasoning, tag[]}]}}) and
// finds videos/<video_id>.mp4 (or valid_videos/, or beside the JSON). Bad items are LoadIssues.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { KinemaError } from "../../util/errors.ts";
import type { LoadIssue, LoadResult, Sample } from "../types.ts";
import type { PtQuestion } from "./official.ts";

const CANDIDATES = [
  "mc_question_valid.json",
  "all_valid.json",
  "mc_question_test.json",
  "mc_question_train.json",
  "all_train.json",
];

export function resolveAnnotations(path: string): string {
  if (!existsSync(path))
    throw new KinemaError("not_found", `no such file or folder: ${path}`, { file: path });
  if (!statSync(path).isDirectory()) return path;
  const f = CANDIDATES.map((n) => join(path, n)).find((p) => existsSync(p));
  if (f) return f;
  const any = readdirSync(path).find((n) => /^mc_question_.*\.json$/.test(n));
  if (any) return join(path, any);
  throw new KinemaError("not_found", `no mc_question_valid.json (or all_valid.json) in ${path}`, {
    file: path,
  });
}

/** 1-based line where `"<key>":` first appears (issue positions in a big one-object file). */
function lineOfKey(text: string, key: string): number | undefined {
  const i = text.indexOf(`"${key}"`);
  return i < 0 ? undefined : text.slice(0, i).split("\n").length;
}

export interface PtRead {
  samples: Sample[];
  questions: PtQuestion[];
  issues: LoadIssue[];
}

export function readPerceptionTest(file: string, videoRoots: string[]): PtRead {
  const text = readFileSync(file, "utf8");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new KinemaError("bad_input", `invalid JSON: ${(e as Error).message}`, { file });
  }
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new KinemaError("bad_input", "expected {video_id: {metadata, mc_question: [...]}}", { file });
  const samples: Sample[] = [];
  const questions: PtQuestion[] = [];
  const issues: LoadIssue[] = [];
  for (const [videoId, entry] of Object.entries(data as Record<string, unknown>)) {
    const line = lineOfKey(text, videoId);
    const mcq = (entry as Record<string, unknown> | null)?.mc_question;
    if (!Array.isArray(mcq)) {
      issues.push({
        file,
        line,
        field: `${videoId}.mc_question`,
        message: "missing or not a list",
        action: "skipped",
      });
      continue;
    }
    const video = videoRoots.map((r) => join(r, `${videoId}.mp4`)).find((p) => existsSync(p));
    if (!video && videoRoots.length)
      issues.push({
        file,
        line,
        field: videoId,
        message: `video not found: ${videoId}.mp4 under ${videoRoots[0]}`,
        action: "kept",
      });
    mcq.forEach((q: unknown, j: number) => {
      const at = (field: string, message: string) =>
        issues.push({
          file,
          line,
          field: `${videoId}.mc_question[${j}].${field}`,
          message,
          action: "skipped",
        });
      const it = (q ?? {}) as Record<string, unknown>;
      if (typeof it.id !== "number" && typeof it.id !== "string") return at("id", "missing");
      if (typeof it.question !== "string") return at("question", "missing or not a string");
      if (
        !Array.isArray(it.options) ||
        it.options.length < 2 ||
        !it.options.every((o) => typeof o === "string")
      )
        return at("options", "missing or not a list of strings");
      const answerId = typeof it.answer_id === "number" ? it.answer_id : Number.NaN;
      if (!Number.isInteger(answerId) || answerId < 0 || answerId >= it.options.length)
        return at(
          "answer_id",
          `expected an option index 0-${it.options.length - 1}, got ${JSON.stringify(it.answer_id)}`,
        );
      const area = typeof it.area === "string" ? it.area : "";
      const reasoning = typeof it.reasoning === "string" ? it.reasoning : "";
      const tags = Array.isArray(it.tag) ? it.tag.map(String) : [];
      questions.push({ videoId, id: String(it.id), answerId, area, reasoning, tags });
      samples.push({
        id: `${videoId}/${it.id}`,
        videoId,
        video: { path: video ?? join(videoRoots[0] ?? ".", `${videoId}.mp4`) },
        category: area,
        question: it.question,
        options: it.options as string[],
        answer: String.fromCharCode(65 + answerId),
        labels: { question_id: String(it.id), area, reasoning, tag: tags },
      });
    });
  }
  return { samples, questions, issues };
}

export async function loadPerceptionTest(
  path: string,
  opts: { videoRoot?: string } = {},
): Promise<LoadResult> {
  const file = resolveAnnotations(path);
  const base = dirname(file);
  const roots = opts.videoRoot
    ? [opts.videoRoot]
    : ["videos", "valid_videos", "test_videos", ""].map((d) => join(base, d));
  const { samples, issues } = readPerceptionTest(file, roots);
  return { samples, issues };
}
