// The runner's contracts: what a run is asked to do (EvalOptions), what it needs from outside (EvalDeps: the
// benchmark registry, the frame decoder, a distributed executor) and what it returns (EvalResult).
import type { Benchmark, LoadIssue, Sample } from "../benchmarks/types.ts";
import type { AdapterOptions } from "../models/index.ts";
import type { ModelAdapter, RgbFrames } from "../models/types.ts";
import type { RunRow } from "../store/index.ts";
import type { JudgeCalls, RunJudgeOptions } from "./judge-options.ts";
import type { FramePerturbation } from "./perturb.ts";
import type { Progress } from "./progress.ts";
import type { EvalSummary } from "./report.ts";
import type { FrameLoader, TokenTotals } from "./sample-exec.ts";
import type { Dispatch } from "./work-item.ts";

/** A benchmark resolved from a spec such as `motionbench:PATH`. */
export interface ResolvedBenchmark {
  /** Name stored with the run (motionbench, videorefer-q, synth...). */
  name: string;
  benchmark: Benchmark;
  /** Absolute path handed to benchmark.load. */
  path: string;
  /** A {uid: letter} file with the hidden test answers found beside the data (synth:DIR/answers.json). */
  answers?: string;
}

/** The optional per-sample frame hooks; they now live in the Benchmark contract (src/benchmarks/types.ts). */
export type BenchmarkHooks = Pick<Benchmark, "framesFor" | "markFrames">;

export interface EvalDeps {
  resolveBenchmark(spec: string): Promise<ResolvedBenchmark>;
  loadFrames: FrameLoader;
  createAdapter?(spec: string, opts: AdapterOptions): Promise<ModelAdapter>;
  /** JPEG-encodes frames (needed when a benchmark draws on them before sending). */
  encodeImages?(rgb: RgbFrames): Promise<Buffer[]>;
  /** Validates frame/fit options up front (throws bad_spec). */
  checkOptions?(frames: string | undefined, fit: string | undefined): void;
  /** A clip's frame count (inside its window) and fps; `framesFor` hooks ask (memoized per run and video). */
  clipMeta?(ref: Sample["video"]): Promise<{ frames: number; fps: number }>;
  /** The distributed executor `queue` hands the pending samples to (src/queue: dispatchToQueue). */
  dispatch?: Dispatch;
}

export interface EvalOptions {
  bench?: string;
  model?: string;
  /** Frame sampling spec (benchmark default when absent); `none` sends text only. */
  frames?: string;
  /** Options for benchmark.load (VideoRefer-Q: {mode: "single" | "multi"}); part of the run's identity. */
  benchOptions?: Record<string, unknown>;
  /** A {uid: letter} JSON with hidden test answers, so test-split questions are scored apart from dev. */
  answers?: string;
  /** An errata file (`kinema engine errata`): reviewed label corrections, a named variant in the run's identity. */
  errata?: string;
  size?: number;
  fit?: string;
  concurrency?: number;
  limit?: number;
  runDir?: string;
  prompt?: string;
  parse?: string;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  timeoutMs?: number;
  retries?: number;
  /** First backoff ceiling (ms); doubles per retry, full jitter. */
  backoffMs?: number;
  /** Largest wait between retries (ms), also caps Retry-After. */
  backoffCapMs?: number;
  resume?: string;
  /** Ask samples that failed before again (default true: the same command retries them; false keeps them). */
  retryFailed?: boolean;
  /** Check each remote endpoint once before sending anything (default true; see src/models/preflight.ts). */
  preflight?: boolean;
  /** Where the runner says things worth knowing as it goes (re-asked failures, preflight warnings). */
  notice?: (line: string) => void;
  /** AIMD concurrency: start at 2, halve on 429, grow to `concurrency`. */
  adaptive?: boolean;
  /** Samples whose frames are decoded ahead of the requests (default 2 × concurrency). */
  prefetch?: number;
  /** Parallel frame decodes (default 2). */
  decodeConcurrency?: number;
  /** Adapter options: baseUrl, apiKeyEnv, headers, maxImages... (headers' values are never stored). */
  modelOptions?: AdapterOptions;
  /** true: bar/lines on stderr; false: silent; or a custom sink. */
  progress?: boolean | Progress;
  signal?: AbortSignal;
  /**
   * Judged benchmarks (activitynet-qa, vcgpt-gen, videorefer-d...): judge the answered samples with this
   * judge after the model answered; judgements are stored and never asked twice. Not part of the run's
   * identity: another judge on the same run adds its own judgements (and reuses every model answer).
   */
  judge?: RunJudgeOptions;
  /** Called once with the load problems (broken lines and items), before any model call. */
  onLoadIssues?: (issues: LoadIssue[]) => void;
  /** `kinema audit`: rearranges the planned frames (src/run/perturb.ts); part of the run's identity. */
  framePerturbation?: FramePerturbation;
  /** `--shard i/N`: only every N-th sample from the i-th (0-based) in the benchmark's order; part of the identity. */
  shard?: Shard;
  /** `redis://HOST:PORT[/DB]`: enqueue the samples for `kinema worker`s instead of asking here (src/queue). */
  queue?: string;
}

export interface EvalResult {
  run: RunRow;
  summary: EvalSummary;
  /** Folder with samples.jsonl, summary.json, table.md. */
  outDir: string;
  /** Samples asked in this invocation (cache hits included) and how many needed the model. */
  asked: number;
  requested: number;
  /** Load issues reported by the benchmark (broken items) and by the answers file. */
  issues: unknown[];
  /** Test answers filled in from `answers` (0 without one). */
  answersApplied: number;
  /** True when this invocation continued an existing run. */
  continued: boolean;
  /** Judge calls of this invocation (absent without --judge). */
  judgeCalls?: JudgeCalls;
  /** Samples that had failed before and were asked again in this invocation. */
  reasked: number;
  /** Model requests answered in this invocation, and the token usage the server reported for them. */
  tokens: TokenTotals;
}

/** A static shard: samples whose position in the benchmark's order is index modulo count. */
export interface Shard {
  index: number;
  count: number;
}
