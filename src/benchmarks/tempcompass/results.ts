// `kinema score tempcompass`: one task's predictions file ({video_id: {aspect: [{question, answer,
// prediction}]}}, as the authors' inference writes it) through the official rules and, with a judge, the LLM
// judge for unmatched replies; print_result's numbers against meta_info.json.
import { readFileSync } from "node:fs";
import { KinemaError } from "../../util/errors.ts";
import { evaluatePredictions, type JudgeCall, type Predictions } from "./evaluate.ts";
import { type EvalResults, printResult, TASKS, type TcTask } from "./official.ts";

function readJsonFile(file: string, field: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new KinemaError("bad_input", `cannot read ${file}: ${(e as Error).message}`, { file, field });
  }
}

export async function scoreTempCompassFile(o: {
  task: string;
  pred: string;
  meta: string;
  judge?: JudgeCall;
}) {
  if (!(TASKS as readonly string[]).includes(o.task))
    throw new KinemaError(
      "bad_spec",
      `--task must be one of ${TASKS.join(", ")} (captioning is not supported), got "${o.task}"`,
      { field: "task" },
    );
  const preds = readJsonFile(o.pred, "pred") as Predictions;
  if (!preds || typeof preds !== "object" || Array.isArray(preds))
    throw new KinemaError("bad_input", "expected {video_id: {aspect: [{question, answer, prediction}]}}", {
      file: o.pred,
    });
  const meta = readJsonFile(o.meta, "meta") as Record<
    string,
    { eval_dim?: Record<string, { type?: string } | null> }
  >;
  const evalResults: EvalResults = await evaluatePredictions(o.task as TcTask, preds, o.judge);
  const { result, text, problems } = printResult(evalResults, meta);
  return { evalResults, result, text, problems };
}
