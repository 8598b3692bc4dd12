// Retry policy for model requests: which typed errors are worth another try, and how long to wait
// (exponential backoff with full jitter; a server's Retry-After wins, up to a cap).
import { isKinemaError } from "../util/errors.ts";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff ceiling in ms; doubles per attempt. */
  baseMs: number;
  /** Largest backoff in ms (also the cap on Retry-After). */
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseMs: 1000, capMs: 60_000 };

/**
 * Rate limits, 5xx, 408/409, timeouts, dropped connections and garbled replies are transient on real
 * servers; other 4xx (bad key, bad request) and local problems (bad_input, unsupported) are not.
 */
export function isRetryable(e: unknown): boolean {
  if (!isKinemaError(e)) return false;
  if (e.fields.retryable === false) return false; // e.g. a reply over the size limit: asking again cannot help
  switch (e.code) {
    case "rate_limited":
    case "timeout":
    case "network":
    case "bad_response":
      return true;
    case "http_status": {
      const s = Number(e.fields.status);
      return s >= 500 || s === 408 || s === 409;
    }
    default:
      return false;
  }
}

/** Delay before retry number `attempt` (1 = first retry) after error `e`. */
export function backoffMs(attempt: number, e: unknown, p: RetryPolicy, random = Math.random): number {
  const ra = isKinemaError(e) ? e.fields.retryAfter : undefined;
  if (typeof ra === "number" && Number.isFinite(ra) && ra >= 0) return Math.min(p.capMs, ra * 1000);
  // Full jitter (uniform in [0, ceiling]) spreads retries of many workers that failed together.
  return random() * Math.min(p.capMs, p.baseMs * 2 ** (attempt - 1));
}

/** Sleeps `ms`, waking early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
