// Reads Video-MME as released: the Hugging Face layout (videomme/test-*.parquet, data/<videoID>.mp4,
// subtitle/<videoID>.srt) or a JSON list of videos with their questions (the eval template's shape). One
// sample per question; bad rows become LoadIssues (file, row/line, field) and loading goes on.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { KinemaError } from "../../util/errors.ts";
import { readJsonArray } from "../mvbench/load.ts";
import type { LoadIssue, LoadResult, Sample } from "../types.ts";
import { parseSrt, type SubtitleLine } from "./subtitles.ts";

export interface VideoMmeRaw {
  questionId: string;
  videoId: string;
  videoID: string;
  duration: string;
  domain: string;
  subCategory: string;
  taskType: string;
  question: string;
  /** Options as stored ("A. Black."). */
  options: string[];
  answer: string;
  /** Parsed .srt lines; null when the video has no subtitle file. */
  subtitles: SubtitleLine[] | null;
}

export interface VideoMmeLoadOptions {
  /** Only these durations (short, medium, long). */
  durations?: string[];
}

const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

interface Row {
  value: Record<string, unknown>;
  file: string;
  line?: number;
  /** Row index in a parquet file. */
  row?: number;
}

/** Parquet rows or JSON records, flattened to one question per row with the video's fields copied in. */
async function readRows(path: string): Promise<{ rows: Row[]; root: string; issues: LoadIssue[] }> {
  if (!existsSync(path))
    throw new KinemaError("not_found", `no such file or folder: ${path}`, { file: path });
  const issues: LoadIssue[] = [];
  const rows: Row[] = [];
  let files: string[];
  let root: string;
  if (isDir(path)) {
    root = path;
    const sub = isDir(join(path, "videomme")) ? join(path, "videomme") : path;
    files = readdirSync(sub)
      .filter((n) => n.endsWith(".parquet") || n.endsWith(".json"))
      .sort()
      .map((n) => join(sub, n));
    if (files.length === 0)
      throw new KinemaError("not_found", `no videomme/*.parquet or *.json in ${path} (Video-MME's layout)`, {
        file: path,
      });
  } else {
    files = [path];
    root = basename(dirname(path)) === "videomme" ? dirname(dirname(path)) : dirname(path);
  }
  for (const file of files) {
    if (file.endsWith(".parquet")) {
      let objs: Record<string, unknown>[];
      try {
        objs = (await parquetReadObjects({ file: await asyncBufferFromFile(file) })) as Record<
          string,
          unknown
        >[];
      } catch (e) {
        issues.push({ file, message: `cannot read parquet: ${(e as Error).message}`, action: "skipped" });
        continue;
      }
      objs.forEach((value, row) => rows.push({ value, file, row }));
      continue;
    }
    const read = readJsonArray(file);
    issues.push(...read.issues);
    for (const { value, line } of read.items) {
      if (!value || typeof value !== "object") {
        issues.push({ file, line, message: "not an object", action: "skipped" });
        continue;
      }
      const v = value as Record<string, unknown>;
      if (!Array.isArray(v.questions)) {
        rows.push({ value: v, file, line });
        continue;
      }
      for (const q of v.questions) {
        const { questions: _q, ...video } = v;
        rows.push({ value: { ...video, ...(q as Record<string, unknown>) }, file, line });
      }
    }
  }
  return { rows, root, issues };
}

const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

export async function loadVideoMme(path: string, opts: VideoMmeLoadOptions = {}): Promise<LoadResult> {
  const { rows, root, issues } = await readRows(path);
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const srtCache = new Map<string, SubtitleLine[] | null>();
  const dataDir = isDir(join(root, "data"))
    ? join(root, "data")
    : isDir(join(root, "videos"))
      ? join(root, "videos")
      : root;
  const subDir = isDir(join(root, "subtitle")) ? join(root, "subtitle") : join(root, "subtitles");
  for (const { value: v, file, line, row } of rows) {
    const where = row !== undefined ? { file, line: row + 1 } : { file, line };
    const issue = (field: string, message: string, action: "skipped" | "kept" = "skipped") =>
      issues.push({ ...where, field: row !== undefined ? `row ${row}.${field}` : field, message, action });
    // The parquet columns, or the eval script's own key names.
    const duration = str(v.duration) ?? str(v.duration_category);
    const domain = str(v.domain) ?? str(v.video_category);
    const subCategory = str(v.sub_category) ?? str(v.video_subcategory);
    const questionId = str(v.question_id);
    const videoId = str(v.video_id);
    const videoID = str(v.videoID) ?? videoId;
    const taskType = str(v.task_type);
    const question = str(v.question);
    const answer = str(v.answer);
    const options = Array.isArray(v.options) ? v.options : undefined;
    if (!questionId) {
      issue("question_id", "missing");
      continue;
    }
    if (!duration) {
      issue("duration", "missing");
      continue;
    }
    if (opts.durations && !opts.durations.includes(duration)) continue;
    if (!videoID) {
      issue("videoID", "missing (and no video_id)");
      continue;
    }
    if (question === undefined) {
      issue("question", "missing or not a string");
      continue;
    }
    if (!options || options.length === 0 || !options.every((o) => typeof o === "string")) {
      issue("options", "missing or not a list of strings");
      continue;
    }
    if (!answer || !/^[A-D]$/.test(answer)) {
      issue("answer", `expected one of A-D, got ${JSON.stringify(v.answer)}`);
      continue;
    }
    if (seen.has(questionId)) {
      issue("question_id", `duplicate ${questionId}`);
      continue;
    }
    seen.add(questionId);
    if (!domain) issue("domain", "missing; category scores leave it out", "kept");
    if (!taskType) issue("task_type", "missing; task scores leave it out", "kept");
    const labels = (options as string[]).map((o) => /^([A-Z])\.\s?/.exec(o)?.[1]);
    if (labels.some((l, i) => l !== String.fromCharCode(65 + i)))
      issue("options", 'options are not labelled "A. ", "B. ", ... in order', "kept");
    const videoPath = ["mp4", "MP4", "mkv"]
      .map((e) => join(dataDir, `${videoID}.${e}`))
      .find((p) => existsSync(p));
    if (!videoPath) issue("videoID", `video not found: ${join(dataDir, `${videoID}.mp4`)}`, "kept");
    if (!srtCache.has(videoID)) {
      const srt = join(subDir, `${videoID}.srt`);
      if (!existsSync(srt)) srtCache.set(videoID, null);
      else {
        const parsed = parseSrt(readFileSync(srt, "utf8"));
        for (const l of parsed.bad)
          issues.push({
            file: srt,
            line: l,
            field: "time",
            message: 'not "HH:MM:SS,mmm --> HH:MM:SS,mmm"; section skipped',
            action: "skipped",
          });
        srtCache.set(videoID, parsed.lines);
      }
    }
    const raw: VideoMmeRaw = {
      questionId,
      videoId: videoId ?? videoID,
      videoID,
      duration,
      domain: domain ?? "",
      subCategory: subCategory ?? "",
      taskType: taskType ?? "",
      question,
      options: options as string[],
      answer,
      subtitles: srtCache.get(videoID) ?? null,
    };
    samples.push({
      id: questionId,
      videoId: videoID,
      video: { path: videoPath ?? join(dataDir, `${videoID}.mp4`) },
      category: duration,
      question,
      options: (options as string[]).map((o) => o.replace(/^[A-Z]\.\s?/, "")),
      answer,
      labels: { duration, domain: domain ?? "", sub_category: subCategory ?? "", task_type: taskType ?? "" },
      raw,
    });
  }
  return { samples, issues };
}
