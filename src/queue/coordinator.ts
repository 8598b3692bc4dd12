// The coordinator side of `kinema eval --queue`: enqueues one job per pending sample (job id = run + sample,
// so a re-plan adds nothing twice) and collects the workers' results into the run's SQLite store, idempotently.
import { type Job, Queue } from "bullmq";
import { Redis } from "ioredis";
import { sleep } from "../models/retry.ts";
import { defaultDeps } from "../run/deps.ts";
import type { EvalDeps } from "../run/runner.ts";
import { addTokens } from "../run/sample-exec.ts";
import {
  type DispatchArgs,
  itemSample,
  WORK_ITEM_VERSION,
  type WorkItem,
  type WorkResult,
} from "../run/work-item.ts";
import type { SampleResult } from "../store/index.ts";
import { jobId, resultsKey } from "./item.ts";
import { connectionOf, parseRedisUrl, QUEUE_NAME } from "./redis.ts";

/** BullMQ attempts per job: a worker crash mid-job (not a model failure, which the worker records) retries. */
export const JOB_ATTEMPTS = 3;

/** How often the failed set is read (ms). */
const FAILED_CHECK_MS = 500;

/** Results read from the list at once (and stored in one pass before the list is trimmed). */
const READ_BATCH = 500;

/**
 * Enqueues `todo` and collects until every one is stored or the signal aborts (jobs then stay queued).
 * Results come through the run's results list (`resultsKey`): read, stored, then trimmed, so a coordinator
 * killed between the two reads them again and stores each once. Jobs that failed on every attempt stay in
 * BullMQ's failed set and are recorded as `worker_failed` with their reason.
 */
export async function dispatchToQueue(a: DispatchArgs): Promise<{ requested: number; collected: number }> {
  const target = parseRedisUrl(a.queue);
  const queue = new Queue(QUEUE_NAME, { connection: connectionOf(target) });
  const redis = new Redis(connectionOf(target).url, { maxRetriesPerRequest: null });
  const key = resultsKey(a.runId);
  let requested = 0;
  let collected = 0;
  const pending = new Set(a.todo.map((s) => s.id));
  const record = (sampleId: string, r: SampleResult, rv?: WorkResult) => {
    if (!pending.has(sampleId)) return; // stored before (a redelivered duplicate, or an earlier coordinator)
    pending.delete(sampleId);
    for (const at of rv?.attempts ?? []) a.store.recordAttempt({ runId: a.runId, ...at });
    a.store.recordResult(a.runId, sampleId, r);
    if (rv) {
      if (rv.fresh) requested++;
      if (a.tokens) addTokens(a.tokens, rv);
    }
    a.counts[r.status]++;
    a.counts.done++;
    collected++;
  };
  /**
   * Stores every result waiting in the list, then trims what was stored; returns how many were read.
   * `leftover`: the list as an earlier coordinator left it. Its answers are stored (so they are not asked
   * again), its failures are not: a sample still pending with a failure there is being retried
   * (`--retry-failed`), or its failure was never stored, and either way asking it again is right.
   */
  const drain = async (leftover = false): Promise<number> => {
    let read = 0;
    for (;;) {
      const batch = await redis.lrange(key, 0, READ_BATCH - 1);
      for (const text of batch) {
        const rv = parseResult(text);
        if (!rv || rv.runId !== a.runId) continue;
        if (leftover && rv.result.status === "failed") continue;
        record(rv.sampleId, rv.result, rv);
      }
      if (batch.length > 0) await redis.ltrim(key, batch.length, -1);
      read += batch.length;
      if (batch.length < READ_BATCH) return read;
    }
  };
  try {
    // Answers a killed coordinator left unread are stored first, so their samples are not asked again.
    await drain(true);
    const todo = a.todo.filter((s) => pending.has(s.id));
    for (let i = 0; i < todo.length; i += 500) {
      if (a.signal.aborted) break;
      await queue.addBulk(
        todo.slice(i, i + 500).map((s) => ({
          name: "sample",
          data: { ...a.template, v: WORK_ITEM_VERSION, sample: itemSample(s) } satisfies WorkItem,
          opts: {
            jobId: jobId(a.runId, s.id),
            attempts: JOB_ATTEMPTS,
            backoff: { type: "exponential", delay: 1000 },
            // The worker has pushed the result to the run's list before the job completes.
            removeOnComplete: true,
            removeOnFail: false,
          },
        })),
      );
    }
    let failedCheckedAt = 0;
    while (pending.size > 0 && !a.signal.aborted) {
      let seen = await drain();
      // Failed jobs are rare (a worker that cannot run the item at all): their set is read twice a second.
      if (performance.now() - failedCheckedAt >= FAILED_CHECK_MS) {
        seen += await collectFailed(queue, a.runId, record);
        failedCheckedAt = performance.now();
      }
      a.progress?.update(a.counts);
      if (seen === 0) await sleep(a.pollMs ?? 20, a.signal).catch(() => {});
    }
  } finally {
    await queue.close();
    redis.disconnect();
  }
  return { requested, collected };
}

function parseResult(text: string): WorkResult | undefined {
  try {
    const v = JSON.parse(text) as WorkResult;
    return typeof v?.sampleId === "string" && typeof v.runId === "string" && v.result ? v : undefined;
  } catch {
    return undefined; // not ours (a foreign push): skipped, never an answer
  }
}

/**
 * Jobs of this run that failed on every attempt (a worker that cannot build the run's model or benchmark,
 * one that stalls past the limit, one of another version): a failed sample with the reason, never an answer.
 * Other runs' failed jobs stay for their own coordinators; this run's are removed once recorded.
 */
async function collectFailed(
  queue: Queue,
  runId: string,
  record: (sampleId: string, r: SampleResult) => void,
): Promise<number> {
  let seen = 0;
  let offset = 0;
  for (let page = 0; page < 40; page++) {
    const jobs: Job[] = await queue.getJobs(["failed"], offset, offset + 499, true);
    const mine = jobs.filter((j) => (j.data as WorkItem | undefined)?.runId === runId && j.failedReason);
    for (const job of mine) {
      record((job.data as WorkItem).sample.id, {
        status: "failed",
        error: { code: "worker_failed", message: job.failedReason, attempts: job.attemptsMade },
        attempts: 0,
      });
    }
    // Stored first, removed after (in one round of parallel calls): a crash in between is harmless.
    await Promise.all(mine.map((j) => j.remove().catch(() => {})));
    seen += mine.length;
    offset += jobs.length - mine.length;
    if (jobs.length < 500) break;
  }
  return seen;
}

/** The runner's real collaborators with this queue as the distributed executor (`kinema eval --queue`). */
export const queueDeps: EvalDeps = { ...defaultDeps, dispatch: dispatchToQueue };
