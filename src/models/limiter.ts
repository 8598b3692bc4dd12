// Concurrency limiter for model requests: a fixed limit, or AIMD (halve on 429, grow by one per window of
// successes) so a run settles just under a server's rate limit instead of hammering it.

export interface Limiter {
  acquire(): Promise<void>;
  /** Frees a slot; `rateLimited` tells an adaptive limiter to back off. */
  release(outcome: "ok" | "rate_limited" | "error"): void;
  /** Current limit (changes only when adaptive). */
  readonly limit: number;
  readonly inFlight: number;
}

export function createLimiter(max: number, adaptive = false): Limiter {
  let limit = adaptive ? Math.max(1, Math.min(max, 2)) : max;
  let growth = 0;
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  const wake = () => {
    while (inFlight < Math.floor(limit) && waiters.length > 0) {
      inFlight++;
      waiters.shift()!();
    }
  };
  return {
    get limit() {
      return Math.floor(limit);
    },
    get inFlight() {
      return inFlight;
    },
    acquire() {
      if (inFlight < Math.floor(limit) && waiters.length === 0) {
        inFlight++;
        return Promise.resolve();
      }
      return new Promise<void>((r) => waiters.push(r));
    },
    release(outcome) {
      inFlight--;
      if (adaptive) {
        if (outcome === "rate_limited") {
          limit = Math.max(1, Math.floor(limit / 2));
          growth = 0;
        } else if (outcome === "ok" && ++growth >= Math.floor(limit)) {
          // Additive increase: one more slot per full window of successes.
          limit = Math.min(max, Math.floor(limit) + 1);
          growth = 0;
        }
      }
      wake();
    },
  };
}
