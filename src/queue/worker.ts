// `kinema worker`: takes work items from the Redis queue, decodes the clip locally, asks the model (its own
// server replica with --base-url), returns the store row; a global rate limit and Retry-After slow every worker.
import { hostname } from "node:os";
import { isAbsolute, relative, resolve } from "node:path";
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { getBenchmark } from "../benchmarks/registry.ts";
import type { Sample } from "../benchmarks/types.ts";
import { createAdapter } from "../models/index.ts";
import { createLimiter } from "../models/limiter.ts";
import type { ModelAdapter } from "../models/types.ts";
import { defaultDeps } from "../run/deps.ts";
import type { EvalDeps } from "../run/runner.ts";
import {
  type AttemptRecord,
  askSample,
  clipInfoOf,
  type ExecContext,
  failedResult,
  type Prepared,
  prepareSample,
} from "../run/sample-exec.ts";
import { WORK_ITEM_VERSION, type WorkItem, WorkItemSchema, type WorkResult } from "../run/work-item.ts";
import { KinemaError } from "../util/errors.ts";
import { RESULTS_TTL_S, resultsKey } from "./item.ts";
import { connectionOf, parseRedisUrl, QUEUE_NAME } from "./redis.ts";

/** How long a job may go without its worker's heartbeat before it returns to the queue (ms, default 30 s). */
export const DEFAULT_STALL_MS = 30_000;
/** Stalls a job may survive before it is failed: a killed worker's job stalls once, a busy one's rarely. */
export const DEFAULT_MAX_STALLED = 2;

export interface WorkerOptions {
  queue: string;
  /** Jobs processed at once (default 4). */
  concurrency?: number;
  /** Overrides the model server of every item (this machine's replica). */
  baseUrl?: string;
  /** This machine's copy of the benchmark: item paths under the coordinator's root are remapped here. */
  benchRoot?: string;
  /** Global limit: jobs started per second over all workers (give every worker the same value). */
  rate?: number;
  /** Stalled-job timeout (ms): lock duration and stalled-check interval. */
  stallMs?: number;
  /** A job that stalls more than this many times is failed (BullMQ maxStalledCount, default 2). */
  maxStalled?: number;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Called once the worker is connected and taking jobs. */
  onReady?(): void;
  /** Called after each job (tests, logs). */
  onJob?(r: WorkResult): void;
  deps?: EvalDeps;
}

/** Maps a path under the coordinator's benchmark root to this machine's root. */
export function remapPath(path: string, from: string, to: string | undefined): string {
  if (!to) return path;
  const rel = relative(from, path);
  if (rel.startsWith("..") || isAbsolute(rel)) return path; // outside the benchmark root: used as given
  return resolve(to, rel);
}

/** `--rate N/s` (also `N`, `N/min`): jobs started per second over all workers of the queue. */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min))?\s*$/.exec(text);
  const n = m ? Number(m[1]) / (m[2]?.startsWith("m") ? 60 : 1) : Number.NaN;
  if (!(n > 0))
    throw new KinemaError("bad_spec", `--rate must be N/s or N/min with N > 0 (e.g. 20/s), got "${text}"`, {
      field: "rate",
    });
  return n;
}

/** A rate in jobs per second as BullMQ's limiter: N per second, or 1 per 1/N s below 1. */
export function rateLimiter(rate: number): { max: number; duration: number } {
  if (!(rate > 0))
    throw new KinemaError("bad_spec", `--rate must be a positive number, got ${rate}`, { field: "rate" });
  return rate >= 1
    ? { max: Math.round(rate), duration: 1000 }
    : { max: 1, duration: Math.round(1000 / rate) };
}

interface RunContext {
  ctx: ExecContext;
  adapter: ModelAdapter;
}

