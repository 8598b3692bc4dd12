// The VideoRefer-Bench-Q benchmark: load → prompt (upstream | set-of-mark contour/fill for general
// models) → parse (official | lenient) → summarize (clustered-bootstrap micro accuracy plus upstream numbers).
import { KinemaError } from "../../util/errors.ts";
import { extractLenient, hashPrompt, letterOf } from "../parse.ts";
import { clusterBootstrap } from "../stats.ts";
import type {
  AccuracyCell,
  Benchmark,
  Parsed,
  PromptSpec,
  Rle,
  RunSummary,
  Sample,
  SampleOutcome,
  SummaryOptions,
} from "../types.ts";
import { loadVideoReferQ, TYPES } from "./load.ts";
import { MARK_COLORS, type MarkStyle } from "./marks.ts";
import { predLetter, scoreVideoReferQ } from "./official.ts";

export const PRESETS = ["upstream", "som-contour", "som-fill"] as const;
export const PARSE_MODES = ["official", "lenient"] as const;
export const UPSTREAM_SUFFIX = ". Answer with the option's letter from the given choices directly.";

interface RawQ {
  Question: string;
  options: string[];
  Answer: string;
  type: string;
}

function rawOf(sample: Sample): RawQ {
  const r = sample.raw as Partial<RawQ> | undefined;
  return {
    Question: r?.Question ?? sample.question,
    options: r?.options ?? sample.options.map((o, i) => `(${letterOf(i)}) ${o}`),
    Answer: r?.Answer ?? `(${sample.answer})`,
    type: r?.type ?? sample.category,
  };
}

/** The style a preset draws on the frames, or null when frames go unmarked (`upstream`). */
export function markStyle(preset: string): MarkStyle | null {
  return preset === "som-contour" ? "contour" : preset === "som-fill" ? "fill" : null;
}

/**
 * Set-of-mark question for general models: every `<objectN>` (with its `<region>`) becomes "the object
 * outlined in <colour>" (contour) or "the object highlighted in <colour>" (fill), the k-th region taking
 * colour k, and a first sentence in the upstream general-MLLM wording says what was drawn, e.g. "I have
 * outlined an object with a red contour in the video."
 */
export function somQuestion(question: string, style: MarkStyle): { intro: string; question: string } {
  const verb = style === "contour" ? "outlined" : "highlighted";
  const mark = (c: string) => (style === "contour" ? `a ${c} contour` : `a ${c} mask`);
  const tagColour = new Map<string, string>();
  const colours: string[] = [];
  const region = /(<object\d+>)?\s*\[?<region>\]?/g;
  let q = question.replace(region, (_, tag: string | undefined) => {
    const c = MARK_COLORS[colours.length % MARK_COLORS.length].name;
    colours.push(c);
    if (tag) tagColour.set(tag, c);
    return `the object ${verb} in ${c}`;
  });
  q = q.replace(/<object\d+>/g, (tag) =>
    tagColour.has(tag) ? `the object ${verb} in ${tagColour.get(tag)}` : tag,
  );
  const intro =
    colours.length <= 1
      ? `I have ${verb} an object with ${mark(colours[0] ?? "red")} in the video.`
      : `I have ${verb} ${colours.length} objects in the video, with ${colours
          .map(mark)
          .join(", ")
          .replace(/, ([^,]*)$/, " and $1")}.`;
  return { intro, question: q };
}

/**
 * Prompt presets.
 * - `upstream`: VideoRefer's own prompt for region-aware models, byte for byte:
 *   Question with "<region>" → "[<region>]", a space, the options joined by spaces, then
 *   ". Answer with the option's letter from the given choices directly."
 * - `som-contour` / `som-fill`: for general models; the runner draws the masks on the frames with
 *   `drawMarks(..., markStyle(preset))` and the text names the marks instead of region tokens.
 */
export function videoReferPrompt(sample: Sample, preset: string = PRESETS[0]): PromptSpec {
  const r = rawOf(sample);
  const opts = r.options.join(" ");
  if (preset === "upstream")
    return { preset, text: `${r.Question.replaceAll("<region>", "[<region>]")} ${opts}${UPSTREAM_SUFFIX}` };
  const style = markStyle(preset);
  if (style) {
    const { intro, question } = somQuestion(r.Question, style);
    return { preset, text: `${intro} ${question} ${opts}${UPSTREAM_SUFFIX}` };
  }
  throw new KinemaError(
    "bad_spec",
    `unknown VideoRefer-Q prompt preset "${preset}" (known: ${PRESETS.join(", ")})`,
    {
      field: "preset",
    },
  );
}

