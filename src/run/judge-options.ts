// How a run asks its judge (`kinema eval --judge ...`) and what one invocation asked: shared by the judging of
// every judged benchmark (judging.ts) and TempCompass's own protocol (tempcompass-judging.ts).
import type { BenchDAggregateMode } from "../judge/index.ts";
import type { RetryPolicy } from "../models/retry.ts";

/** `kinema eval --judge ...`: the judge and how it is asked. */
export interface RunJudgeOptions {
  /** Judge model spec, e.g. openai:gpt-4o. */
  spec: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  /** Judgements per item (--judge-samples K; sample k uses seed + k). */
  samples?: number;
  /** null/undefined: not sent (server default, as upstream). */
  temperature?: number;
  seed?: number;
  maxTokens?: number;
  concurrency?: number;
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** vcgpt-gen: only these metrics (default: each set's own). */
  metrics?: string[];
  /** Re-asks of unreadable replies (--judge-reparse K); stored unreadable judgements are asked again too. */
  reparse?: number;
  /** VideoRefer-Bench-D averaging: official (upstream) or per-dimension. */
  aggregate?: BenchDAggregateMode;
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
