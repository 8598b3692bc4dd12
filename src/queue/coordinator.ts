// The coordinator side of `kinema eval --queue`: enqueues one job per pending sample (job id = run + sample,
// so a re-plan adds nothing twice) and collects finished jobs into the run's SQLite store, idempotently.
import { type Job, Queue } from "bullmq";
import { sleep } from "../models/retry.ts";
import { defaultDeps } from "../run/deps.ts";
import type { EvalDeps } from "../run/runner.ts";
import { addTokens } from "../run/sample-exec.ts";
import { type DispatchArgs, itemSample, type WorkItem, type WorkResult } from "../run/work-item.ts";
import type { SampleResult } from "../store/index.ts";
import { jobId } from "./item.ts";
import { connectionOf, parseRedisUrl, QUEUE_NAME } from "./redis.ts";

/** BullMQ attempts per job: a worker crash mid-job (not a model failure, which the worker records) retries. */
export const JOB_ATTEMPTS = 3;

/** Enqueues `todo` and collects until every one is stored or the signal aborts (jobs then stay queued). */
export async function dispatchToQueue(a: DispatchArgs): Promise<{ requested: number; collected: number }> {
  const queue = new Queue(QUEUE_NAME, { connection: connectionOf(parseRedisUrl(a.queue)) });
  let requested = 0;
  let collected = 0;
  try {
    const pending = new Set(a.todo.map((s) => s.id));
    for (let i = 0; i < a.todo.length; i += 500) {
      if (a.signal.aborted) break;
      await queue.addBulk(
        a.todo.slice(i, i + 500).map((s) => ({
          name: "sample",
          data: { ...a.template, sample: itemSample(s) } satisfies WorkItem,
          opts: {
            jobId: jobId(a.runId, s.id),
            attempts: JOB_ATTEMPTS,
            backoff: { type: "exponential", delay: 1000 },
            removeOnComplete: false,
            removeOnFail: false,
          },
        })),
      );
    }
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
    while (pending.size > 0 && !a.signal.aborted) {
      // Finished jobs of every run sharing this Redis are in one set: page through it (other runs' jobs stay
      // for their own coordinators), so a dead coordinator's leftovers never hide this run's results.
      let seen = 0;
      let offset = 0;
      for (let page = 0; page < 40 && pending.size > 0; page++) {
        const jobs: Job[] = await queue.getJobs(["completed", "failed"], offset, offset + 499, true);
        const mine: Job[] = [];
        for (const job of jobs) {
          const data = job.data as WorkItem | undefined;
          if (data?.runId !== a.runId) continue;
          mine.push(job);
          const sampleId = data.sample.id;
          if (job.finishedOn && job.returnvalue && !job.failedReason) {
            const rv = job.returnvalue as WorkResult;
            record(sampleId, rv.result, rv);
          } else if (job.failedReason) {
            // The job itself failed JOB_ATTEMPTS times (a worker that cannot build the run's model or
            // benchmark, stalls past the limit): a failed sample with the reason, never an answer.
            record(sampleId, {
              status: "failed",
              error: { code: "worker_failed", message: job.failedReason, attempts: job.attemptsMade },
              attempts: 0,
            });
          }
        }
        // Stored first, removed after (in one round of parallel calls): a crash in between is harmless.
        await Promise.all(mine.map((j) => j.remove().catch(() => {})));
        seen += mine.length;
        offset += jobs.length - mine.length;
        if (jobs.length < 500) break;
      }
      a.progress?.update(a.counts);
      if (seen === 0) await sleep(a.pollMs ?? 50, a.signal).catch(() => {});
    }
  } finally {
    await queue.close();
  }
  return { requested, collected };
}

/** The runner's real collaborators with this queue as the distributed executor (`kinema eval --queue`). */
export const queueDeps: EvalDeps = { ...defaultDeps, dispatch: dispatchToQueue };
