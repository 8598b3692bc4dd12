// `kinema score motionbench`: upstream's construct_answer + compute_accuracy on a prediction file against
// video_info.meta.jsonl, with the lenient and lmms-eval extractors as named alternatives to polish_answer.
import { KinemaError } from "../../util/errors.ts";
import { extractLenient, extractLmmsEval, splitOptions } from "../parse.ts";
import { readRecords, readText } from "../prediction-files.ts";
import type { LoadIssue } from "../types.ts";
import { metaRows, parseJsonl } from "./load.ts";
import { computeAccuracy, constructAnswers } from "./official.ts";

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
