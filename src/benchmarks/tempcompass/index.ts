// The TempCompass benchmark (multi-choice, yes/no, caption matching, captioning): load → prompt (the authors'
// inference cue) → parse (official rules) → summarize (print_result per task over rule and judge ratings).
// Replies no rule matches are `unparsed`; a run with --judge has the LLM judge rate them (and every caption,
// eval_captioning.py's two stages); the verdicts come back here as each sample's stored judge digest. Without
// a judge they are rated 0, the scripts' --disable_llm, and the summary says so.
import { defineBenchmark, type Summarizer, tallyOutcomes, unknownChoice } from "../define.ts";
import type { Parsed, PromptSpec, Sample, SampleOutcome } from "../types.ts";
import { loadTempCompass, taskOf } from "./load.ts";
import {
  ALL_TASKS,
  ANSWER_PROMPT,
  ASPECTS,
  type EvalResults,
  prepPrediction,
  printResult,
  rule,
  type TcTask,
} from "./official.ts";

export const PRESETS = ["official"] as const;
export const PARSE_MODES = ["official"] as const;

const questionText = (s: Sample) => String(s.labels?.question_text ?? s.question);

export function tempCompassPrompt(sample: Sample, preset: string = PRESETS[0]): PromptSpec {
  if (preset !== "official") throw unknownChoice("preset", "TempCompass prompt preset", preset, PRESETS);
  return { preset, text: `${questionText(sample)}${ANSWER_PROMPT[taskOf(sample)]}` };
}

/** The reply as scored ("</s>" removed, stripped); `ok` when a rule decides it (a caption is always an answer:
 *  the judge reads it). */
export function parseTempCompass(raw: string, sample: Sample, mode: string = PARSE_MODES[0]): Parsed {
  if (mode !== "official") throw unknownChoice("parse", "TempCompass parse mode", mode, PARSE_MODES);
  const pred = prepPrediction(raw) ?? "";
  const task = taskOf(sample);
  if (task === "captioning") return { answer: pred, ok: true };
  return { answer: pred, ok: rule(task, pred, questionText(sample), sample.answer) !== "fail" };
}

/** The rule's verdict; null for a caption (only the judge can rate it). */
export function isCorrectTempCompass(parsed: Parsed, sample: Sample): boolean | null {
  const task = taskOf(sample);
  if (task === "captioning") return null;
  return rule(task, parsed.answer, questionText(sample), sample.answer) === 1;
}

/** A sample's judge digest as the TempCompass judging stores it (src/run/tempcompass-judging.ts). */
interface TcDigest {
  rating: number;
  reply?: string | null;
  status?: string;
  answer?: string | null;
  reasoning?: string | null;
  judge?: Record<string, unknown>;
}
const digestOf = (o: SampleOutcome): TcDigest | null =>
  typeof o.judge?.rating === "number" ? (o.judge as unknown as TcDigest) : null;

/** What the summary tells about the judge: how many replies it rated, how many no rule matched and no judge
 *  rated (0, the scripts' --disable_llm), captions left unjudged. */
export interface TcJudgeCounts {
  rule_matched: number;
  rule_unmatched: number;
  judge_rated: number;
  judge_unparsed: number;
  judge_failed: number;
  unmatched_rated_0_without_judge: number;
  captions: number;
  captions_judged: number;
  captions_not_judged: number;
}

/** A run's answered samples as the scripts' eval_results per task: rule ratings, judge ratings where the judge
 *  rated (chatgpt-response kept), 0 for unmatched replies no judge rated; captions only once judged. */
export function evalResultsOf(outcomes: readonly SampleOutcome[]): {
  byTask: Map<string, EvalResults>;
  ratings: Map<string, number>;
  counts: TcJudgeCounts;
  judge: Record<string, unknown> | null;
} {
  const byTask = new Map<string, EvalResults>();
  const ratings = new Map<string, number>();
  const counts: TcJudgeCounts = {
    rule_matched: 0,
    rule_unmatched: 0,
    judge_rated: 0,
    judge_unparsed: 0,
    judge_failed: 0,
    unmatched_rated_0_without_judge: 0,
    captions: 0,
    captions_judged: 0,
    captions_not_judged: 0,
  };
  let judge: Record<string, unknown> | null = null;
  for (const o of outcomes) {
    if (o.status === "failed" || o.raw === undefined) continue;
    const s = o.sample;
    const task = taskOf(s);
    const pred = prepPrediction(o.raw) ?? "";
    const d = digestOf(o);
    if (d?.judge && !judge) judge = d.judge;
    const countJudge = () => {
      if (d?.status === "failed") counts.judge_failed++;
      else if (d?.status === "unparsed") counts.judge_unparsed++;
    };
    let entry: Record<string, unknown>;
    if (task === "captioning") {
      counts.captions++;
      if (!d) {
        counts.captions_not_judged++;
        continue;
      }
      counts.captions_judged++;
      countJudge();
      entry = {
        "chatgpt-reasoning": d.reasoning ?? null,
        "chatgpt-answer": d.answer ?? null,
        rating: d.rating,
        "video-llm-prediction": pred,
        "gt-answer": s.answer,
      };
    } else {
      const r = rule(task as TcTask, pred, questionText(s), s.answer);
      entry = {
        question: questionText(s),
        "gt-answer": s.answer,
        "video-llm-prediction": pred,
        match_success: r !== "fail",
        rating: r === 1 ? 1 : 0,
      };
      if (r !== "fail") counts.rule_matched++;
      else {
        counts.rule_unmatched++;
        if (d) {
          counts.judge_rated++;
          countJudge();
          entry["chatgpt-response"] = d.reply ?? null;
          entry.rating = d.rating;
        } else counts.unmatched_rated_0_without_judge++;
      }
    }
    ratings.set(s.id, entry.rating as number);
    const res = byTask.get(task) ?? {};
    byTask.set(task, res);
    ((res[String(s.labels?.video_id)] ??= {})[s.category] ??= []).push(entry as never);
  }
  return { byTask, ratings, counts, judge };
}

export const summarizeTempCompass: Summarizer = (outcomes, opts = {}) => {
  const meta: Record<string, { eval_dim: Record<string, { type: string }> }> = {};
  for (const o of outcomes) {
    const vid = String(o.sample.labels?.video_id);
    const fine = String(o.sample.labels?.fine_aspect ?? "");
    (meta[vid] ??= { eval_dim: {} }).eval_dim[o.sample.category] = { type: fine };
  }
  const ev = evalResultsOf(outcomes);
  // Failed samples and captions not judged yet have no rating.
  const tally = tallyOutcomes(outcomes, opts, ASPECTS, (o) => {
    const rating = ev.ratings.get(o.sample.id);
    return rating === undefined ? null : rating === 1;
  });
  const official: Record<string, unknown> = {
    disable_llm: ev.counts.judge_rated + ev.counts.captions_judged === 0,
    judge: ev.judge,
    judge_counts: ev.counts,
  };
  for (const task of ALL_TASKS) {
    const res = ev.byTask.get(task);
    if (!res) continue;
    const { result } = printResult(res, meta);
    official[task] = { ...result.aspects, fine: result.fine, match_success_rate: result.matchRate };
  }
  return { ...tally, official };
};

export const tempcompass = defineBenchmark({
  name: "tempcompass",
  defaultFrames: "uniform:8",
  defaultMaxTokens: 64,
  presets: PRESETS,
  parseModes: PARSE_MODES,
  load: (path, opts) => loadTempCompass(path, opts),
  prompt: tempCompassPrompt,
  parse: parseTempCompass,
  isCorrect: isCorrectTempCompass,
  summarize: summarizeTempCompass,
});