/** `official`: the upstream letter extraction; `lenient`: kinema's extractor. ok = an option letter (any case). */
export function parseVideoReferQ(raw: string, sample: Sample, mode: string = PARSE_MODES[0]): Parsed {
  let answer: string;
  if (mode === "official") answer = predLetter(raw);
  else if (mode === "lenient") answer = extractLenient(raw, sample.options);
  else
    throw new KinemaError(
      "bad_spec",
      `unknown VideoRefer-Q parse mode "${mode}" (known: ${PARSE_MODES.join(", ")})`,
      {
        field: "parse",
      },
    );
  const letters = sample.options.map((_, i) => letterOf(i));
  return { answer, ok: letters.includes(answer.toUpperCase()) };
}

/** Upstream compares letters case-insensitively. */
export function isCorrectVideoReferQ(parsed: Parsed, sample: Sample): boolean {
  return parsed.answer !== "" && parsed.answer.toLowerCase() === sample.answer.toLowerCase();
}

/** Each object's mask on each of `frameIndices` (null where that frame has none), for `drawMarks`. */
export function masksAtFrames(sample: Sample, frameIndices: readonly number[]): (Rle | null)[][] {
  return frameIndices.map((f) => (sample.masks ?? []).map((om) => om[String(f)] ?? null));
}

/** Frame indices that carry at least one mask, ascending. */
export function annotatedFrames(sample: Sample): number[] {
  const s = new Set<number>();
  for (const om of sample.masks ?? []) for (const k of Object.keys(om)) s.add(Number(k));
  return [...s].sort((a, b) => a - b);
}

/** Run summary: micro accuracy over non-failed questions (video-clustered 95% interval), per type, and
 *  the upstream scorer's {types, average} on the same outputs. */
export function summarizeVideoReferQ(
  outcomes: readonly SampleOutcome[],
  opts: SummaryOptions = {},
): RunSummary {
  const mode = opts.parseMode ?? "official";
  const boot = { resamples: opts.resamples ?? 2000, seed: opts.seed ?? 0 };
  const counts = { total: outcomes.length, ok: 0, failed: 0, unparsed: 0, scored: 0, noGroundTruth: 0 };
  const items: { cluster: string; correct: boolean; category: string }[] = [];
  const records: { rec: { Answer: string; pred: string; type: string }; line: number }[] = [];
  outcomes.forEach((o, i) => {
    counts[o.status]++;
    if (o.status === "failed") return;
    const parsed =
      o.raw !== undefined ? parseVideoReferQ(o.raw, o.sample, mode) : (o.parsed ?? { answer: "", ok: false });
    counts.scored++;
    items.push({
      cluster: o.sample.videoId,
      correct: isCorrectVideoReferQ(parsed, o.sample),
      category: o.sample.category,
    });
    const r = rawOf(o.sample);
    // Upstream rules on the letters of the chosen parse mode (a lone letter parses to itself upstream).
    const pred = mode === "official" && o.raw !== undefined ? o.raw : parsed.answer;
    records.push({ rec: { Answer: r.Answer, pred, type: r.type }, line: i + 1 });
  });
  const categories: Record<string, AccuracyCell> = {};
  const names = new Set(items.map((i) => i.category));
  const ordered = [
    ...TYPES.filter((t) => names.has(t)),
    ...[...names].filter((n) => !(TYPES as readonly string[]).includes(n)).sort(),
  ];
  for (const c of ordered)
    categories[c] = clusterBootstrap(
      items.filter((i) => i.category === c),
      boot,
    );
  let official: Record<string, unknown>;
  try {
    official = { ...scoreVideoReferQ(records).score };
  } catch (e) {
    official = { error: (e as Error).message };
  }
  return { overall: clusterBootstrap(items, boot), categories, counts, official };
}

export const videoreferQ: Benchmark = {
  name: "videorefer-q",
  defaultFrames: "uniform:16",
  presets: [...PRESETS],
  parseModes: [...PARSE_MODES],
  load: (path, opts) => loadVideoReferQ(path, opts),
  prompt: videoReferPrompt,
  promptHash: (sample, preset) => hashPrompt(videoReferPrompt(sample, preset)),
  parse: parseVideoReferQ,
  isCorrect: isCorrectVideoReferQ,
  summarize: summarizeVideoReferQ,
};
