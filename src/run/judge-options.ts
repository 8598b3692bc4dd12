// How a run asks its judge (`kinema eval --judge ...`) and what one invocation asked: shared by the judging of
// every judged benchmark (judging.ts) and TempCompass's own protocol (tempcompass-judging.ts).
import type { JudgeOptions } from "../judge/index.ts";

/**
 * `kinema eval --judge ...`: the judge (spec, server) and how it is asked: judgeRun's settings (samples,
 * temperature, seed, maxTokens, concurrency, retry, timeoutMs, metrics, reparse, aggregate). Stored unreadable
 * judgements are asked again too when `reparse` is set.
 */
export interface RunJudgeOptions
  extends Pick<
    JudgeOptions,
    | "samples"
    | "temperature"
    | "seed"
    | "maxTokens"
    | "concurrency"
    | "retry"
    | "timeoutMs"
    | "metrics"
    | "reparse"
    | "aggregate"
  > {
  /** Judge model spec, e.g. openai:gpt-4o. */
  spec: string;
  baseUrl?: string;
  apiKeyEnv?: string;
}

/** What one invocation asked of the judge. */
export interface JudgeCalls {
  /** Judge calls made now (each after its bounded retries). */
  asked: number;
  /** Replies reused from the store (this run before a kill, or another run with the same judge and inputs). */
  cached: number;
  /** Items already fully judged by this judge in this run (not handed to the judge at all). */
  skipped: number;
}
