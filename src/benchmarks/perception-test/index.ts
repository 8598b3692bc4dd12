// The Perception Test multiple-choice benchmark: load → prompt (lmms-eval) → parse (lmms-eval | lenient) →
// summarize (top-1 accuracy over all questions, per area; the block lmms-eval's aggregate prints).
import { KinemaError } from "../../util/errors.ts";
import { extractLenient, hashPrompt } from "../parse.ts";
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
import { loadPerceptionTest } from "./load.ts";
import { predId } from "./official.ts";

export const PRESETS = ["lmms-eval"] as const;
export const PARSE_MODES = ["lmms-eval", "lenient"] as const;
export const CATEGORIES = ["Memory", "Abstraction", "Physics", "Semantics"];
export const LMMS_POST_PROMPT = "\nAnswer with the option's letter from the given choices directly.";

/** `lmms-eval`: perceptiontest_val_doc_to_text — question, "\nA. x\nB. y\nC. z" (every option after the second
 *  is lettered C, as upstream does), then its post_prompt. */
export function perceptionTestPrompt(sample: Sample, preset: string = PRESETS[0]): PromptSpec {
  if (preset !== "lmms-eval")
    throw new KinemaError(
      "bad_spec",
      `unknown Perception Test prompt preset "${preset}" (known: ${PRESETS.join(", ")})`,
      { field: "preset" },
    );
  const opts = sample.options.map((o, i) => `\n${i === 0 ? "A" : i === 1 ? "B" : "C"}. ${o}`).join("");
  return { preset, text: `${sample.question}${opts}${LMMS_POST_PROMPT}` };
}

/** `lmms-eval`: the first standalone A–D (case-sensitive), else none; `lenient`: kinema's extractor. */
export function parsePerceptionTest(raw: string, sample: Sample, mode: string = PARSE_MODES[0]): Parsed {
  let answer: string;
  if (mode === "lmms-eval") {
    const k = predId(raw);
    answer = k < 0 ? "" : String.fromCharCode(65 + k);
  } else if (mode === "lenient") answer = extractLenient(raw, sample.options);
  else
    throw new KinemaError(
      "bad_spec",
      `unknown Perception Test parse mode "${mode}" (known: ${PARSE_MODES.join(", ")})`,
      { field: "parse" },
    );
  return { answer, ok: answer !== "" && answer.charCodeAt(0) - 65 < sample.options.length };
}

/** Every answered question is in the denominator (top-1: no letter is a wrong answer). */
export function summarizePerceptionTest(
  outcomes: readonly SampleOutcome[],
  opts: SummaryOptions = {},
): RunSummary {
  const mode = opts.parseMode ?? "lmms-eval";
  const boot = { resamples: opts.resamples ?? 2000, seed: opts.seed ?? 0 };
  const counts = { total: outcomes.length, ok: 0, failed: 0, unparsed: 0, scored: 0, noGroundTruth: 0 };
  const items: ScoredItem[] = [];
  for (const o of outcomes) {
    counts[o.status]++;
    if (o.status === "failed" || o.raw === undefined) continue;
    const p = parsePerceptionTest(o.raw, o.sample, mode);
    counts.scored++;
    items.push({
      cluster: o.sample.videoId,
      category: o.sample.category,
      correct: p.answer === o.sample.answer,
    });
  }
  const { overall, categories } = accuracyByCategory(items, CATEGORIES, boot);
  const right = items.filter((i) => i.correct).length;
  return { overall, categories, counts, official: { accuracy: items.length ? right / items.length : 0 } };
}

export const perceptionTest: Benchmark = {
  name: "perception-test",
  defaultFrames: "uniform:16",
  defaultMaxTokens: 16,
  presets: [...PRESETS],
  parseModes: [...PARSE_MODES],
  load: (path, opts) => loadPerceptionTest(path, opts),
  prompt: perceptionTestPrompt,
  promptHash: (sample, preset) => hashPrompt(perceptionTestPrompt(sample, preset)),
  parse: parsePerceptionTest,
  isCorrect: (parsed, sample) => parsed.answer === sample.answer,
  summarize: summarizePerceptionTest,
};
