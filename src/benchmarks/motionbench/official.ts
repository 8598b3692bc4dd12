// Port of MotionBench's official scorer (zai-org/MotionBench: utils/answer_util.py and
// metrics/compute_accuracy.py), reimplemented from its behaviour with Python str semantics.
import { KinemaError } from "../../util/errors.ts";
import { firstCodePoint, pyStrip } from "../parse.ts";
import { CategoryTally } from "../stats.ts";
import type { LoadIssue } from "../types.ts";

/**
 * polish_answer: strip; keep what precedes the first ")"; strip; if a "(" remains keep what follows the
 * first "(" (stripped); keep what precedes the first ASCII space; return its first code point.
 * No case folding: "b" stays "b"; "The answer is B" gives "T".
 */
export function polishAnswer(raw: string): string {
  let a = pyStrip(raw);
  a = pyStrip(a.split(")")[0]);
  if (a.includes("(")) a = pyStrip(a.split("(")[1]);
  a = a.split(" ")[0];
  return firstCodePoint(a);
}

/** get_better_one: when a uid repeats, keep the old (already polished) answer if it holds any of A–D. */
export function getBetterOne(answer: string, oldAnswer: string): string {
  if (oldAnswer === "") return answer;
  for (const l of ["A", "B", "C", "D"]) if (oldAnswer.includes(l)) return oldAnswer;
  return answer;
}

export interface ConstructedAnswers {
  answers: Map<string, string>;
  issues: LoadIssue[];
}

/**
 * construct_answer over already-parsed records ({uid: raw} each, in file order): null → "", strip,
 * duplicates resolved by getBetterOne, then `polish` (polishAnswer for the official mode).
 * Non-string answers crash upstream; here they are reported and the record is ignored.
 */
export function constructAnswers(
  records: { obj: Record<string, unknown>; line: number }[],
  file: string,
  polish: (raw: string, uid: string) => string = polishAnswer,
): ConstructedAnswers {
  const answers = new Map<string, string>();
  const issues: LoadIssue[] = [];
  for (const { obj, line } of records) {
    for (const [uid, value] of Object.entries(obj)) {
      if (value !== null && typeof value !== "string") {
        issues.push({
          file,
          line,
          field: uid,
          id: uid,
          message: `answer is ${typeof value}, expected a string or null`,
          action: "skipped",
        });
        continue;
      }
      let answer = pyStrip(value ?? "");
      const old = answers.get(uid);
      if (old !== undefined) answer = getBetterOne(answer, old);
      answers.set(uid, polish(answer, uid));
    }
  }
  return { answers, issues };
}

/** One meta line as compute_accuracy sees it. */
export interface MetaRow {
  questionType: unknown;
  qa: { uid: string; answer: unknown }[];
}

/**
 * compute_accuracy. For each QA whose uid was answered: total_answered_num += 1, and a test question
 * (answer "NA") `continue`s at once, so it is NOT added to total_qa_num; a dev question adds to its
 * category and to right_num on exact string match. Every QA that does not `continue` adds 1 to
 * total_qa_num — so total_qa_num = dev questions + UNANSWERED test questions. Categories only see
 * answered dev questions. Key order is Python's dict order: categories as first met, then the totals.
 * Divergence: upstream raises TypeError on a line with 2+ answered QAs (it re-wraps question_type in a
 * list each time); here each QA simply counts under the line's question_type.
 */
export function computeAccuracy(
  answers: ReadonlyMap<string, unknown>,
  rows: readonly MetaRow[],
): Record<string, number> {
  let totalQa = 0;
  let totalAnswered = 0;
  let right = 0;
  const byCategory = new CategoryTally();
  for (const row of rows) {
    for (const qa of row.qa) {
      if (answers.has(qa.uid)) {
        totalAnswered++;
        if (qa.answer === "NA") continue;
        const ok = answers.get(qa.uid) === qa.answer;
        // Python would key a dict by the raw value; json.dump writes None as "null".
        byCategory.add(row.questionType === null ? "null" : String(row.questionType), ok);
        if (ok) right++;
      }
      totalQa++;
    }
  }
  if (totalQa === 0 || totalAnswered === 0)
    throw new KinemaError(
      "bad_input",
      totalQa === 0
        ? "the meta file has no questions"
        : "no prediction matches a question uid (upstream divides by zero)",
    );
  const out = byCategory.accuracies();
  out.acc = right / totalQa;
  out.answered_acc = right / totalAnswered;
  out.total_qa_num = totalQa;
  out.total_answered_num = totalAnswered;
  out.right_num = right;
  return out;
}

/** The upstream result keys besides the categories, in upstream order. */
export const OFFICIAL_TOTAL_KEYS = [
  "acc",
  "answered_acc",
  "total_qa_num",
  "total_answered_num",
  "right_num",
] as const;
