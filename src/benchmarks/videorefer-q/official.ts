// Port of VideoRefer-Bench-Q's official scorer (DAMO-NLP-SG/VideoRefer eval_videorefer_bench_q.py),
// reimplemented from its behaviour: letter extraction, case-insensitive match, per-type and micro average.
import { KinemaError } from "../../util/errors.ts";
import { firstCodePoint } from "../parse.ts";
import type { LoadIssue } from "../types.ts";

/** Ground-truth letter: the first "(X)" in Answer (X in A–Z); the whole Answer when there is none. */
export function gtLetter(answer: string): string {
  const m = /\(([A-Z])\)/.exec(answer);
  return m ? m[1] : answer;
}

/**
 * Predicted letter: first "(X)", else first "X)", else the first code point of pred with every "." removed.
 * Upstream raises IndexError when that leaves nothing; here the result is "" (never equal to a letter).
 */
export function predLetter(pred: string): string {
  const paren = /\(([A-Z])\)/.exec(pred);
  if (paren) return paren[1];
  const close = /([A-Z])\)/.exec(pred);
  if (close) return close[1];
  return firstCodePoint(pred.split(".").join(""));
}

/** Upstream compares with Python's lower(); JS toLowerCase() agrees on letters and single code points. */
export function isRight(pred: string, answer: string): boolean {
  return predLetter(pred).toLowerCase() === gtLetter(answer).toLowerCase();
}

export interface TypeScore {
  n: number;
  right: number;
  acc: number;
}

export interface VideoReferQScore {
  /** Per question type, in the order types first appear (as upstream prints them). */
  types: Record<string, TypeScore>;
  /** Micro average over all questions (the paper's "Average"), not the mean of the type scores. */
  average: TypeScore;
}

export interface PredRecord {
  Answer?: unknown;
  pred?: unknown;
  type?: unknown;
}

/**
 * Scores upstream prediction records ({Answer, pred, type} per line). Records upstream would crash on
 * (missing field, non-string pred, nothing left of pred) are reported; an unusable pred counts as wrong,
 * a record without Answer or type is skipped.
 */
export function scoreVideoReferQ(
  records: readonly { rec: PredRecord; line: number }[],
  file = "",
): { score: VideoReferQScore; issues: LoadIssue[] } {
  const issues: LoadIssue[] = [];
  const types: Record<string, TypeScore> = {};
  let n = 0;
  let right = 0;
  for (const { rec, line } of records) {
    if (typeof rec.Answer !== "string") {
      issues.push({ file, line, field: "Answer", message: "missing or not a string", action: "skipped" });
      continue;
    }
    if (rec.type === undefined) {
      issues.push({ file, line, field: "type", message: "missing", action: "skipped" });
      continue;
    }
    let pred = "";
    if (typeof rec.pred !== "string")
      issues.push({
        file,
        line,
        field: "pred",
        message: "missing or not a string (upstream crashes); counted wrong",
        action: "kept",
      });
    else if (predLetter(rec.pred) === "") {
      issues.push({
        file,
        line,
        field: "pred",
        message: "empty after removing '.' (upstream IndexError); counted wrong",
        action: "kept",
      });
    } else pred = rec.pred;
    const type = rec.type === null ? "None" : String(rec.type);
    const t = (types[type] ??= { n: 0, right: 0, acc: 0 });
    const ok = pred !== "" && isRight(pred, rec.Answer);
    t.n++;
    n++;
    if (ok) {
      t.right++;
      right++;
    }
  }
  if (n === 0)
    throw new KinemaError("bad_input", "no scorable prediction records (upstream divides by zero)", { file });
  for (const t of Object.values(types)) t.acc = t.right / t.n;
  return { score: { types, average: { n, right, acc: right / n } }, issues };
}
