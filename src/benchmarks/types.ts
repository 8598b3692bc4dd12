// The contract every benchmark module implements: load → prompt → parse → score. Hooks are pure;
// the runner does all I/O (video decoding, model calls, storage).

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
  /** The benchmark's raw record, for reports and re-export. */
  raw?: unknown;
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
  prompt(sample: Sample, preset?: string): PromptSpec;
  parse(raw: string, sample: Sample, mode?: string): Parsed;
  /** Default frame sampling spec for this benchmark. */
  defaultFrames: string;
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
