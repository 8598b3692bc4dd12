// Reads MotionBench's video_info.meta.jsonl and finds each clip in the released layout; every bad
// line or item becomes a LoadIssue (file, line, field) and loading goes on.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { KinemaError } from "../../util/errors.ts";
import { letterOf, splitOptions } from "../parse.ts";
import type { LoadIssue, LoadResult, Sample, VideoRef } from "../types.ts";
import { PyNumber, plainJson, pyStr, readJsonLines } from "./jsonl.ts";
import type { MetaRow } from "./official.ts";

export const META_FILE = "video_info.meta.jsonl";
/** Folders searched for clips, in order, under the video root. */
export const VIDEO_DIRS = ["self-collected", "public-dataset", "videos", ""] as const;

export interface JsonlLine {
  value: Record<string, unknown>;
  /** 1-based line number. */
  line: number;
}

/**
 * Parses MotionBench JSONL as upstream's `jsonlines` does (jsonl.ts: byte-order mark, \r / \r\n / \n line
 * endings, Python's json.loads); lines jsonlines rejects become issues. A QA's non-string uid becomes its
 * Python str() ("7.0", "None", "True"), as upstream's str(qa["uid"]) makes it, with a kept issue.
 */
export function parseJsonl(text: string, file: string): { lines: JsonlLine[]; issues: LoadIssue[] } {
  const read = readJsonLines(text, file);
  const issues = read.issues;
  const lines = read.lines.map(({ value, line }) => {
    if (Array.isArray(value.qa))
      value.qa.forEach((q: unknown, j: number) => {
        if (!q || typeof q !== "object" || Array.isArray(q) || q instanceof PyNumber) return;
        const qa = q as Record<string, unknown>;
        if (!("uid" in qa) || typeof qa.uid === "string") return;
        const uid = pyStr(qa.uid);
        issues.push({
          file,
          line,
          field: `qa[${j}].uid`,
          id: uid,
          message: `uid is ${qa.uid === null ? "null" : Array.isArray(qa.uid) ? "a list" : typeof qa.uid === "object" && !(qa.uid instanceof PyNumber) ? "an object" : `the ${typeof qa.uid === "boolean" ? "boolean" : "number"} ${pyStr(qa.uid)}`}, read as the string "${uid}" (upstream's str(uid))`,
          action: "kept",
        });
        qa.uid = uid;
      });
    return { value: plainJson(value) as Record<string, unknown>, line };
  });
  return { lines, issues };
}

/** The meta file of a MotionBench path: the .jsonl itself or a folder holding video_info.meta.jsonl. */
export function resolveMetaFile(path: string): string {
  if (!existsSync(path))
    throw new KinemaError("not_found", `no such file or folder: ${path}`, { file: path });
  if (statSync(path).isDirectory()) {
    const meta = join(path, META_FILE);
    if (!existsSync(meta)) throw new KinemaError("not_found", `no ${META_FILE} in ${path}`, { file: meta });
    return meta;
  }
  return path;
}

function uidOf(v: unknown): string | undefined {
  return typeof v === "string" || typeof v === "number" ? String(v) : undefined;
}

/** Meta lines as the upstream scorer reads them: every QA with a uid counts, nothing else is checked. */
export function metaRows(
  lines: readonly JsonlLine[],
  file: string,
): { rows: MetaRow[]; issues: LoadIssue[] } {
  const rows: MetaRow[] = [];
  const issues: LoadIssue[] = [];
  for (const { value, line } of lines) {
    if (!Array.isArray(value.qa)) {
      issues.push({ file, line, field: "qa", message: "missing or not a list", action: "skipped" });
      continue;
    }
    if (!("question_type" in value))
      issues.push({
        file,
        line,
        field: "question_type",
        message: "missing (upstream KeyError); counted as null",
        action: "kept",
      });
    if (value.qa.length > 1)
      issues.push({
        file,
        line,
        field: "qa",
        message: `${value.qa.length} QAs on one line: upstream compute_accuracy raises TypeError on a second answered dev QA; kinema scores each`,
        action: "kept",
      });
    const qa: MetaRow["qa"] = [];
    value.qa.forEach((q: unknown, j: number) => {
      const uid = q && typeof q === "object" ? uidOf((q as Record<string, unknown>).uid) : undefined;
      if (uid === undefined) {
        issues.push({
          file,
          line,
          field: `qa[${j}].uid`,
          message: "missing or not a string",
          action: "skipped",
        });
        return;
      }
      qa.push({ uid, answer: (q as Record<string, unknown>).answer });
    });
    rows.push({ questionType: value.question_type ?? null, qa });
  }
  return { rows, issues };
}

/** Finds clip files by name under the video root's known folders (one directory listing each). */
export function videoIndex(root: string): Map<string, string> {
  const index = new Map<string, string>();
  for (const dir of VIDEO_DIRS) {
    const full = join(root, dir);
    let names: string[];
    try {
      names = readdirSync(full);
    } catch {
      continue;
    }
    for (const n of names) if (!index.has(n)) index.set(n, join(full, n));
  }
  return index;
}

const CLIP_NAME = /^(.+)_(\d+(?:\.\d+)?)_(\d+(?:\.\d+)?)(\.[A-Za-z0-9]+)$/;

