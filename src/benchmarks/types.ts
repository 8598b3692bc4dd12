// The contract every benchmark module implements: load → prompt → parse → score. Hooks are pure;
// the runner does all I/O (video decoding, model calls, storage).
import type { RgbFrames } from "../video/types.ts";

/** Where a sample's pixels come from. */
export interface VideoRef {
  /** Absolute path to a video file or a folder of JPEG/PNG frames (DAVIS/MeViS layout). */
  path: string;
  /** Clip window in seconds inside `path` (MotionBench public clips cut from an uncut source). */
  window?: [number, number];
  /** Frames per second to assume for a frame folder. */
  fps?: number;
}

/** A COCO RLE mask as stored upstream (`counts` string or array). */
export interface Rle {
  size: [number, number];
  counts: string | number[];
}

/** One object's masks, keyed by frame index into the decoded frame list; null = empty mask. */
export type ObjectMasks = Record<string, Rle | null>;

export interface Sample {
  /** Unique id within the benchmark (MotionBench uid, VideoRefer id). */
  id: string;
  /** Questions on one video are correlated: intervals resample by this id. */
  videoId: string;
  video: VideoRef;
  /** Category/type used for per-category scores (MotionBench question_type, VideoRefer type). */
  category: string;
  /** Question text without options. */
  question: string;
  /** Option texts without their letters, in order A, B, C, ... (empty for open-ended). */
  options: string[];
  /** Ground truth: a letter for multiple choice; "NA" when hidden (test split); free text when open-ended. */
  answer: string;
  /** Split, e.g. "dev" | "test". */
  split?: string;
  /** Per-object masks (VideoRefer) and the frame index of single-frame mode. */
  masks?: ObjectMasks[];
  frameIdx?: number;
  /** The benchmark's raw record, for reports and re-export (not stored: summaries must not need it). */
  raw?: unknown;
  /** Labels beyond `category` that the official scorer slices by (Video-MME domain and task type, LVBench's
   *  question types...); stored with the run, so summaries rebuilt from the store have them. */
  labels?: Record<string, string | string[] | number | boolean | null>;
  /** Open-ended samples (options = [], answer = reference text) say how they are scored. */
  scoring?: OpenEndedScoring;
}

/** How an open-ended sample is scored: by an LLM judge (src/judge) and/or COCO caption metrics. */
export interface OpenEndedScoring {
  /** Judge protocol: Video-ChatGPT QA, Video-ChatGPT generative metrics, VideoRefer-Bench-D, or TempCompass
   *  (the rule match first, the judge for what no rule matches; captions always). */
  judge?: "vcgpt-qa" | "vcgpt-gen" | "videorefer-d" | "tempcompass";
  /** Not scorable without a judge: `kinema eval` without --judge leaves the sample out and lists it. */
  judgeRequired?: boolean;
  /** Judge metrics (vcgpt-gen: correctness, detail, context, temporal, consistency). */
  metrics?: string[];
  /** Two samples answered separately but judged in one call (Video-ChatGPT consistency: Q1 and Q2). */
  pair?: { group: string; part: 1 | 2 };
  /** Reference captions for COCO caption metrics (all references; `answer` holds the first). */
  references?: string[];
}

/** A problem found while loading; the sample is skipped or flagged, the run goes on. */
export interface LoadIssue {
  file: string;
  line?: number;
  field?: string;
  id?: string;
  message: string;
  /** What the loader did with the item: dropped it, or kept it and only reported the problem. */
  action?: "skipped" | "kept";
}

export interface LoadResult {
  samples: Sample[];
  issues: LoadIssue[];
}

/** What a benchmark asks of a model for one sample (before frames are attached). */
export interface PromptSpec {
  /** Optional system message. */
  system?: string;
  /** The user text; frames are sent before it. */
  text: string;
  /** Preset name, stored with the run. */
  preset: string;
  /** Text the assistant turn starts with (MVBench's "Best option:("), sent as a final assistant message. */
  prefill?: string;
}

/** What the runner knows about the frames it sends when it asks for a sample's prompt (Video-MME subtitles
 *  are the ones shown at the sampled frames). Absent for `--frames none` and for run-identity probes. */
