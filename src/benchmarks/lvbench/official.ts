// LVBench's official scorer (THUDM/LVBench: lvbench/metrics/compute_accuracy.py), reimplemented. Answers are
// polished with polish_answer (lvbench/utils/answer_util.py, the same rule as MotionBench's: reused).
import { KinemaError } from "../../util/errors.ts";
import { CategoryTally } from "../stats.ts";

export { polishAnswer } from "../motionbench/official.ts";

/** One QA as compute_accuracy reads it. */
export interface LvQa {
  uid: string;
  answer: unknown;
  questionTypes: string[];
}

/**
 * compute_accuracy: over the QAs whose uid was answered, each question type of the QA gets a total and, on an
 * exact match, a right; acc = right / answered (unanswered QAs are not in the denominator). Keys: question
 * types in first-met order, then "acc".
 */
export function computeAccuracyLv(
  answers: ReadonlyMap<string, unknown>,
  qas: readonly LvQa[],
): Record<string, number> {
  let total = 0;
  let right = 0;
  const byType = new CategoryTally();
  for (const qa of qas) {
    if (!answers.has(qa.uid)) continue;
    const ok = answers.get(qa.uid) === qa.answer;
    for (const c of qa.questionTypes) byType.add(c, ok);
    if (ok) right++;
    total++;
  }
  if (total === 0)
    throw new KinemaError("bad_input", "no answer matches a question uid (upstream divides by zero)");
  const out = byType.accuracies();
  out.acc = right / total;
  return out;
}

/** test_acc.py's names for the leaderboard's result.json. */
export const LEADERBOARD_NAMES: Record<string, string> = {
  "key information retrieval": "KIR",
  "event understanding": "EU",
  summarization: "Sum",
  "entity recognition": "ER",
  reasoning: "Rea",
  "temporal grounding": "TG",
  acc: "Overall",
};
