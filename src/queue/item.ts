// The queue's keys: the job id (the same run and sample always give the same id, so enqueueing is
// idempotent) and the run's results list.
import { createHash } from "node:crypto";

/**
 * The Redis list where workers push each finished sample of a run (JSON `WorkResult`). Only the run's
 * coordinator (one per run: the run lock) reads it, stores what it read, then trims it; a result pushed twice
 * (a job redelivered after its worker died) is stored once.
 */
export function resultsKey(runId: string): string {
  return `kinema:results:${runId}`;
}

/** How long an unread results list is kept (seconds): a coordinator resumed within a week still finds them. */
export const RESULTS_TTL_S = 7 * 24 * 3600;

/** BullMQ job ids may not contain ':'; the same run and sample always give the same id (adds are no-ops). */
export function jobId(runId: string, sampleId: string): string {
  return `${runId.replace(/:/g, "_")}.${createHash("sha256").update(sampleId).digest("hex").slice(0, 20)}`;
}
