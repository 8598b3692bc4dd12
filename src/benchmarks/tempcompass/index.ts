// The TempCompass benchmark (multi-choice, yes/no, caption matching): load → prompt (the authors' inference cue)
// → parse (official rules) → summarize (print_result per task). Replies no rule matches are `unparsed` and rated
// 0 in the run (the scripts' --disable_llm); `kinema score tempcompass --judge SPEC` adds the LLM judge.
import { KinemaError } from "../../util/errors.ts";
import { hashPrompt } from "../parse.ts";
import { accuracyByCategory, type ScoredItem } from "../stats.ts";
import type {
  Benchmark,
  Parsed,
  PromptSpec,
  RunSummary,
  Sample,
  SampleOutcome,
  SummaryOptions,
} from "../types.ts";
import { loadTempCompass, taskOf } from "./load.ts";
import { ANSWER_PROMPT, ASPECTS, type EvalResults, prepPrediction, printResult, rule } from "./official.ts";

export const PRESETS = ["official"] as const;
export const PARSE_MODES = ["official"] as const;

const questionText = (s: Sample) => String(s.labels?.question_text ?? s.question);

export function tempCompassPrompt(sample: Sample, preset: string = PRESETS[0]): PromptSpec {
  if (preset !== "official")
    throw new KinemaError("bad_spec", `unknown TempCompass prompt preset "${preset}" (known: official)`, {
      field: "preset",
    });
  return { preset, text: `${questionText(sample)}${ANSWER_PROMPT[taskOf(sample)]}` };
}

/** The reply as scored ("</s>" removed, stripped); `ok` when a rule decides it. */
export function parseTempCompass(raw: string, sample: Sample, mode: string = PARSE_MODES[0]): Parsed {
  if (mode !== "official")
    throw new KinemaError("bad_spec", `unknown TempCompass parse mode "${mode}" (known: official)`, {
      field: "parse",
    });
  const pred = prepPrediction(raw) ?? "";
  return { answer: pred, ok: rule(taskOf(sample), pred, questionText(sample), sample.answer) !== "fail" };
}

export function isCorrectTempCompass(parsed: Parsed, sample: Sample): boolean {
  return rule(taskOf(sample), parsed.answer, questionText(sample), sample.answer) === 1;
}

/** A run's answered samples as the scripts' eval_results (rule-only), per task. */
export function evalResultsOf(outcomes: readonly SampleOutcome[]): Map<string, EvalResults> {
  const byTask = new Map<string, EvalResults>();
  for (const o of outcomes) {
    if (o.status === "failed" || o.raw === undefined) continue;
    const s = o.sample;
    const task = taskOf(s);
    const pred = prepPrediction(o.raw) ?? "";
    const r = rule(task, pred, questionText(s), s.answer);
    const res = byTask.get(task) ?? {};
    byTask.set(task, res);
    const vid = String(s.labels?.video_id);
    const dim = s.category;
    ((res[vid] ??= {})[dim] ??= []).push({
      question: questionText(s),
      "gt-answer": s.answer,
      "video-llm-prediction": pred,
      match_success: r !== "fail",
      rating: r === 1 ? 1 : 0,
    });
  }
  return byTask;
}

export function summarizeTempCompass(
  outcomes: readonly SampleOutcome[],
  opts: SummaryOptions = {},
): RunSummary {
  const boot = { resamples: opts.resamples ?? 2000, seed: opts.seed ?? 0 };
  const counts = { total: outcomes.length, ok: 0, failed: 0, unparsed: 0, scored: 0, noGroundTruth: 0 };
  const items: ScoredItem[] = [];
  const meta: Record<string, { eval_dim: Record<string, { type: string }> }> = {};
  for (const o of outcomes) {
    counts[o.status]++;
    const vid = String(o.sample.labels?.video_id);
    const fine = String(o.sample.labels?.fine_aspect ?? "");
    (meta[vid] ??= { eval_dim: {} }).eval_dim[o.sample.category] = { type: fine };
    if (o.status === "failed" || o.raw === undefined) continue;
    counts.scored++;
    items.push({
      cluster: o.sample.videoId,
      category: o.sample.category,
      correct: isCorrectTempCompass(parseTempCompass(o.raw, o.sample), o.sample),
    });
  }
  const { overall, categories } = accuracyByCategory(items, ASPECTS, boot);
  const official: Record<string, unknown> = { disable_llm: true };
  for (const [task, res] of evalResultsOf(outcomes)) {
    const { result } = printResult(res, meta);
    official[task] = { ...result.aspects, fine: result.fine, match_success_rate: result.matchRate };
  }
  return { overall, categories, counts, official };
}

export const tempcompass: Benchmark = {
  name: "tempcompass",
  defaultFrames: "uniform:8",
  defaultMaxTokens: 64,
  presets: [...PRESETS],
  parseModes: [...PARSE_MODES],
  load: (path, opts) => loadTempCompass(path, opts),
  prompt: tempCompassPrompt,
  promptHash: (sample, preset) => hashPrompt(tempCompassPrompt(sample, preset)),
  parse: parseTempCompass,
  isCorrect: isCorrectTempCompass,
  summarize: summarizeTempCompass,
};