/** Runs until the signal aborts (SIGTERM): in-flight jobs finish first; returns how many jobs it did. */
export async function runWorker(o: WorkerOptions): Promise<{ processed: number }> {
  const target = parseRedisUrl(o.queue);
  const deps = o.deps ?? defaultDeps;
  const me = `${hostname()}:${process.pid}`;
  const concurrency = o.concurrency ?? 4;
  const stallMs = o.stallMs ?? DEFAULT_STALL_MS;
  const queue = new Queue(QUEUE_NAME, { connection: connectionOf(target) });
  // Results go to the run's list on this connection before the job completes (the job is then removed).
  const results = new Redis(connectionOf(target).url, { maxRetriesPerRequest: null });
  // One context per distinct run settings (adapter, retry policy...), built on first use and kept.
  const contexts = new Map<string, Promise<RunContext>>();
  const limiter = createLimiter(concurrency);
  const abort = new AbortController();
  const clipMetas = new Map<string, Promise<{ frames: number; fps: number }>>();
  // Requests and keys use the coordinator's paths (so keys equal a one-process run's); only the reads are
  // remapped to this machine's copy of the benchmark.
  const local = (ref: Sample["video"], root: string): Sample["video"] => ({
    ...ref,
    path: remapPath(ref.path, root, o.benchRoot),
  });
  const contextFor = (item: WorkItem): Promise<RunContext> => {
    const { sample: _s, runId: _r, ...settings } = item;
    // Every item of one run comes from one coordinator, serialised alike: plain JSON keys them (cheap).
    const key = JSON.stringify(settings);
    let c = contexts.get(key);
    if (!c) {
      c = (async () => {
        const bench = getBenchmark(`${item.bench.name}:${item.bench.path}`).benchmark;
        const adapter = await createAdapter(item.model, {
          ...(item.modelOptions as object),
          ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
          env: o.env,
        });
        const ctx: ExecContext = {
          bench,
          adapter,
          describe: item.describe,
          frames: item.frames,
          preset: item.preset,
          parseMode: item.parseMode,
          params: item.params,
          size: item.size,
          fit: item.fit,
          perturbation: item.perturbation,
          deps: {
            loadFrames: (ref, spec, opts) => deps.loadFrames(local(ref, item.bench.path), spec, opts),
            encodeImages: deps.encodeImages,
          },
          clipInfo: clipInfoOf(deps.clipMeta, clipMetas, (ref) => local(ref, item.bench.path)),
          policy: item.policy,
          timeoutMs: item.timeoutMs,
          limiter,
          signal: abort.signal,
        };
        return { ctx, adapter };
      })();
      c.catch(() => contexts.delete(key));
      contexts.set(key, c);
    }
    return c;
  };
  let processed = 0;
  const handle = async (job: Job): Promise<{ sampleId: string }> => {
    const v = (job.data as { v?: unknown } | undefined)?.v;
    if (v !== WORK_ITEM_VERSION)
      throw new KinemaError(
        "bad_input",
        `job ${job.id}: work item version ${String(v)}, this kinema worker reads version ${WORK_ITEM_VERSION}: run the coordinator's kinema version on every worker`,
        { field: "job" },
      );
    const parsed = WorkItemSchema.safeParse(job.data);
    if (!parsed.success)
      throw new KinemaError("bad_input", `job ${job.id}: not a kinema work item: ${parsed.error.message}`, {
        field: "job",
      });
    const item = parsed.data;
    const sample = item.sample as Sample;
    const { ctx } = await contextFor(item);
    let pr: Prepared | undefined;
    let out: WorkResult;
    const attempts: AttemptRecord[] = [];
    try {
      pr = await prepareSample(ctx, sample);
      const r = await askSample(ctx, pr, {
        onAttempt: (a) => attempts.push(a),
        // Retry-After / 429 from any worker pauses the whole queue for that long.
        onRateLimited: (ms) => queue.rateLimit(Math.max(1, Math.round(ms))).catch(() => {}),
      });
      out = {
        runId: item.runId,
        sampleId: sample.id,
        result: r.result,
        fresh: r.fresh,
        attempts,
        worker: me,
      };
    } catch (e) {
      if (abort.signal.aborted) throw e; // shutting down: BullMQ returns the job to the queue
      // No answer after the retries (or an undecodable clip): a failed sample with its typed error.
      out = {
        runId: item.runId,
        sampleId: sample.id,
        result: failedResult(e, pr),
        fresh: false,
        attempts,
        worker: me,
      };
    }
    // Handed over before the job completes: a worker killed in between has its job redelivered, and the
    // coordinator stores the first of the two results.
    await results
      .multi()
      .rpush(resultsKey(item.runId), JSON.stringify(out))
      .expire(resultsKey(item.runId), RESULTS_TTL_S)
      .exec();
    processed++;
    o.onJob?.(out);
    return { sampleId: out.sampleId }; // the result itself travelled through the list
  };
  const worker = new Worker(QUEUE_NAME, handle, {
    connection: connectionOf(target),
    concurrency,
    lockDuration: stallMs,
    stalledInterval: stallMs,
    maxStalledCount: o.maxStalled ?? DEFAULT_MAX_STALLED,
    // Always a limiter: BullMQ honours a queue-wide pause (queue.rateLimit, set on any worker's 429) only for
    // workers that have one; without --rate it is too high to ever bind.
    limiter: o.rate ? rateLimiter(o.rate) : { max: 1_000_000_000, duration: 1000 },
  });
  worker.on("error", () => {}); // connection hiccups are retried by ioredis; jobs are not lost
  await worker.waitUntilReady();
  o.onReady?.();
  await new Promise<void>((resolveStop) => {
    if (o.signal?.aborted) return resolveStop();
    o.signal?.addEventListener("abort", () => resolveStop(), { once: true });
  });
  // Graceful stop: stop taking jobs, let the ones in flight finish (BullMQ waits for them), then close.
  await worker.close();
  await queue.close();
  results.disconnect();
  for (const c of contexts.values()) await (await c.catch(() => undefined))?.adapter.close?.();
  return { processed };
}
