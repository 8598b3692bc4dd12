// What every benchmark module is assembled from, written once: the Benchmark object from its hooks (prompt
// hash, preset and parse-mode lists), the error for an unknown preset or parse mode, and the run-summary tally
// (status counts, the scored questions, video-clustered accuracy per category) each summarize starts from.
import { KinemaError } from "../util/errors.ts";
import { hashPrompt } from "./parse.ts";
import { categoryAccuracy, clusterBootstrap, type ScoredItem } from "./stats.ts";
import type { Benchmark, Parsed, RunSummary, Sample, SampleOutcome, SummaryOptions } from "./types.ts";

/** A benchmark's `summarize` hook. */
export type Summarizer = (outcomes: readonly SampleOutcome[], opts?: SummaryOptions) => RunSummary;

/**
 * The error for a preset or parse mode a benchmark does not know: `unknown <label> "<value>" (known: a, b)`,
 * naming the flag's field (`preset` or `parse`).
 */
export function unknownChoice(
  field: "preset" | "parse",
  label: string,
  value: string,
  known: readonly string[],
): KinemaError {
  return new KinemaError("bad_spec", `unknown ${label} "${value}" (known: ${known.join(", ")})`, { field });
}

/** A benchmark's own parts; `presets`/`parseModes` may be readonly tuples (copied), `promptHash` is derived,
 *  `defaultFrames` is `uniform:16` unless given. */
export type BenchmarkParts = Omit<
  Benchmark,
  "presets" | "parseModes" | "promptHash" | "summarize" | "defaultFrames"
> & {
  defaultFrames?: string;
  presets: readonly string[];
  parseModes: readonly string[];
  summarize?: Summarizer;
};

/** The Benchmark object: the parts as given, the preset lists copied, the prompt hash of the preset's prompt. */
export function defineBenchmark(parts: BenchmarkParts): Benchmark {
  const { prompt } = parts;
  return {
    defaultFrames: "uniform:16",
    ...parts,
    presets: [...parts.presets],
    parseModes: [...parts.parseModes],
    promptHash: (sample, preset) => hashPrompt(prompt(sample, preset)),
  } as Benchmark;
}

/** How one answered outcome scores: right or wrong, in its category or, for multi-label sets, in several. */
export type Verdict = boolean | { correct: boolean; categories: readonly string[] };

/**
 * The part of a run summary every multiple-choice benchmark computes alike. Each outcome's status is counted;
 * `verdict` is asked about every outcome that did not fail and returns null to leave it out of the
 * denominators. Overall accuracy counts each scored question once; a category counts the questions in it,
 * categories in `known` order first (see categoryAccuracy). Intervals resample videos.
 */
export function tallyOutcomes(
  outcomes: readonly SampleOutcome[],
  opts: SummaryOptions,
  known: readonly string[],
  verdict: (o: SampleOutcome, index: number) => Verdict | null,
): Pick<RunSummary, "overall" | "categories" | "counts"> {
  const boot = { resamples: opts.resamples ?? 2000, seed: opts.seed ?? 0 };
  const counts = { total: outcomes.length, ok: 0, failed: 0, unparsed: 0, scored: 0, noGroundTruth: 0 };
  const once: { cluster: string; correct: boolean }[] = [];
  const perCategory: ScoredItem[] = [];
  outcomes.forEach((o, i) => {
    counts[o.status]++;
    if (o.status === "failed") return;
    const v = verdict(o, i);
    if (v === null) return;
    const correct = typeof v === "boolean" ? v : v.correct;
    const cluster = o.sample.videoId;
    counts.scored++;
    once.push({ cluster, correct });
    for (const category of typeof v === "boolean" ? [o.sample.category] : v.categories)
      perCategory.push({ cluster, category, correct });
  });
  const overall = clusterBootstrap(once, boot);
  return { overall, categories: categoryAccuracy(perCategory, known, boot), counts };
}

/** The upstream scorer's result, or its error as `{error}` (a summary never fails on the official block). */
export function tryOfficial(compute: () => Record<string, unknown>): Record<string, unknown> {
  try {
    return compute();
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Exact match of the parsed letter with the ground truth (the rule of most multiple-choice sets). */
export function sameLetter(parsed: Parsed, sample: Sample): boolean {
  return parsed.answer === sample.answer;
}
