// The Perception Test multiple-choice benchmark: load → prompt (lmms-eval) → parse (lmms-eval | lenient) →
// summarize (top-1 accuracy over all questions, per area; the block lmms-eval's aggregate prints).
import { defineBenchmark, type Summarizer, sameLetter, tallyOutcomes, unknownChoice } from "../define.ts";
import { extractLenient } from "../parse.ts";
import type { Parsed, PromptSpec, Sample } from "../types.ts";
import { loadPerceptionTest } from "./load.ts";
import { predId } from "./official.ts";

export const PRESETS = ["lmms-eval"] as const;
export const PARSE_MODES = ["lmms-eval", "lenient"] as const;
export const CATEGORIES = ["Memory", "Abstraction", "Physics", "Semantics"];
export const LMMS_POST_PROMPT = "\nAnswer with the option's letter from the given choices directly.";

/** `lmms-eval`: perceptiontest_val_doc_to_text — question, "\nA. x\nB. y\nC. z" (every option after the second
 *  is lettered C, as upstream does), then its post_prompt. */
export function perceptionTestPrompt(sample: Sample, preset: string = PRESETS[0]): PromptSpec {
  if (preset !== "lmms-eval") throw unknownChoice("preset", "Perception Test prompt preset", preset, PRESETS);
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
  else throw unknownChoice("parse", "Perception Test parse mode", mode, PARSE_MODES);
  return { answer, ok: answer !== "" && answer.charCodeAt(0) - 65 < sample.options.length };
}

/** Every answered question is in the denominator (top-1: no letter is a wrong answer). */
export const summarizePerceptionTest: Summarizer = (outcomes, opts = {}) => {
  const mode = opts.parseMode ?? "lmms-eval";
  const tally = tallyOutcomes(outcomes, opts, CATEGORIES, (o) =>
    o.raw === undefined ? null : parsePerceptionTest(o.raw, o.sample, mode).answer === o.sample.answer,
  );
  const { right, n } = tally.overall;
  return { ...tally, official: { accuracy: n ? right / n : 0 } };
};

export const perceptionTest = defineBenchmark({
  name: "perception-test",
  defaultMaxTokens: 16,
  presets: PRESETS,
  parseModes: PARSE_MODES,
  load: (path, opts) => loadPerceptionTest(path, opts),
  prompt: perceptionTestPrompt,
  parse: parsePerceptionTest,
  isCorrect: sameLetter,
  summarize: summarizePerceptionTest,
});
