// `kinema score perception-test`: top-1 accuracy of a challenge-format result file ({video_id: [{id,
// answer_id}]}) against the annotations (mc_question_valid.json), per area, reasoning type and tag.
import { readFileSync } from "node:fs";
import { KinemaError } from "../../util/errors.ts";
import type { LoadIssue } from "../types.ts";
import { readPerceptionTest, resolveAnnotations } from "./load.ts";
import { scoreSubmission } from "./official.ts";

export function scorePerceptionTestFiles(o: { annotations: string; pred: string }) {
  const { questions, issues } = readPerceptionTest(resolveAnnotations(o.annotations), []);
  const more: LoadIssue[] = [...issues];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(o.pred, "utf8"));
  } catch (e) {
    throw new KinemaError("bad_input", `cannot read ${o.pred}: ${(e as Error).message}`, {
      file: o.pred,
      field: "pred",
    });
  }
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new KinemaError("bad_input", "expected {video_id: [{id, answer_id}]}", { file: o.pred });
  const answers = new Map<string, number>();
  for (const [vid, list] of Object.entries(data as Record<string, unknown>)) {
    if (!Array.isArray(list)) {
      more.push({ file: o.pred, field: vid, message: "not a list of {id, answer_id}", action: "skipped" });
      continue;
    }
    list.forEach((a: Record<string, unknown>, j: number) => {
      if (a?.id === undefined || typeof a.answer_id !== "number")
        more.push({
          file: o.pred,
          field: `${vid}[${j}]`,
          message: "needs id and a numeric answer_id",
          action: "skipped",
        });
      else answers.set(`${vid}/${a.id}`, a.answer_id);
    });
  }
  return { result: scoreSubmission(questions, answers), issues: more };
}
