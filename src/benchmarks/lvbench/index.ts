// The LVBench benchmark: load → prompt (lmms-eval; LVBench publishes none) → parse (official polish_answer |
// lenient) → summarize (accuracy per question type over multi-label QAs; compute_accuracy's own result).
import {
  defineBenchmark,
  type Summarizer,
  sameLetter,
  tallyOutcomes,
  tryOfficial,
  unknownChoice,
} from "../define.ts";
import { extractLenient } from "../parse.ts";
import type { Parsed, PromptSpec, Sample } from "../types.ts";
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
  if (preset !== "lmms-eval") throw unknownChoice("preset", "LVBench prompt preset", preset, PRESETS);
  return { preset, text: `${questionText(sample)}${LMMS_POST_PROMPT}` };
}

/** `official`: polish_answer exactly (no case folding); `lenient`: kinema's extractor. */
export function parseLvbench(raw: string, sample: Sample, mode: string = PARSE_MODES[0]): Parsed {
  let answer: string;
  if (mode === "official") answer = polishAnswer(raw);
  else if (mode === "lenient") answer = extractLenient(raw, sample.options);
  else throw unknownChoice("parse", "LVBench parse mode", mode, PARSE_MODES);
  return { answer, ok: sample.options.some((_, i) => String.fromCharCode(65 + i) === answer) };
}

/** Overall: each answered QA once; categories: a QA counts in each of its question types (as upstream). */
export const summarizeLvbench: Summarizer = (outcomes, opts = {}) => {
  const mode = opts.parseMode ?? "official";
  const answers = new Map<string, string>();
  const tally = tallyOutcomes(outcomes, opts, CATEGORIES, (o) => {
    if (o.raw === undefined) return null;
    const p = parseLvbench(o.raw, o.sample, mode);
    answers.set(o.sample.id, p.answer);
    return { correct: p.answer === o.sample.answer, categories: typesOf(o.sample) };
  });
  const qas = outcomes.map((o) => ({
    uid: o.sample.id,
    answer: o.sample.answer,
    questionTypes: typesOf(o.sample),
  }));
  return { ...tally, official: tryOfficial(() => computeAccuracyLv(answers, qas)) };
};

export const lvbench = defineBenchmark({
  name: "lvbench",
  defaultMaxTokens: 16,
  presets: PRESETS,
  parseModes: PARSE_MODES,
  load: (path, opts) => loadLvbench(path, opts),
  prompt: lvbenchPrompt,
  parse: parseLvbench,
  isCorrect: sameLetter,
  summarize: summarizeLvbench,
});
