// The Video-MME benchmark: load → prompt (official | official-subs | lmms-eval | lmms-eval-subs; subtitles at
// the sampled frames) → parse (official | fixed-prefixes | lenient) → summarize (per duration; the official
// eval_your_results numbers on the same outputs).
import { defineBenchmark, type Summarizer, sameLetter, tallyOutcomes, unknownChoice } from "../define.ts";
import { extractLenient } from "../parse.ts";
import type { Parsed, PromptContext, PromptSpec, Sample, SampleOutcome } from "../types.ts";
import { loadVideoMme, type VideoMmeRaw } from "./load.ts";
import {
  DURATIONS,
  evalYourResults,
  extractCharacters,
  FIXED_PREFIXES,
  OFFICIAL_PREFIXES,
  type ResultVideo,
} from "./official.ts";
import { subtitlesAtFrames } from "./subtitles.ts";

export const PRESETS = ["official", "official-subs", "lmms-eval", "lmms-eval-subs"] as const;
export const PARSE_MODES = ["official", "fixed-prefixes", "lenient"] as const;

/** The README's prompt lines, byte for byte. */
export const OFFICIAL_INSTRUCTION =
  "Select the best answer to the following multiple-choice question based on the video. Respond with only the letter (A, B, C, or D) of the correct option.";
export const OFFICIAL_SUBS_HEADER = "This video's subtitles are listed below:";
export const ANSWER_CUE = "The best answer is:";
/** lmms-eval's videomme_doc_to_text (its option_prompt names subtitles even without them) and default post_prompt. */
export const LMMS_INSTRUCTION =
  "Select the best answer to the following multiple-choice question based on the video and the subtitles. Respond with only the letter (A, B, C, or D) of the correct option.";
export const LMMS_POST_PROMPT = "\nAnswer with the option's letter from the given choices directly.";
export const LMMS_SUBS_HEADER = "This video's subtitles are listed below: \n";

const rawOf = (s: Sample) => s.raw as VideoMmeRaw;

function subtitles(r: VideoMmeRaw, ctx?: PromptContext): string | null {
  if (!r.subtitles) return null;
  return subtitlesAtFrames(r.subtitles, ctx?.frames);
}

/**
 * Prompt presets.
 * - `official`: the README's subtitle-free prompt: instruction, question, the options as stored ("A. ..."),
 *   "The best answer is:".
 * - `official-subs`: the README's "This video's subtitles are listed below:" block first, holding the subtitle
 *   lines at the frames sent (see subtitles.ts); a video without an .srt gets the subtitle-free prompt.
 * - `lmms-eval` / `lmms-eval-subs`: lmms-eval's doc_to_text (default post_prompt) and doc_to_text_subtitle
 *   ("No subtitles available" when the video has none).
 */
export function videoMmePrompt(sample: Sample, preset: string = PRESETS[0], ctx?: PromptContext): PromptSpec {
  const r = rawOf(sample);
  const q = `${r.question}\n${r.options.join("\n")}`;
  if (preset === "official" || preset === "official-subs") {
    const body = `${OFFICIAL_INSTRUCTION}\n${q}\n${ANSWER_CUE}`;
    const subs = preset === "official-subs" ? subtitles(r, ctx) : null;
    return { preset, text: subs === null ? body : `${OFFICIAL_SUBS_HEADER}\n${subs}\n${body}` };
  }
  if (preset === "lmms-eval") return { preset, text: `${LMMS_INSTRUCTION}\n${q}\n${LMMS_POST_PROMPT}` };
  if (preset === "lmms-eval-subs") {
    const subs = subtitles(r, ctx) ?? "No subtitles available";
    return { preset, text: `${LMMS_SUBS_HEADER}${subs}\n${LMMS_INSTRUCTION}\n${q}\n${ANSWER_CUE}` };
  }
  throw unknownChoice("preset", "Video-MME prompt preset", preset, PRESETS);
}

/**
 * Parse modes.
 * - `official`: extract_characters_regex with the script's prefix list as written (missing commas: "The best
 *   option is", "Best option:" are never stripped); "" (no A–D, or over ten words without one) is unanswered.
 * - `fixed-prefixes`: the same with the eight prefixes the list was meant to hold.
 * - `lenient`: kinema's extractor; nothing found counts as wrong, not unanswered.
 */
export function parseVideoMme(raw: string, sample: Sample, mode: string = PARSE_MODES[0]): Parsed {
  let answer: string;
  if (mode === "official") answer = extractCharacters(raw, OFFICIAL_PREFIXES);
  else if (mode === "fixed-prefixes") answer = extractCharacters(raw, FIXED_PREFIXES);
  else if (mode === "lenient") answer = extractLenient(raw, sample.options);
  else throw unknownChoice("parse", "Video-MME parse mode", mode, PARSE_MODES);
  return { answer, ok: answer !== "" };
}

const label = (s: Sample, k: string) => {
  const v = s.labels?.[k];
  return typeof v === "string" ? v : "";
};

/** The run's answered questions in the eval script's input shape (one video per videoID and duration). */
export function toResultVideos(outcomes: readonly SampleOutcome[]): ResultVideo[] {
  const byVideo = new Map<string, ResultVideo>();
  for (const o of outcomes) {
    if (o.status === "failed" || o.raw === undefined) continue;
    const s = o.sample;
    const duration = label(s, "duration");
    const k = `${duration}\u0000${s.videoId}`;
    let v = byVideo.get(k);
    if (!v) {
      v = {
        duration,
        category: label(s, "domain"),
        subCategory: label(s, "sub_category"),
        missing: false,
        questions: [],
      };
      byVideo.set(k, v);
    }
    v.questions.push({ taskType: label(s, "task_type"), answer: s.answer, response: o.raw });
  }
  return [...byVideo.values()];
}

export const summarizeVideoMme: Summarizer = (outcomes, opts = {}) => {
  const mode = opts.parseMode ?? "official";
  const tally = tallyOutcomes(outcomes, opts, DURATIONS, (o) => {
    if (o.raw === undefined) return null;
    const p = parseVideoMme(o.raw, o.sample, mode);
    // Official denominators: only answered (extracted) questions; lenient counts the rest as wrong.
    if (!p.ok && mode !== "lenient") return null;
    return p.answer === o.sample.answer;
  });
  const present = DURATIONS.filter((d) => outcomes.some((o) => label(o.sample, "duration") === d));
  const { score } = evalYourResults(toResultVideos(outcomes), { durations: present, skipMissing: true });
  return { ...tally, official: score };
};

export const videomme = defineBenchmark({
  name: "videomme",
  defaultMaxTokens: 16,
  presets: PRESETS,
  parseModes: PARSE_MODES,
  load: (path, opts) => loadVideoMme(path, opts),
  prompt: videoMmePrompt,
  parse: parseVideoMme,
  isCorrect: sameLetter,
  summarize: summarizeVideoMme,
});