/**
 * Where a clip's pixels are: the file as named if it exists; else, for a public clip
 * `<uuid>_<start>_<end>.mp4` whose cut file is absent, the uncut `<uuid>.mp4` with window [start, end].
 */
export function resolveVideo(
  root: string,
  videoPath: string,
  index: Map<string, string>,
): VideoRef | undefined {
  if (videoPath.includes("/") && existsSync(join(root, videoPath))) return { path: join(root, videoPath) };
  const name = basename(videoPath);
  const direct = index.get(name);
  if (direct) return { path: direct };
  const m = CLIP_NAME.exec(name);
  if (m) {
    const source = index.get(m[1] + m[4]);
    if (source) return { path: source, window: [Number(m[2]), Number(m[3])] };
  }
  return undefined;
}

export interface MotionBenchLoadOptions {
  /** Folder holding self-collected/, public-dataset/ or videos/ (default: the meta file's folder). */
  videoRoot?: string;
  /** Look for the clips on disk and report missing ones (default true). */
  checkVideos?: boolean;
  /** Drop flawed-but-askable items (empty option, answer not an option) instead of keeping them (default false:
   *  the upstream scorer counts them, so official numbers need them). */
  dropBroken?: boolean;
}

/** Loads MotionBench from a meta file or a folder; one sample per QA (lines with several QAs are expanded). */
export async function loadMotionBench(path: string, opts: MotionBenchLoadOptions = {}): Promise<LoadResult> {
  const file = resolveMetaFile(path);
  const root = opts.videoRoot ?? dirname(file);
  const checkVideos = opts.checkVideos ?? true;
  const { lines, issues } = parseJsonl(readFileSync(file, "utf8"), file);
  const index = checkVideos ? videoIndex(root) : new Map<string, string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const flawAction = opts.dropBroken ? "skipped" : "kept";

  for (const { value, line } of lines) {
    const need = (field: string, ok: boolean, what: string) => {
      if (!ok) issues.push({ file, line, field, message: what, action: "skipped" });
      return ok;
    };
    if (
      !need("question_type", typeof value.question_type === "string", "missing or not a string") ||
      !need(
        "video_path",
        typeof value.video_path === "string" && value.video_path !== "",
        "missing or empty",
      ) ||
      !need("qa", Array.isArray(value.qa) && value.qa.length > 0, "missing or empty list")
    )
      continue;
    const videoPath = value.video_path as string;
    let video: VideoRef | undefined;
    if (checkVideos) {
      video = resolveVideo(root, videoPath, index);
      if (!video)
        issues.push({
          file,
          line,
          field: "video_path",
          message: `video not found under ${root}: ${videoPath}`,
          action: "kept",
        });
    }
    (value.qa as unknown[]).forEach((q, j) => {
      const at = `qa[${j}]`;
      if (!q || typeof q !== "object") {
        issues.push({ file, line, field: at, message: "not an object", action: "skipped" });
        return;
      }
      const qa = q as Record<string, unknown>;
      const uid = uidOf(qa.uid);
      if (!need(`${at}.uid`, uid !== undefined, "missing or not a string")) return;
      if (!need(`${at}.question`, typeof qa.question === "string", "missing or not a string")) return;
      if (!need(`${at}.answer`, typeof qa.answer === "string", "missing or not a string")) return;
      const id = uid as string;
      if (seen.has(id)) {
        issues.push({ file, line, field: `${at}.uid`, id, message: "duplicate uid", action: "skipped" });
        return;
      }
      const { question, options } = splitOptions(qa.question as string);
      if (options.length === 0) {
        issues.push({
          file,
          line,
          field: `${at}.question`,
          id,
          message: 'no "\\nA. ..." options in the question',
          action: "skipped",
        });
        return;
      }
      const answer = qa.answer as string;
      const flaws: LoadIssue[] = [];
      const flaw = (field: string, message: string) =>
        flaws.push({ file, line, field: `${at}.${field}`, id, message, action: flawAction });
      options.forEach((o, k) => {
        if (o.label !== letterOf(k))
          flaw("question", `option ${k + 1} is labelled ${o.label}, expected ${letterOf(k)}`);
        if (o.text === "") flaw("question", `option ${o.label} is empty`);
      });
      if (options.length < 2) flaw("question", `only ${options.length} option`);
      if (answer !== "NA" && !options.some((o) => o.label === answer))
        flaw(
          "answer",
          `answer "${answer}" is not one of the options ${options.map((o) => o.label).join("")}`,
        );
      issues.push(...flaws);
      if (flaws.length > 0 && opts.dropBroken) return;
      seen.add(id);
      samples.push({
        id,
        videoId: videoPath,
        video: video ?? { path: join(root, videoPath) },
        category: value.question_type as string,
        question,
        options: options.map((o) => o.text),
        answer,
        split: answer === "NA" ? "test" : "dev",
        raw: {
          line,
          uid: id,
          question: qa.question,
          answer,
          question_type: value.question_type,
          video_type: value.video_type ?? null,
          key: value.key ?? null,
          video_path: videoPath,
        },
      });
    });
  }
  return { samples, issues };
}
