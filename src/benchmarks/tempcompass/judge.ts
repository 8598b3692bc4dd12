// What TempCompass's LLM judge is asked and how its reply becomes a verdict, shared by the judge inside a run
// (src/run/tempcompass-judging.ts) and `kinema score tempcompass` (file-judge.ts): which answered samples need
// it (a reply no rule matches, every caption) with the exact user message upstream builds, the sampling
// settings sent, and the verdict's status and rating from a reply.
import type { SampleOutcome } from "../types.ts";
import { taskOf } from "./load.ts";
import {
  captionJudgeUserPrompt,
  JUDGE_PARAMS,
  judgeUserPrompt,
  llmOutputToRating,
  parseCaptionJudge,
  prepPrediction,
  rule,
  type TcTask,
} from "./official.ts";

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