export interface PromptContext {
  /** Sampled frame indices into the whole video, and the video's frame rate. */
  frames?: { indices: number[]; fps: number; timestamps?: number[] };
}

export interface Parsed {
  /** The extracted answer (letter for multiple choice), "" when nothing could be extracted. */
  answer: string;
  /** false when the output could not be parsed at all (status `unparsed`). */
  ok: boolean;
}

export interface ScoredSample {
  sample: Sample;
  parsed: Parsed;
  correct: boolean | null; // null: no ground truth (test split)
}

export interface Benchmark {
  name: string;
  /** Reads the benchmark from disk (the only hook doing I/O; called by the runner). */
  load(path: string, opts?: Record<string, unknown>): Promise<LoadResult>;
  prompt(sample: Sample, preset?: string, ctx?: PromptContext): PromptSpec;
  parse(raw: string, sample: Sample, mode?: string): Parsed;
  /** Default frame sampling spec for this benchmark. */
  defaultFrames: string;
  /** Default max new tokens: short for option letters, long enough for descriptions in open-ended sets. */
  defaultMaxTokens?: number;
  /** Prompt presets this benchmark knows (the first is the default). */
  presets?: string[];
  /** Parse modes this benchmark knows (the first is the default). */
  parseModes?: string[];
  /** Stable hash of the prompt a preset produces for a sample (stored with the run). */
  promptHash?(sample: Sample, preset?: string): string;
  /** Whether a parsed answer is right; null when the sample has no ground truth (test split). */
  isCorrect?(parsed: Parsed, sample: Sample): boolean | null;
  /** Per-run summary: micro accuracy with a video-clustered bootstrap interval, per category, plus
   *  the upstream scorer's own numbers. Failed samples are excluded and counted. */
  summarize?(outcomes: SampleOutcome[], opts?: SummaryOptions): RunSummary;
  /**
   * The frame spec for one sample, given the run's spec (e.g. its annotated frame instead of `uniform:16`).
   * Absent: every sample uses the run's spec. Not called for `--frames none`.
   */
  framesFor?(sample: Sample, spec: string, clip: ClipInfo): string | Promise<string>;
  /**
   * Draws on one sample's decoded frames before they are encoded (set-of-mark prompting); returns new
   * frames, or null to send them as decoded. Must not modify `rgb`.
   */
  markFrames?(sample: Sample, preset: string | undefined, rgb: RgbFrames): RgbFrames | null;
}

/** What the runner can tell `framesFor` about a sample's clip; asked lazily, since probing is I/O. */
export interface ClipInfo {
  /** Frames in the clip (inside its window when it has one; `indices:` count from the window's start) and fps. */
  meta(): Promise<{ frames: number; fps: number }>;
}

/** Status of one sample in a run: `failed` = no model answer (after retries); `unparsed` = answer not understood. */
export type SampleStatus = "ok" | "failed" | "unparsed";

/** What the runner hands back to `summarize` for one sample. */
export interface SampleOutcome {
  sample: Sample;
  status: SampleStatus;
  /** The model's raw text (absent when failed). */
  raw?: string;
  /** The benchmark's parse of `raw` (absent when failed). */
  parsed?: Parsed;
  /** The stored judge digest of this sample (the latest judge's verdict), for benchmarks whose official score
   *  folds the judge in (TempCompass); absent when not judged. */
  judge?: Record<string, unknown> | null;
}

export interface SummaryOptions {
  /** Bootstrap resamples (default 2000) and PRNG seed (default 0). */
  resamples?: number;
  seed?: number;
  /** Parse mode used to rebuild the upstream scorer's input from raw outputs (default: official). */
  parseMode?: string;
}

export interface AccuracyCell {
  acc: number | null;
  n: number;
  right: number;
  /** 95% percentile interval from a bootstrap that resamples videos; null when n = 0. */
  ci95: [number, number] | null;
}

export interface RunSummary {
  /** Questions with ground truth that were answered (failed excluded; unparsed count as wrong). */
  overall: AccuracyCell;
  categories: Record<string, AccuracyCell>;
  counts: {
    total: number;
    ok: number;
    failed: number;
    unparsed: number;
    scored: number;
    noGroundTruth: number;
  };
  /** The upstream scorer's result on the same outputs (its exact keys). */
  official: Record<string, unknown>;
}
