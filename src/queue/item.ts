// The queue's job id: the same run and sample always give the same id, so enqueueing is idempotent.
import { createHash } from "node:crypto";

/** BullMQ job ids may not contain ':'; the same run and sample always give the same id (adds are no-ops). */
export function jobId(runId: string, sampleId: string): string {
  return `${runId.replace(/:/g, "_")}.${createHash("sha256").update(sampleId).digest("hex").slice(0, 20)}`;
}
