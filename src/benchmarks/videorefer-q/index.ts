// The VideoRefer-Bench-Q benchmark: load → prompt (upstream | set-of-mark contour/fill for general
// models) → parse (official | lenient) → summarize (clustered-bootstrap micro accuracy plus upstream numbers).
import { area as rleArea } from "../../masks/rle.ts";
import { sampleIndices } from "../../video/sample.ts";
import type { RgbFrames } from "../../video/types.ts";
import { defineBenchmark, type Summarizer, tallyOutcomes, tryOfficial, unknownChoice } from "../define.ts";
import { extractLenient, letterOf } from "../parse.ts";
import type { ClipInfo, Parsed, PromptSpec, Rle, Sample } from "../types.ts";
import { VIDEOREFER_TYPES } from "./categories.ts";
import { loadVideoReferQ } from "./load.ts";
import { drawMarks, MARK_COLORS, type MarkStyle } from "./marks.ts";
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
  throw unknownChoice("preset", "VideoRefer-Q prompt preset", preset, PRESETS);
}

/** `official`: the upstream letter extraction; `lenient`: kinema's extractor. ok = an option letter (any case). */
export function parseVideoReferQ(raw: string, sample: Sample, mode: string = PARSE_MODES[0]): Parsed {
  let answer: string;
  if (mode === "official") answer = predLetter(raw);
  else if (mode === "lenient") answer = extractLenient(raw, sample.options);
  else throw unknownChoice("parse", "VideoRefer-Q parse mode", mode, PARSE_MODES);
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

/** Frames where at least one object's mask has pixels, ascending (null or empty masks draw nothing). */
export function markedFrames(sample: Sample): number[] {
  const s = new Set<number>();
  for (const om of sample.masks ?? [])
    for (const [k, m] of Object.entries(om)) if (m && !s.has(Number(k)) && rleArea(m) > 0) s.add(Number(k));
  return [...s].sort((a, b) => a - b);
}

/** `k` of `xs` at evenly spaced, centred positions (all of them when k ≥ xs.length). */
function spread<T>(xs: readonly T[], k: number): T[] {
  if (k >= xs.length) return [...xs];
  return Array.from({ length: k }, (_, i) => xs[Math.floor(((i + 0.5) * xs.length) / k)]);
}

/**
 * Places the annotated frames `marked` into `sampled` (ascending frame indices): with N = sampled.length,
 * the chosen annotated frames are all of them when there are at most N, otherwise N of them spread evenly;
 * each, in ascending order, replaces the nearest sampled slot not yet replaced (ties: the earlier slot).
 * Returns the frames ascending without duplicates. Pure; exported for tests.
 */
export function mergeMarkedFrames(sampled: readonly number[], marked: readonly number[]): number[] {
  const slots = [...sampled];
  const taken = new Array<boolean>(slots.length).fill(false);
  for (const a of spread(marked, slots.length)) {
    let best = -1;
    for (let i = 0; i < slots.length; i++)
      if (!taken[i] && (best < 0 || Math.abs(slots[i] - a) < Math.abs(slots[best] - a))) best = i;
    if (best < 0) break;
    slots[best] = a;
    taken[best] = true;
  }
  return [...new Set(slots)].sort((x, y) => x - y);
}

/**
 * VideoRefer-Q's frame rule (`framesFor`).
 * - single-frame mode (the default, upstream's frame_idx mode): `indices:<frame_idx>`, whatever the run's
 *   spec — the one frame whose mask the question refers to.
 * - multi-frame mode: the run's spec sampled over the whole clip (default `uniform:16`, upstream's 16
 *   uniformly sampled frames for general models), then merged with the frames that carry masks by
 *   `mergeMarkedFrames`: the frame count stays that of the spec, every annotated frame is sent when there are
 *   no more of them than the spec's frames, and otherwise every frame sent is an annotated one (spread evenly
 *   over them). So set-of-mark prompting always shows the marks. Sent as `indices:i,j,...`.
 */
export async function videoReferFramesFor(sample: Sample, spec: string, clip: ClipInfo): Promise<string> {
  const mode = (sample.raw as { mode?: string } | undefined)?.mode ?? "single";
  if (mode !== "multi" && sample.frameIdx !== undefined) return `indices:${sample.frameIdx}`;
  const marked = markedFrames(sample);
  if (marked.length === 0) return spec;
  const { frames: total, fps } = await clip.meta();
  // The indices the decoder itself would pick for this spec (src/video's sampler, pure).
  const sampled = sampleIndices(spec, total, fps);
  // Annotations past the clip's end (a shorter re-encode) cannot be shown; the decoder would reject them.
  const inClip = marked.filter((f) => f < total);
  const merged = mergeMarkedFrames(
    [...new Set(sampled)].sort((a, b) => a - b),
    inClip,
  );
  return merged.length ? `indices:${merged.join(",")}` : spec;
}

/** Set-of-mark presets draw each object's mask on the frames sent (colour k = object k); `upstream` draws none. */
export function videoReferMarkFrames(
  sample: Sample,
  preset: string | undefined,
  rgb: RgbFrames,
): RgbFrames | null {
  const style = markStyle(preset ?? PRESETS[0]);
  if (!style) return null;
  const drawn = drawMarks(rgb, masksAtFrames(sample, rgb.indices), style);
  return { ...rgb, frames: drawn.frames };
}

/** Run summary: micro accuracy over non-failed questions (video-clustered 95% interval), per type, and
 *  the upstream scorer's {types, average} on the same outputs. */
export const summarizeVideoReferQ: Summarizer = (outcomes, opts = {}) => {
  const mode = opts.parseMode ?? "official";
  const records: { rec: { Answer: string; pred: string; type: string }; line: number }[] = [];
  const tally = tallyOutcomes(outcomes, opts, VIDEOREFER_TYPES, (o, i) => {
    const parsed =
      o.raw !== undefined ? parseVideoReferQ(o.raw, o.sample, mode) : (o.parsed ?? { answer: "", ok: false });
    const r = rawOf(o.sample);
    // Upstream rules on the letters of the chosen parse mode (a lone letter parses to itself upstream).
    const pred = mode === "official" && o.raw !== undefined ? o.raw : parsed.answer;
    records.push({ rec: { Answer: r.Answer, pred, type: r.type }, line: i + 1 });
    return isCorrectVideoReferQ(parsed, o.sample);
  });
  return { ...tally, official: tryOfficial(() => ({ ...scoreVideoReferQ(records).score })) };
};

export const videoreferQ = defineBenchmark({
  name: "videorefer-q",
  presets: PRESETS,
  parseModes: PARSE_MODES,
  load: (path, opts) => loadVideoReferQ(path, opts),
  prompt: videoReferPrompt,
  parse: parseVideoReferQ,
  isCorrect: isCorrectVideoReferQ,
  summarize: summarizeVideoReferQ,
  framesFor: videoReferFramesFor,
  markFrames: videoReferMarkFrames,
});
