// The MVBench benchmark: load → prompt (official | lmms-eval) → parse (official | lmms-eval) → summarize
// (per-task and average accuracy; the notebook's final_res as the official block).

import { sampleIndices } from "../../video/sample.ts";
import { defineBenchmark, type Summarizer, tallyOutcomes, unknownChoice } from "../define.ts";
import type { Parsed, PromptSpec, Sample } from "../types.ts";
import { loadMvbench, type MvbenchRaw } from "./load.ts";
import { checkAns, finalRes, getIndex, lmmsProcess, mcqAcc, officialPred, qaTemplate } from "./official.ts";
import { MVBENCH_TASKS } from "./tasks.ts";

export const PRESETS = ["official", "lmms-eval"] as const;
export const PARSE_MODES = ["official", "lmms-eval"] as const;

/** The notebook's system text (system_llm=True puts it in front of the question), byte for byte. */
export const MVBENCH_SYSTEM =
  "Carefully watch the video and pay attention to the cause and sequence of events, the detail and movement of objects, and the action and pose of persons. Based on your observations, select the best option that accurately addresses the question.\n";
export const QUESTION_PROMPT = "\nOnly give the best option.";
export const ANSWER_PROMPT = "Best option:(";
/** lmms-eval's post_prompt for every mvbench_* task. */
export const LMMS_POST_PROMPT = "Only give the best option.\n";

function rawOf(sample: Sample): MvbenchRaw {
  return sample.raw as MvbenchRaw;
}

/** The item as the notebook sees it, from what the store keeps (question, candidates, the answer's text). */
function itemOf(sample: Sample): { question: string; candidates: string[]; answer: string } {
  const answer = sample.labels?.answer;
  return {
    question: sample.question,
    candidates: sample.options,
    answer: typeof answer === "string" ? answer : "",
  };
}
const gtOf = (s: Sample) => {
  const it = itemOf(s);
  return qaTemplate(it.question, it.candidates, it.answer).gt;
};

/**
 * Prompt presets.
 * - `official`: the notebook's infer_mvbench — system text + qa_template question + "\nOnly give the best
 *   option." as the user turn, and the assistant turn pre-filled with "Best option:(" (sent as a final
 *   assistant message; servers that continue it reproduce the notebook, others answer afresh).
 * - `lmms-eval`: "Question:" + question + "\nOption:\n(A) ...\n" + "Only give the best option.\n", no prefill.
 */
export function mvbenchPrompt(sample: Sample, preset: string = PRESETS[0]): PromptSpec {
  const r = itemOf(sample);
  if (preset === "official") {
    const { question } = qaTemplate(r.question, r.candidates, r.answer);
    return { preset, text: `${MVBENCH_SYSTEM}${question}${QUESTION_PROMPT}`, prefill: ANSWER_PROMPT };
  }
  if (preset === "lmms-eval") {
    const opts = r.candidates.map((c, i) => `(${String.fromCharCode(65 + i)}) ${c}\n`).join("");
    return { preset, text: `Question:${r.question}\nOption:\n${opts}${LMMS_POST_PROMPT}` };
  }
  throw unknownChoice("preset", "MVBench prompt preset", preset, PRESETS);
}

/**
 * Parse modes.
 * - `official`: the prediction the notebook scores, "(" + the reply's first line; `ok` when exactly one
 *   candidate letter passes check_ans (a bare "(" passes every letter: unparsed, yet right officially).
 * - `lmms-eval`: lmms-eval's process() of the reply; `ok` when the reply is not empty (its "answered").
 */
export function parseMvbench(raw: string, sample: Sample, mode: string = PARSE_MODES[0]): Parsed {
  if (mode === "official") {
    const pred = officialPred(raw);
    const hits = sample.options.filter((_, i) => checkAns(pred, `(${String.fromCharCode(65 + i)}) x`));
    return { answer: pred, ok: hits.length === 1 };
  }
  if (mode === "lmms-eval") return { answer: lmmsProcess(raw), ok: raw !== "" };
  throw unknownChoice("parse", "MVBench parse mode", mode, PARSE_MODES);
}

/** Official predictions always start with "(" (the return_prompt); lmms-eval's processed ones never do,
 *  since "(" is one of the punctuation marks process() removes. */
export function isCorrectMvbench(parsed: Parsed, sample: Sample): boolean {
  if (parsed.answer.startsWith("(")) return checkAns(parsed.answer, gtOf(sample)) ?? false;
  return sample.answer !== "" && mcqAcc(sample.answer, parsed.answer) === 1;
}

/** Task names in the notebook's order. */
export const CATEGORIES = MVBENCH_TASKS.map((t) => t.name);

export const summarizeMvbench: Summarizer = (outcomes, opts = {}) => {
  const mode = opts.parseMode ?? "official";
  const acc = new Map<string, [number, number]>();
  const tally = tallyOutcomes(outcomes, opts, CATEGORIES, (o) => {
    if (o.raw === undefined) return null;
    // The official block: every answered item, the notebook's check (its acc_dict in first-seen order).
    const right = checkAns(officialPred(o.raw), gtOf(o.sample)) ?? false;
    const task = o.sample.category;
    const cell = acc.get(task) ?? [0, 0];
    acc.set(task, [cell[0] + (right ? 1 : 0), cell[1] + 1]);
    const parsed = parseMvbench(o.raw, o.sample, mode);
    // lmms-eval divides by answered (non-empty) replies; official by every item.
    if (mode === "lmms-eval" && !parsed.ok) return null;
    return isCorrectMvbench(parsed, o.sample);
  });
  return { ...tally, official: acc.size ? finalRes(acc) : { error: "no answered items" } };
};

/**
 * Frames: `segments:N` (the default) is the notebook's get_index exactly — N segment midpoints between the
 * item's start/end (bounded tasks), round() half-even, 1-based 00001.jpg frame folders at 3 fps. Any other spec
 * is kinema's own sampling inside the bound. Both come back as absolute `indices:`.
 */
export async function mvbenchFramesFor(
  sample: Sample,
  spec: string,
  clip: { meta(): Promise<{ frames: number; fps: number }> },
) {
  const r = rawOf(sample);
  const seg = /^segments:(\d+)$/.exec(spec.trim());
  if (!seg && !r.bound) return spec;
  const { frames, fps } = await clip.meta();
  let idx: number[];
  if (seg) {
    const frame = r.kind === "frame";
    idx = getIndex(r.bound, fps, frame ? frames : frames - 1, frame ? 1 : 0, Number(seg[1]));
    if (frame) idx = idx.map((j) => j - 1); // 00001.jpg is kinema's frame 0
    idx = idx.map((j) => Math.min(Math.max(j, 0), frames - 1));
  } else idx = sampleIndices(spec, frames, fps, r.bound ?? undefined);
  return `indices:${idx.join(",")}`;
}

export const mvbench = defineBenchmark({
  name: "mvbench",
  defaultFrames: "segments:16",
  defaultMaxTokens: 100,
  presets: PRESETS,
  parseModes: PARSE_MODES,
  load: (path, opts) => loadMvbench(path, opts),
  prompt: mvbenchPrompt,
  parse: parseMvbench,
  isCorrect: isCorrectMvbench,
  summarize: summarizeMvbench,
  framesFor: mvbenchFramesFor,
});
