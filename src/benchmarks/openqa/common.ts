// Shared pieces of the open-ended benchmarks (Video-ChatGPT QA/generative sets, VideoRefer-Bench-D,
// captioned referring sets): JSON reading with located errors, video lookup, the open-ended parse, and the
// Benchmark object they all share.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { KinemaError } from "../../util/errors.ts";
import { defineBenchmark } from "../define.ts";
import { pyStrip } from "../parse.ts";
import type { Benchmark, LoadIssue, Parsed, PromptSpec, Sample } from "../types.ts";

/** Reads a JSON file; a missing or broken file is a KinemaError naming it. */
export function readJsonFile(file: string): unknown {
  if (!existsSync(file)) throw new KinemaError("not_found", `file not found: ${file}`, { file });
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new KinemaError("bad_input", `not valid JSON: ${(e as Error).message}`, { file });
  }
}

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export const VIDEO_EXTS = [".mp4", ".mkv", ".webm", ".avi", ".mov", ".gif"];

/**
 * Finds `<root>/<name><ext>` trying the preferred extension first, then the common ones; when none
 * exists the preferred path is returned with an issue (the sample is kept; decoding will fail then).
 */
export function findVideo(
  root: string,
  name: string,
  preferredExt: string,
  check: boolean,
): { path: string; found: boolean } {
  const first = join(root, name + preferredExt);
  if (!check) return { path: first, found: true };
  for (const ext of [preferredExt, ...VIDEO_EXTS.filter((e) => e !== preferredExt)]) {
    const p = join(root, name + ext);
    if (existsSync(p)) return { path: p, found: true };
  }
  if (isDir(join(root, name))) return { path: join(root, name), found: true };
  return { path: first, found: false };
}

/** A field of a record as a string (numbers formatted as Python's str() would). */
export function str(rec: Record<string, unknown>, key: string): string | undefined {
  const v = rec[key];
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

export function missing(file: string, index: number, field: string, id?: string): LoadIssue {
  return {
    file,
    field: `[${index}].${field}`,
    id,
    message: `missing or not a string: ${field}`,
    action: "skipped",
  };
}

/** Open-ended answers are the model's text as is (stripped); an empty reply is unparsed. */
export function parseOpenEnded(raw: string): Parsed {
  const answer = pyStrip(raw);
  return { answer, ok: answer !== "" };
}

/**
 * An open-ended benchmark (judged or caption-scored): parse mode `open`, no right or wrong here. Frames and
 * tokens default to those of describing a video or an object (`uniform:16`, 512 new tokens).
 */
export function openEndedBenchmark(
  parts: Pick<Benchmark, "name" | "load"> &
    Partial<Pick<Benchmark, "defaultFrames" | "defaultMaxTokens">> & {
      prompt: (sample: Sample, preset?: string) => PromptSpec;
      presets: readonly string[];
    },
): Benchmark {
  return defineBenchmark({
    defaultMaxTokens: 512,
    ...parts,
    parse: (raw) => parseOpenEnded(raw),
    parseModes: ["open"],
    isCorrect: () => null,
  });
}

/** A located issue for a video the record names but that is not on disk (the sample is kept). */
export function videoNotFound(file: string, field: string, id: string | undefined, path: string): LoadIssue {
  return { file, field, id, message: `video not found: ${path}`, action: "kept" };
}
