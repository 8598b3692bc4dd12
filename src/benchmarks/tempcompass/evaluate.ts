// TempCompass's main() of each eval script over a predictions file ({video_id: {aspect: [{question, answer,
// prediction}]}}): rule match first, then — unless disabled — the judge for unmatched replies, with every
// judge call's reply kept ("chatgpt-response") and the judge recorded by the caller.
import { pyStrip } from "../parse.ts";
import {
  type CaptionVerdict,
  captionJudgeUserPrompt,
  type EvalEntry,
  type EvalResults,
  judgeUserPrompt,
  llmOutputToRating,
  parseCaptionJudge,
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

/** Upstream's maxtry=10: a first try and ten more. */
export const OFFICIAL_TRIES = 11;

export interface RuleJudgeResult {
  /** The last reply received (upstream's llm_output: a later failed call does not clear it), or null. */
  reply: string | null;
  rating: 0 | 1;
  tries: number;
  /** Whether a reply held "Correct"/"Incorrect" (else the rating is upstream's fallback 0). */
  parsed: boolean;
}

/** utils/eval_utils.py get_eval_result: a failed call or a reply with neither word is a try; up to `tries`
 *  tries, then (last reply, 0). Replies are stripped as get_llm_output strips them. */
export async function askRuleJudge(
  judge: JudgeCall,
  user: string,
  tries: number = OFFICIAL_TRIES,
): Promise<RuleJudgeResult> {
  let reply: string | null = null;
  for (let t = 1; t <= tries; t++) {
    const got = await judge(user);
    if (got === null) continue;
    reply = pyStrip(got);
    const r = llmOutputToRating(reply);
    if (r !== null) return { reply, rating: r, tries: t, parsed: true };
  }
  return { reply, rating: 0, tries, parsed: false };
}

export interface CaptionJudgeResult extends CaptionVerdict {
  reply: string | null;
  tries: number;
}

/** eval_captioning.py get_eval_result: only a failed call is tried again (up to `tries`, then rating -1); the
 *  first reply is final, parsed by parse_llm_output (an empty one is -1). */
export async function askCaptionJudge(
  judge: JudgeCall,
  user: string,
  gtAnswer: string,
  tries: number = OFFICIAL_TRIES,
): Promise<CaptionJudgeResult> {
  for (let t = 1; t <= tries; t++) {
    const got = await judge(user);
    if (got === null) continue;
    const reply = pyStrip(got);
    return { ...parseCaptionJudge(reply, gtAnswer), reply, tries: t };
  }
  return { rating: -1, "chatgpt-answer": null, "chatgpt-reasoning": null, reply: null, tries };
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
          const j = await askRuleJudge(judge, judgeUserPrompt(task, p.question, p.answer, pred));
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

/** One captioning eval_results entry as eval_captioning.py writes it (no "question", no match_success). */
export type CaptionEntry = CaptionVerdict & { "video-llm-prediction": string | null; "gt-answer": string };

/**
 * eval_captioning.py main(): each caption goes to the judge with the video's first multi-choice question of
 * the same aspect (questions/multi-choice.json) and that question's answer as ground truth. A refused
 * caption (null) is rated 0 with match_success false, as upstream. An aspect with no multi-choice question
 * (upstream KeyError) is listed in `problems` and left out. No model-specific caption clean-up (upstream
 * applies process_gemini_caption / process_reka_caption by model name).
 */
export async function evaluateCaptioning(
  predictions: Predictions,
  mcQuestions: Record<string, Record<string, { question: string; answer: string }[]>>,
  judge: JudgeCall,
): Promise<{ evalResults: Record<string, Record<string, unknown[]>>; problems: string[] }> {
  const out: Record<string, Record<string, unknown[]>> = {};
  const problems: string[] = [];
  for (const [id, dims] of Object.entries(predictions)) {
    out[id] ??= {};
    for (const [dim, preds] of Object.entries(dims)) {
      const mc = mcQuestions[id]?.[dim]?.[0];
      if (!mc) {
        problems.push(`${id}.${dim}: no multi-choice question to pair with (upstream KeyError); left out`);
        continue;
      }
      const list: unknown[] = [];
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
        const j = await askCaptionJudge(judge, captionJudgeUserPrompt(pred, mc.question), mc.answer);
        const e: CaptionEntry = {
          "chatgpt-reasoning": j["chatgpt-reasoning"],
          "chatgpt-answer": j["chatgpt-answer"],
          rating: j.rating,
          "video-llm-prediction": pred,
          "gt-answer": mc.answer,
        };
        list.push(e);
      }
      out[id][dim] = list;
    }
  }
  return { evalResults: out, problems };
}
