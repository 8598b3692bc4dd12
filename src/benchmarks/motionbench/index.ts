// The MotionBench benchmark: load → prompt (lmms-eval | kinema) → parse (official | lenient | lmms-eval)
// → summarize (clustered-bootstrap micro accuracy plus the official scorer's own numbers).
import { defineBenchmark, type Summarizer, tallyOutcomes, tryOfficial, unknownChoice } from "../define.ts";
import { extractLenient, extractLmmsEval, letterOf, pyNormalizeSpace } from "../parse.ts";
import type { Parsed, PromptSpec, Sample } from "../types.ts";
import { MOTIONBENCH_CATEGORY_NAMES } from "./categories.ts";
import { lmmsEvalPrompt } from "./lmms-eval.ts";
import { loadMotionBench } from "./load.ts";
import { computeAccuracy, type MetaRow, polishAnswer } from "./official.ts";

/** question_type strings in the paper's Table 3 order, with the leaderboard abbreviations. */
export { MOTIONBENCH_CATEGORIES as CATEGORIES } from "./categories.ts";

export const PRESETS = ["lmms-eval", "kinema"] as const;
export const PARSE_MODES = ["official", "lenient", "lmms-eval"] as const;

export { LMMS_EVAL_SUFFIX } from "./lmms-eval.ts";

function letterList(n: number): string {
  const ls = Array.from({ length: n }, (_, i) => letterOf(i));
  return ls.length <= 2 ? ls.join(" or ") : `${ls.slice(0, -1).join(", ")} or ${ls[ls.length - 1]}`;
}

/** The raw meta question (options embedded) a sample was loaded from, or one rebuilt from its parts. */
function rawQuestion(sample: Sample): string {
  const raw = (sample.raw as { question?: unknown } | undefined)?.question;
  if (typeof raw === "string") return raw;
  return [sample.question, ...sample.options.map((o, i) => `${letterOf(i)}. ${o}`)].join("\n");
}

/**
 * Prompt presets.
 * - `lmms-eval`: lmms-eval's exact text — its own option-block split of the raw meta question, then
 *   doc_to_text (question, one "X. text" line per non-empty option, its post_prompt; stripped). See
 *   lmms-eval.ts; tested against lmms-eval's functions run in Python.
 * - `kinema`: the same question/option block with a short instruction naming only the letters that exist:
 *   "Answer with the letter of the correct option (A, B, C or D) only." Models cannot be pushed toward
 *   letters E/F that the question does not have.
 */
export function motionbenchPrompt(sample: Sample, preset: string = PRESETS[0]): PromptSpec {
  const lines = sample.options
    .map((t, i) => ({ t: pyNormalizeSpace(t), l: letterOf(i) }))
    .filter((o) => o.t !== "")
    .map((o) => `${o.l}. ${o.t}`);
  const question = pyNormalizeSpace(sample.question);
  const body = lines.length > 0 ? `${question}\n${lines.join("\n")}` : question;
  if (preset === "lmms-eval") return { preset, text: lmmsEvalPrompt(rawQuestion(sample)) };
  if (preset === "kinema")
    return {
      preset,
      text: `${body}\nAnswer with the letter of the correct option (${letterList(sample.options.length)}) only.`,
    };
  throw unknownChoice("preset", "MotionBench prompt preset", preset, PRESETS);
}

/**
 * Parse modes.
 * - `official`: MotionBench's polish_answer, exactly (no case folding; "The answer is B" → "T").
 * - `lenient`: kinema's extractor (<think> stripped, "answer is X", bold, parentheses, option text).
 * - `lmms-eval`: lmms-eval's extractor for this task.
 * `ok` is false when the result is not one of the sample's option letters (status `unparsed`).
 */
export function parseMotionBench(raw: string, sample: Sample, mode: string = PARSE_MODES[0]): Parsed {
  let answer: string;
  if (mode === "official") answer = polishAnswer(raw);
  else if (mode === "lenient") answer = extractLenient(raw, sample.options);
  else if (mode === "lmms-eval") answer = extractLmmsEval(raw);
  else throw unknownChoice("parse", "MotionBench parse mode", mode, PARSE_MODES);
  const letters = sample.options.map((_, i) => letterOf(i));
  return { answer, ok: letters.includes(answer) };
}

/** Exact string match against the ground truth; null for test questions (answer "NA"). */
export function isCorrectMotionBench(parsed: Parsed, sample: Sample): boolean | null {
  if (sample.answer === "NA") return null;
  return parsed.answer === sample.answer;
}

/**
 * Run summary. `overall`/`categories`: dev questions whose request did not fail (unparsed answers count as
 * wrong), micro accuracy with a 95% bootstrap interval resampling videos. `official`: the upstream scorer on
 * the same outputs (failed samples are unanswered there, exactly as upstream would see them).
 */
export const summarizeMotionBench: Summarizer = (outcomes, opts = {}) => {
  const mode = opts.parseMode ?? "official";
  const answers = new Map<string, string>();
  const tally = tallyOutcomes(outcomes, opts, MOTIONBENCH_CATEGORY_NAMES, (o) => {
    // Re-parse the raw text in the requested mode when there is one, so both blocks agree.
    const parsed =
      o.raw !== undefined ? parseMotionBench(o.raw, o.sample, mode) : (o.parsed ?? { answer: "", ok: false });
    answers.set(o.sample.id, parsed.answer);
    return isCorrectMotionBench(parsed, o.sample);
  });
  tally.counts.noGroundTruth = outcomes.filter((o) => o.sample.answer === "NA").length;
  const rows: MetaRow[] = outcomes.map((o) => ({
    questionType: o.sample.category,
    qa: [{ uid: o.sample.id, answer: o.sample.answer }],
  }));
  return { ...tally, official: tryOfficial(() => computeAccuracy(answers, rows)) };
};

export const motionbench = defineBenchmark({
  name: "motionbench",
  presets: PRESETS,
  parseModes: PARSE_MODES,
  load: (path, opts) => loadMotionBench(path, opts),
  prompt: motionbenchPrompt,
  parse: parseMotionBench,
  isCorrect: isCorrectMotionBench,
  summarize: summarizeMotionBench,
});
