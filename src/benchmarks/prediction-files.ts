// Reading the prediction files the `kinema score` scorers take: the text with a located error, and records
// from one JSON document (object or list) or JSONL (upstream's answer-file format), problems per line.
import { readFileSync } from "node:fs";
import { KinemaError } from "../util/errors.ts";
import { parseJsonl } from "./motionbench/load.ts";
import type { LoadIssue } from "./types.ts";

/** A file's text; an unreadable file is a not_found error naming it and the flag it came from. */
export function readText(file: string, field: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new KinemaError("not_found", `cannot read ${file}: ${(e as Error).message}`, { file, field });
  }
}

export /** A prediction file: one JSON object/array, or JSONL of objects (upstream's answer file format). */
function readRecords(file: string): {
  records: { obj: Record<string, unknown>; line: number }[];
  issues: LoadIssue[];
} {
  const text = readText(file, "pred");
  try {
    // one JSON document (a kinema extension); upstream's JSONL is read as jsonlines reads it (below)
    const whole: unknown = JSON.parse(text.startsWith("\ufeff") ? text.slice(1) : text);
    const list = Array.isArray(whole) ? whole : [whole];
    const records: { obj: Record<string, unknown>; line: number }[] = [];
    const issues: LoadIssue[] = [];
    list.forEach((obj, i) => {
      if (obj && typeof obj === "object" && !Array.isArray(obj)) records.push({ obj, line: i + 1 });
      else issues.push({ file, line: i + 1, message: "not a JSON object", action: "skipped" });
    });
    return { records, issues };
  } catch {
    const { lines, issues } = parseJsonl(text, file);
    return { records: lines.map((l) => ({ obj: l.value, line: l.line })), issues };
  }
}
