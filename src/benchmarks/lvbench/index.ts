// The LVBench benchmark: load → prompt (lmms-eval; LVBench publishes none) → parse (official polish_answer |
// lenient) → summarize (accuracy per question type over multi-label QAs; compute_accuracy's own result).
import { KinemaError } from "../../util/errors.ts";
import { extractLenient, hashPrompt } from "../parse.ts";
import { accuracyByCategory, clusterBootstrap, type ScoredItem } from "../stats.ts";
import type {
  Benchmark,
  Parsed,
  PromptSpec,
  RunSummary,
  Sample,
  SampleOutcome,
  SummaryOptions,
} from "../types.ts";
import { loadLvbench } from "./load.ts";
import { computeAccuracyLv, polishAnswer } from "./official.ts";

export const PRESETS = ["lmms-eval"] as const;
export const PARSE_MODES = ["official", "lenient"] as const;
/** The question types in the paper's order. */
export const CATEGORIES = [
  "entity recognition",
  "event understanding",
  "key information retrieval",
  "temporal grounding",
  "reasoning",
  "summarization",
];
/** lmms-eval's lvbench.yaml post_prompt (no final period: the yaml's value overrides utils.py's default). */
export const LMMS_POST_PROMPT = "\nAnswer the question with the option letter";

const questionText = (s: Sample) => {
  const t = s.labels?.question_text;
  return typeof t === "string" ? t : s.question;
};
const typesOf = (s: Sample): string[] => {
  const t = s.labels?.question_type;
  return Array.isArray(t) ? t : [s.category];
};

/** `lmms-eval`: the question as stored (its "(A) ..." options included) + the post_prompt. */
export function lvbenchPrompt(sample: Sample, preset: string = PRESETS[0]): PromptSpec {
  if (preset !== "lmms-eval")
    throw new KinemaError(
      "bad_spec",
      `unknown LVBench prompt preset "${preset}" (known: ${PRESETS.join(", ")})`,
      { field: "preset" },
    );
  return { preset, text: `${questionText(sample)}${LMMS_POST_PROMPT}` };
}

/** `official`: polish_answer exactly (no case folding); `lenient`: kinema's extractor. */
export function parseLvbench(raw: string, sample: Sample, mode: string = PARSE_MODES[0]): Parsed {
  let answer: string;
  if (mode === "official") answer = polishAnswer(raw);
  else if (mode === "lenient") answer = extractLenient(raw, sample.options);
  else
    throw new KinemaError(
      "bad_spec",
      `unknown LVBench parse mode "${mode}" (known: ${PARSE_MODES.join(", ")})`,
      { field: "parse" },
    );
  return { answer, ok: sample.options.some((_, i) => String.fromCharCode(65 + i) === answer) };
}

/** Overall: each answered QA once; categories: a QA counts in each of its question types (as upstream). */
export function summarizeLvbench(outcomes: readonly SampleOutcome[], opts: SummaryOptions = {}): RunSummary {
  const mode = opts.parseMode ?? "official";
  const boot = { resamples: opts.resamples ?? 2000, seed: opts.seed ?? 0 };
  const counts = { total: outcomes.length, ok: 0, failed: 0, unparsed: 0, scored: 0, noGroundTruth: 0 };
  const once: { cluster: string; correct: boolean }[] = [];
  const perType: ScoredItem[] = [];
  const answers = new Map<string, string>();
  for (const o of outcomes) {
    counts[o.status]++;
    if (o.status === "failed" || o.raw === undefined) continue;
    const p = parseLvbench(o.raw, o.sample, mode);
    answers.set(o.sample.id, p.answer);
    const correct = p.answer === o.sample.answer;
    counts.scored++;
    once.push({ cluster: o.sample.videoId, correct });
    for (const t of typesOf(o.sample)) perType.push({ cluster: o.sample.videoId, category: t, correct });
  }
  const { categories } = accuracyByCategory(perType, CATEGORIES, boot);
  let official: Record<string, unknown>;
  try {
    official = computeAccuracyLv(
      answers,
      outcomes.map((o) => ({ uid: o.sample.id, answer: o.sample.answer, questionTypes: typesOf(o.sample) })),
    );
  } catch (e) {
    official = { error: (e as Error).message };
  }
  return { overall: clusterBootstrap(once, boot), categories, counts, official };
}

export const lvbench: Benchmark = {
  name: "lvbench",
  defaultFrames: "uniform:16",
  defaultMaxTokens: 16,
  presets: [...PRESETS],
  parseModes: [...PARSE_MODES],
  load: (path, opts) => loadLvbench(path, opts),
  prompt: lvbenchPrompt,
  promptHash: (sample, preset) => hashPrompt(lvbenchPrompt(sample, preset)),
  parse: parseLvbench,
  isCorrect: (parsed, sample) => parsed.answer === sample.answer,
  summarize: summarizeLvbench,
};
