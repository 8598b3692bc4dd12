// Reads LVBench's video_info.meta.jsonl (one line per video: key, qa[{uid, question with "(A) ..." options,
// answer, question_type[], time_reference}]) and finds <key>.mp4 under videos/ (download.sh's folder) or beside
// it. One sample per QA; bad lines and items are LoadIssues (file, line, field).
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { KinemaError } from "../../util/errors.ts";
import { parseJsonl } from "../motionbench/load.ts";
import type { LoadIssue, LoadResult, Sample } from "../types.ts";
import type { LvQa } from "./official.ts";

export const META_FILE = "video_info.meta.jsonl";

/** "question\n(A) x\n(B) y" → the question and the option texts (options must run A, B, C... in order). */
export function splitParenOptions(text: string): { question: string; options: string[] } | null {
  const lines = text.split("\n");
  const first = lines.findIndex((l, i) => i > 0 && /^\(A\)\s?/.test(l));
  if (first < 0) return null;
  const options: string[] = [];
  for (const l of lines.slice(first)) {
    const m = /^\(([A-Z])\)\s?(.*)$/.exec(l);
    if (m && m[1] === String.fromCharCode(65 + options.length)) options.push(m[2]);
    else if (options.length) options[options.length - 1] += `\n${l}`;
  }
  return { question: lines.slice(0, first).join("\n"), options };
}

function resolveMeta(path: string): string {
  if (!existsSync(path))
    throw new KinemaError("not_found", `no such file or folder: ${path}`, { file: path });
  if (!statSync(path).isDirectory()) return path;
  for (const f of [join(path, META_FILE), join(path, "data", META_FILE)]) if (existsSync(f)) return f;
  throw new KinemaError("not_found", `no ${META_FILE} in ${path}`, { file: join(path, META_FILE) });
}

/** The QAs as compute_accuracy reads them (every QA with a uid), for `kinema score lvbench`. */
export function lvQas(text: string, file: string): { qas: LvQa[]; issues: LoadIssue[] } {
  const { lines, issues } = parseJsonl(text, file);
  const qas: LvQa[] = [];
  for (const { value, line } of lines)
    (Array.isArray(value.qa) ? value.qa : []).forEach((q: Record<string, unknown>, j: number) => {
      if (q?.uid === undefined || q.uid === null) {
        issues.push({ file, line, field: `qa[${j}].uid`, message: "missing", action: "skipped" });
        return;
      }
      const types = Array.isArray(q.question_type) ? q.question_type.map(String) : [];
      qas.push({ uid: String(q.uid), answer: q.answer, questionTypes: types });
    });
  return { qas, issues };
}

export async function loadLvbench(path: string, opts: { videoRoot?: string } = {}): Promise<LoadResult> {
  const file = resolveMeta(path);
  const base = dirname(file);
  const roots = opts.videoRoot
    ? [opts.videoRoot]
    : [join(base, "videos"), join(base, "..", "scripts", "videos"), base];
  const { lines, issues } = parseJsonl(readFileSync(file, "utf8"), file);
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const { value, line } of lines) {
    const key = typeof value.key === "string" ? value.key : undefined;
    if (!key) {
      issues.push({ file, line, field: "key", message: "missing or not a string", action: "skipped" });
      continue;
    }
    if (!Array.isArray(value.qa) || value.qa.length === 0) {
      issues.push({ file, line, field: "qa", message: "missing or empty list", action: "skipped" });
      continue;
    }
    const video = roots.map((r) => join(r, `${key}.mp4`)).find((p) => existsSync(p));
    if (!video)
      issues.push({
        file,
        line,
        field: "key",
        message: `video ${key}.mp4 not found under ${roots[0]}`,
        action: "kept",
      });
    value.qa.forEach((q: unknown, j: number) => {
      const at = (field: string, message: string, action: "skipped" | "kept" = "skipped") =>
        issues.push({ file, line, field: `qa[${j}].${field}`, message, action });
      const qa = (q ?? {}) as Record<string, unknown>;
      if (typeof qa.uid !== "number" && typeof qa.uid !== "string") return at("uid", "missing");
      const id = String(qa.uid);
      if (seen.has(id)) return at("uid", `duplicate ${id}`);
      if (typeof qa.question !== "string") return at("question", "missing or not a string");
      if (typeof qa.answer !== "string") return at("answer", "missing or not a string");
      const types = Array.isArray(qa.question_type)
        ? qa.question_type.filter((t) => typeof t === "string")
        : [];
      if (types.length === 0) return at("question_type", "missing or not a non-empty list of strings");
      const split = splitParenOptions(qa.question);
      if (!split || split.options.length < 2)
        return at("question", 'no "\\n(A) ..." options in the question');
      if (!split.options.some((_, i) => String.fromCharCode(65 + i) === qa.answer))
        at("answer", `"${qa.answer}" is not one of the options`, "kept");
      seen.add(id);
      samples.push({
        id,
        videoId: key,
        video: { path: video ?? join(roots[0], `${key}.mp4`) },
        category: types[0],
        question: split.question,
        options: split.options,
        answer: qa.answer,
        labels: {
          question_type: types,
          question_text: qa.question,
          time_reference: typeof qa.time_reference === "string" ? qa.time_reference : null,
        },
        raw: { line, key, qa },
      });
    });
  }
  return { samples, issues };
}
