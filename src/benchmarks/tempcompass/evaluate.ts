// TempCompass's LLM judge protocol, shared by `kinema score tempcompass` and the judge inside a run
// (src/run/tempcompass-judging.ts): the scripts' main() over a predictions file ({video_id: {aspect: [{question,
// answer, prediction}]}}: rule match first, then — unless disabled — the judge for unmatched replies, every
// judge call's reply kept as "chatgpt-response"); get_eval_result's retry loops; which answered samples of a run
// need the judge (a reply no rule matches, every caption) with the exact user message upstream builds; the
// sampling settings sent; and a verdict's status and rating from a reply.
import { pyStrip } from "../parse.ts";
import type { SampleOutcome } from "../types.ts";
import { taskOf } from "./load.ts";
import {
  type CaptionVerdict,
  captionJudgeUserPrompt,
  type EvalEntry,
  type EvalResults,
  JUDGE_PARAMS,
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

type PredictionEntry = Predictions[string][string][number];

/** The reply of a predictions-file entry: "prediction", else "response" (the scripts accept either). */
const replyOf = (p: PredictionEntry) =>
  p.prediction === undefined && p.response !== undefined ? p.response : p.prediction;

/** A refused (null) reply: rated 0 with match_success false, as upstream, in both eval scripts. */
const refusedEntry = (p: PredictionEntry): EvalEntry => ({
  question: p.question,
  "gt-answer": p.answer,
  "video-llm-prediction": null,
  match_success: false,
  rating: 0,
});

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
        const pred = prepPrediction(replyOf(p) ?? null);
        if (pred === null) {
          list.push(refusedEntry(p));
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
        const pred = prepPrediction(replyOf(p) ?? null);
        if (pred === null) {
          list.push(refusedEntry(p));
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

/** What the judge is sent besides the messages: upstream's settings unless --judge-temperature/-max-tokens. */
export function tempCompassJudgeParams(o: { temperature?: number; maxTokens?: number; seed?: number }) {
  return {
    temperature: o.temperature ?? JUDGE_PARAMS.temperature,
    maxTokens: o.maxTokens ?? JUDGE_PARAMS.max_tokens,
    topP: JUDGE_PARAMS.top_p,
    presencePenalty: JUDGE_PARAMS.presence_penalty,
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  };
}

/** One sample the judge must rate: a reply no rule matched ("match"), or a caption ("captioning"). */
export interface TcJudgeItem {
  id: string;
  task: string;
  metric: "match" | "captioning";
  user: string;
  /** Captioning: the paired multi-choice answer. */
  gt: string;
}

/** The run's answered samples that need the judge, with the exact user message upstream builds. */
export function tempCompassJudgeItems(outcomes: readonly SampleOutcome[]): TcJudgeItem[] {
  const items: TcJudgeItem[] = [];
  for (const o of outcomes) {
    if (o.sample.scoring?.judge !== "tempcompass" || o.status === "failed" || o.raw === undefined) continue;
    const s = o.sample;
    const task = taskOf(s);
    const pred = prepPrediction(o.raw) ?? "";
    const question = String(s.labels?.question_text ?? s.question);
    if (task === "captioning")
      items.push({
        id: s.id,
        task,
        metric: "captioning",
        user: captionJudgeUserPrompt(pred, String(s.labels?.mc_question ?? "")),
        gt: s.answer,
      });
    else if (rule(task as TcTask, pred, question, s.answer) === "fail")
      items.push({
        id: s.id,
        task,
        metric: "match",
        user: judgeUserPrompt(task as TcTask, question, s.answer, pred),
        gt: s.answer,
      });
  }
  return items;
}

/** Status of a verdict from its rating inputs. */
export function tempCompassVerdict(item: TcJudgeItem, reply: string | null, tries: number) {
  if (item.metric === "captioning") {
    if (reply === null)
      return { status: "failed" as const, rating: -1, answer: null, reasoning: null, reply, tries };
    const v = parseCaptionJudge(reply, item.gt);
    return {
      status: v["chatgpt-answer"] === null ? ("unparsed" as const) : ("ok" as const),
      rating: v.rating,
      answer: v["chatgpt-answer"],
      reasoning: v["chatgpt-reasoning"],
      reply,
      tries,
    };
  }
  const r = reply === null ? null : llmOutputToRating(reply);
  return {
    status: reply === null ? ("failed" as const) : r === null ? ("unparsed" as const) : ("ok" as const),
    rating: r ?? 0,
    reply,
    tries,
  };
}
