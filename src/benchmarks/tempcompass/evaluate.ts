// TempCompass's main() of each eval script over a predictions file ({video_id: {aspect: [{question, answer,
// prediction}]}}): rule match first, then — unless disabled — the judge for unmatched replies, with every
// judge call's reply kept ("chatgpt-response") and the judge recorded by the caller.
import {
  type EvalEntry,
  type EvalResults,
  judgeUserPrompt,
  llmOutputToRating,
  prepPrediction,
  rule,
  type TcTask,
} from "./official.ts";

/** Asks the judge once; the reply text, or null when the call failed. */
export type JudgeCall = (user: string) => Promise<string | null>;

export type Predictions = Record<
  string,
  Record<string, { question: string; answer: string; prediction?: string | null; response?: string | null }[]>
>;

/** get_eval_result: up to 11 tries until the reply holds "Correct"/"Incorrect"; then (last reply, 0). */
async function judgeRating(
  judge: JudgeCall,
  user: string,
): Promise<{ reply: string | null; rating: number; tries: number }> {
  let reply: string | null = null;
  for (let tries = 1; tries <= 11; tries++) {
    reply = await judge(user);
    const r = reply === null ? null : llmOutputToRating(reply);
    if (r !== null) return { reply, rating: r, tries };
  }
  return { reply, rating: 0, tries: 11 };
}

export async function evaluatePredictions(
  task: TcTask,
  predictions: Predictions,
  judge?: JudgeCall,
): Promise<EvalResults> {
  const out: EvalResults = {};
  for (const [id, dims] of Object.entries(predictions)) {
    out[id] ??= {};
    for (const [dim, preds] of Object.entries(dims)) {
      const list: EvalEntry[] = [];
      for (const p of preds) {
        const raw = p.prediction === undefined && p.response !== undefined ? p.response : p.prediction;
        const pred = prepPrediction(raw ?? null);
        if (pred === null) {
          list.push({
            question: p.question,
            "gt-answer": p.answer,
            "video-llm-prediction": null,
            match_success: false,
            rating: 0,
          });
          continue;
        }
        const e: EvalEntry = {
          question: p.question,
          "gt-answer": p.answer,
          "video-llm-prediction": pred,
          match_success: true,
          rating: 0,
        };
        const r = rule(task, pred, p.question, p.answer);
        if (r !== "fail") e.rating = r;
        else if (!judge) e.match_success = false;
        else {
          e.match_success = false;
          const j = await judgeRating(judge, judgeUserPrompt(task, p.question, p.answer, pred));
          e["chatgpt-response"] = j.reply;
          e.rating = j.rating;
        }
        list.push(e);
      }
      out[id][dim] = list;
    }
  }
  return out;
}
