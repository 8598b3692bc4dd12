// `kinema score motionbench|videorefer-q`: the official scorers on prediction files, printing exactly the
// upstream result (--json) or a readable table. Problems in the files are reported, never fatal per line.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { metaRows, parseJsonl } from "../../benchmarks/motionbench/load.ts";
import { computeAccuracy, constructAnswers } from "../../benchmarks/motionbench/official.ts";
import { extractLenient, extractLmmsEval, splitOptions } from "../../benchmarks/parse.ts";
import type { LoadIssue } from "../../benchmarks/types.ts";
import { scoreVideoReferQ, type VideoReferQScore } from "../../benchmarks/videorefer-q/official.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText, textTable } from "../output.ts";

function readText(file: string, field: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new KinemaError("not_found", `cannot read ${file}: ${(e as Error).message}`, { file, field });
  }
}

/** A prediction file: one JSON object/array, or JSONL of objects (upstream's answer file format). */
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

export const PARSE_MODES = ["official", "lenient", "lmms-eval"] as const;
export type ScoreParseMode = (typeof PARSE_MODES)[number];

export interface MotionBenchScore {
  /** Exactly the upstream compute_accuracy result: each category, acc, answered_acc, totals. */
  result: Record<string, number>;
  issues: LoadIssue[];
}

/**
 * Scores a MotionBench prediction file against the meta file like upstream's construct_answer +
 * compute_accuracy. `lenient`/`lmms-eval` replace polish_answer by those extractors (options from the meta).
 */
export function scoreMotionBenchFiles(opts: {
  meta: string;
  pred: string;
  parse?: string;
}): MotionBenchScore {
  const mode = opts.parse ?? "official";
  if (!(PARSE_MODES as readonly string[]).includes(mode))
    throw new KinemaError("bad_spec", `--parse must be one of ${PARSE_MODES.join(", ")}, got "${mode}"`, {
      field: "parse",
    });
  const meta = parseJsonl(readText(opts.meta, "meta"), opts.meta);
  const { rows, issues: rowIssues } = metaRows(meta.lines, opts.meta);
  const optionsByUid = new Map<string, string[]>();
  if (mode === "lenient")
    for (const { value } of meta.lines)
      for (const qa of Array.isArray(value.qa) ? value.qa : [])
        if (qa && typeof qa.question === "string")
          optionsByUid.set(
            String(qa.uid),
            splitOptions(qa.question).options.map((o) => o.text),
          );
  const pred = readRecords(opts.pred);
  const polish =
    mode === "lenient"
      ? (raw: string, uid: string) => extractLenient(raw, optionsByUid.get(uid) ?? [])
      : mode === "lmms-eval"
        ? (raw: string) => extractLmmsEval(raw)
        : undefined;
  const { answers, issues } = constructAnswers(pred.records, opts.pred, polish);
  const all = [...meta.issues, ...rowIssues, ...pred.issues, ...issues];
  try {
    return { result: computeAccuracy(answers, rows), issues: all };
  } catch (e) {
    // the problems found on the way explain the failure: they travel with it and are printed first
    if (e instanceof KinemaError) throw new KinemaError(e.code, e.message, { ...e.fields, issues: all });
    throw e;
  }
}

/** Scores upstream VideoRefer-Bench-Q prediction JSONL ({Answer, pred, type} per line). */
export function scoreVideoReferFiles(opts: { pred: string }): {
  result: VideoReferQScore;
  issues: LoadIssue[];
} {
  const { records, issues } = readRecords(opts.pred);
  const { score, issues: more } = scoreVideoReferQ(
    records.map((r) => ({ rec: r.obj, line: r.line })),
    opts.pred,
  );
  return { result: score, issues: [...issues, ...more] };
}

const pct = (x: number) => (x * 100).toFixed(2);

function warn(issues: LoadIssue[]): void {
  for (const i of issues.slice(0, 20))
    process.stderr.write(
      `kinema: warning: ${[i.file, i.line].filter((x) => x !== undefined).join(":")}: ${i.field ? `${i.field}: ` : ""}${i.message}\n`,
    );
  if (issues.length > 20)
    process.stderr.write(`kinema: warning: ... and ${issues.length - 20} more problems\n`);
}

export function register(program: Command): void {
  const score = program.command("score").description("official scorers on prediction files");
  score
    .command("motionbench")
    .description("MotionBench compute_accuracy on {uid: answer} predictions (JSON or upstream JSONL)")
    .requiredOption("--meta <file>", "video_info.meta.jsonl")
    .requiredOption("--pred <file>", "predictions: JSON {uid: raw} or JSONL of {uid: raw} lines")
    .option("--parse <mode>", `answer parsing: ${PARSE_MODES.join(" | ")}`, "official")
    .option("--json", "print exactly the upstream result object")
    .action((o: { meta: string; pred: string; parse: string; json?: boolean }) => {
      let scored: MotionBenchScore;
      try {
        scored = scoreMotionBenchFiles(o);
      } catch (e) {
        if (e instanceof KinemaError && Array.isArray(e.fields.issues)) warn(e.fields.issues as LoadIssue[]);
        throw e;
      }
      const { result, issues } = scored;
      warn(issues);
      if (o.json) return printJson(result);
      const rows: (string | number)[][] = [["", "accuracy"]];
      for (const [k, v] of Object.entries(result))
        rows.push([k, k.startsWith("total") || k === "right_num" ? v : pct(v)]);
      printText(textTable(rows));
    });
  score
    .command("videorefer-q")
    .description("VideoRefer-Bench-Q scorer on upstream prediction JSONL (Answer, pred, type)")
    .requiredOption("--pred <file>", "predictions JSONL")
    .option("--json", 'print {"types": {type: {n, right, acc}}, "average": {n, right, acc}}')
    .action((o: { pred: string; json?: boolean }) => {
      const { result, issues } = scoreVideoReferFiles(o);
      warn(issues);
      if (o.json) return printJson(result);
      const rows: (string | number)[][] = [["type", "n", "right", "accuracy"]];
      for (const [t, s] of Object.entries(result.types)) rows.push([t, s.n, s.right, pct(s.acc)]);
      rows.push(["Average", result.average.n, result.average.right, pct(result.average.acc)]);
      printText(textTable(rows));
    });
}
