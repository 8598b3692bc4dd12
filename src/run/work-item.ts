// The work item: one sample of one run as a plain JSON value (what a worker on another machine needs to
// decode its clip, ask the model and score the answer), what answering it returns, and the executor contract
// through which the runner hands its pending samples to a distributed queue (src/queue implements it).
import { z } from "zod";
import type { Sample } from "../benchmarks/types.ts";
import type { SampleResult, Store } from "../store/index.ts";
import { FramePerturbationSchema } from "./perturb.ts";
import type { Progress, ProgressCounts } from "./progress.ts";
import type { AttemptRecord, TokenTotals } from "./sample-exec.ts";

const VideoRef = z.object({
  path: z.string(),
  window: z.tuple([z.number(), z.number()]).optional(),
  fps: z.number().optional(),
});

/**
 * Version 2: the worker hands its result over through the run's results list (src/queue `resultsKey`), and the
 * job is removed when it completes. A worker of another version refuses the item by name (the job fails, and
 * the coordinator records `worker_failed` with the reason), so no result is lost between versions.
 */
export const WORK_ITEM_VERSION = 2;

export const WorkItemSchema = z.object({
  v: z.literal(WORK_ITEM_VERSION),
  runId: z.string(),
  /** The benchmark as the coordinator resolved it; `path` is the root that `--bench-root` remaps. */
  bench: z.object({
    name: z.string(),
    path: z.string(),
    options: z.record(z.string(), z.unknown()).optional(),
  }),
  model: z.string(),
  /** Storable adapter options (no headers' values, no keys); a worker may override baseUrl. */
  modelOptions: z.record(z.string(), z.unknown()),
  /** The coordinator's adapter.describe(): part of every request key, so keys match a one-process run. */
  describe: z.record(z.string(), z.unknown()),
  frames: z.string(),
  preset: z.string().optional(),
  parseMode: z.string().optional(),
  params: z.object({
    temperature: z.number().optional(),
    maxTokens: z.number().optional(),
    seed: z.number().optional(),
  }),
  size: z.number().optional(),
  fit: z.string().optional(),
  perturbation: FramePerturbationSchema.optional(),
  policy: z.object({ retries: z.number(), baseMs: z.number(), capMs: z.number() }),
  timeoutMs: z.number(),
  sample: z
    .object({
      id: z.string(),
      videoId: z.string(),
      video: VideoRef,
      category: z.string(),
      question: z.string(),
      options: z.array(z.string()),
      answer: z.string(),
    })
    .passthrough(),
});
export type WorkItem = z.infer<typeof WorkItemSchema>;

/** What a job returns: the store row of the sample, and whether the model was asked (not a cache hit). */
export interface WorkResult {
  runId: string;
  sampleId: string;
  result: SampleResult;
  fresh: boolean;
  /** Every HTTP attempt the worker made for it (the store's attempts table), failed ones included. */
  attempts?: AttemptRecord[];
  /** The worker that answered (host:pid), for the logs. */
  worker: string;
}

/** The sample as the item carries it: everything the hooks use, without the benchmark's raw record. */
export function itemSample(s: Sample): WorkItem["sample"] {
  const { raw: _raw, ...rest } = s;
  return JSON.parse(JSON.stringify(rest));
}

export interface DispatchArgs {
  queue: string;
  runId: string;
  /** Everything of the work item but the sample. */
  template: Omit<WorkItem, "sample">;
  todo: readonly Sample[];
  store: Store;
  counts: ProgressCounts;
  /** Token usage of the answers collected (as the in-process runner sums it). */
  tokens?: TokenTotals;
  progress?: Progress;
  signal: AbortSignal;
  /** How often the results list is read when nothing was waiting (ms, default 20). */
  pollMs?: number;
}

/** Enqueues `todo` and collects until every one is stored or the signal aborts (src/queue: dispatchToQueue). */
export type Dispatch = (a: DispatchArgs) => Promise<{ requested: number; collected: number }>;
