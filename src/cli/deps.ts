// The runner's collaborators for a command: the real ones, plus the Redis queue as the distributed executor
// when --queue is given (loaded only then, so commands without it never load BullMQ).
import { defaultDeps } from "../run/deps.ts";
import type { EvalDeps } from "../run/runner.ts";

export async function runDeps(queue: string | undefined): Promise<EvalDeps> {
  return queue ? (await import("../queue/coordinator.ts")).queueDeps : defaultDeps;
}
