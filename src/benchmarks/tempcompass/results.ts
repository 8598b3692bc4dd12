// `kinema score tempcompass`: one task's predictions file ({video_id: {aspect: [{question, answer,
// prediction}]}}, as the authors' inference writes it) through the official rules and, with a judge, the LLM
// judge for unmatched replies (captioning: eval_captioning.py's judge for every caption, required);
// print_result's numbers against meta_info.json.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { KinemaError } from "../../util/errors.ts";
import { evaluateCaptioning, evaluatePredictions, type JudgeCall, type Predictions } from "./evaluate.ts";
import { ALL_TASKS, type EvalResults, printResult, type TcTask } from "./official.ts";

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
  /** Captioning: questions/multi-choice.json (the questions the captions are judged against). */
  mcQuestions?: string;
}) {
  if (!(ALL_TASKS as readonly string[]).includes(o.task))
    throw new KinemaError("bad_spec", `--task must be one of ${ALL_TASKS.join(", ")}, got "${o.task}"`, {
      field: "task",
    });
  if (o.task === "captioning" && !o.judge)
    throw new KinemaError(
      "bad_spec",
      "captioning is scored by eval_captioning.py's LLM judge (the caption answers the multi-choice question): give --judge SPEC",
      { field: "judge" },
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
  if (o.task === "captioning") {
    const file = o.mcQuestions ?? join(dirname(o.meta), "questions", "multi-choice.json");
    const mc = readJsonFile(file, "mc-questions") as Parameters<typeof evaluateCaptioning>[1];
    const c = await evaluateCaptioning(preds, mc, o.judge!);
    const p = printResult(c.evalResults as EvalResults, meta);
    return {
      evalResults: c.evalResults,
      result: p.result,
      text: p.text,
      problems: [...c.problems, ...p.problems],
    };
  }
  const evalResults: EvalResults = await evaluatePredictions(o.task as TcTask, preds, o.judge);
  const { result, text, problems } = printResult(evalResults, meta);
  return { evalResults, result, text, problems };
}
