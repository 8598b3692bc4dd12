// Reads MVBench as released (json/<task>.json + video/<source>/...): one sample per item; every bad item
// becomes a LoadIssue naming file, item (line) and field, and loading goes on.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { KinemaError } from "../../util/errors.ts";
import type { LoadIssue, LoadResult, Sample } from "../types.ts";
import { FRAME_FOLDER_FPS, MVBENCH_TASKS, type MvbenchTask } from "./tasks.ts";

/** What a sample keeps of its item (raw) for framesFor, the official check and reports. */
export interface MvbenchRaw {
  task: string;
  file: string;
  line: number;
  question: string;
  candidates: string[];
  answer: string;
  /** start/end seconds when the task is bounded and the video is the notebook's uncut one. */
  bound: [number, number] | null;
  /** "frame": a 1-based 00001.jpg folder (the notebook's read_frame). */
  kind: "video" | "frame";
  /** Which copy of the video was found: the notebook's folder or lmms-eval's pre-cut one. */
  source: "notebook" | "lmms-eval" | "missing";
}

export interface MvbenchLoadOptions {
  /** Folder holding the video sources (default: <root>/video, else <root>). */
  videoRoot?: string;
  /** Only these tasks (names or json file stems). */
  tasks?: string[];
}

/** Line (1-based) of each top-level array element's opening brace, for issue positions. */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (inStr) {
      if (c === "\\") i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === "{" || c === "[") {
      if (depth === 1) lines.push(line);
      depth++;
    } else if (c === "}" || c === "]") depth--;
  }
  return lines;
}

/** Reads a JSON array file; its elements with their line numbers, or an issue. */
export function readJsonArray(file: string): {
  items: { value: unknown; line: number }[];
  issues: LoadIssue[];
} {
  const text = readFileSync(file, "utf8");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return {
      items: [],
      issues: [{ file, message: `invalid JSON: ${(e as Error).message}`, action: "skipped" }],
    };
  }
  if (!Array.isArray(data))
    return { items: [], issues: [{ file, message: "expected a JSON array of items", action: "skipped" }] };
  const lines = elementLines(text);
  return { items: data.map((value, i) => ({ value, line: lines[i] ?? 1 })), issues: [] };
}

function isDir(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** The json/ folder of an MVBench path (the dataset root, or json/ itself). */
function jsonDir(path: string): string {
  if (!existsSync(path)) throw new KinemaError("not_found", `no such folder: ${path}`, { file: path });
  if (isDir(join(path, "json"))) return join(path, "json");
  if (MVBENCH_TASKS.some((t) => existsSync(join(path, t.file)))) return path;
  throw new KinemaError("not_found", `no json/<task>.json files in ${path} (MVBench's layout)`, {
    file: path,
  });
}

function findVideo(root: string, task: MvbenchTask, video: string) {
  const a = join(root, task.prefix, video);
  if (existsSync(a)) return { path: a, source: "notebook" as const };
  const b = join(root, task.lmmsPrefix, video);
  if (existsSync(b)) return { path: b, source: "lmms-eval" as const };
  return { path: a, source: "missing" as const };
}

export async function loadMvbench(path: string, opts: MvbenchLoadOptions = {}): Promise<LoadResult> {
  const dir = jsonDir(path);
  const root = opts.videoRoot ?? (isDir(join(path, "video")) ? join(path, "video") : path);
  const samples: Sample[] = [];
  const issues: LoadIssue[] = [];
  const want = opts.tasks;
  let anyFile = false;
  for (const task of MVBENCH_TASKS) {
    if (want && !want.some((w) => w === task.name || `${w}.json` === task.file)) continue;
    const file = join(dir, task.file);
    if (!existsSync(file)) {
      issues.push({ file, message: `task file missing: ${task.name} not loaded`, action: "skipped" });
      continue;
    }
    anyFile = true;
    const read = readJsonArray(file);
    issues.push(...read.issues);
    read.items.forEach(({ value, line }, k) => {
      const at = (field: string, message: string, action: "skipped" | "kept" = "skipped") =>
        issues.push({ file, line, field: `[${k}].${field}`, message, action });
      if (!value || typeof value !== "object" || Array.isArray(value)) return at("", "not an object");
      const it = value as Record<string, unknown>;
      if (typeof it.video !== "string" || it.video === "") return at("video", "missing or not a string");
      if (typeof it.question !== "string") return at("question", "missing or not a string");
      if (
        !Array.isArray(it.candidates) ||
        it.candidates.length === 0 ||
        !it.candidates.every((c) => typeof c === "string")
      )
        return at("candidates", "missing or not a non-empty list of strings");
      if (typeof it.answer !== "string") return at("answer", "missing or not a string");
      const candidates = it.candidates as string[];
      const idx = candidates.indexOf(it.answer);
      if (idx < 0)
        at(
          "answer",
          `"${it.answer}" is not one of the candidates (the notebook's ground truth becomes "(@)")`,
          "kept",
        );
      let bound: [number, number] | null = null;
      const found = findVideo(root, task, it.video);
      if (task.bound && found.source !== "lmms-eval") {
        const s = Number(it.start);
        const e = Number(it.end);
        if (typeof it.start !== "number" || typeof it.end !== "number" || !(e > s))
          at(
            "start",
            `a bounded task needs numeric start < end, got ${JSON.stringify([it.start, it.end])}; whole video used`,
            "kept",
          );
        else bound = [s, e];
      }
      if (found.source === "missing")
        at("video", `video not found under ${root}: ${task.prefix}/${it.video}`, "kept");
      const raw: MvbenchRaw = {
        task: task.name,
        file: task.file,
        line,
        question: it.question,
        candidates,
        answer: it.answer,
        bound,
        kind: task.kind,
        source: found.source,
      };
      samples.push({
        id: `${task.file.replace(/\.json$/, "")}/${k}`,
        videoId: `${task.prefix}/${it.video}`,
        video: task.kind === "frame" ? { path: found.path, fps: FRAME_FOLDER_FPS } : { path: found.path },
        category: task.name,
        question: it.question,
        options: candidates,
        answer: idx >= 0 ? String.fromCharCode(65 + idx) : "",
        labels: { answer: it.answer, source: found.source },
        raw,
      });
    });
  }
  if (!anyFile) throw new KinemaError("not_found", `no MVBench task files found in ${dir}`, { file: dir });
  return { samples, issues };
}
