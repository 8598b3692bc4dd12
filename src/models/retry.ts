// Retry policy for model requests: which typed errors are worth another try, how long to wait (exponential
// backoff with full jitter; a server's Retry-After wins, up to a cap), and the one retry loop around
// `adapter.generate` that the runner and the judge share.
import { isKinemaError } from "../util/errors.ts";
import type { Limiter } from "./limiter.ts";
import type { ModelAdapter, ModelRequest, ModelResponse } from "./types.ts";

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

/** How one request is asked again: the policy, a per-attempt timeout, and the caller's hooks. */
export interface RetryOptions {
  policy: RetryPolicy;
  /** Per-attempt timeout (ms). */
  timeoutMs: number;
  /** The caller's signal: once it aborts, no further attempt starts and the call throws. */
  signal?: AbortSignal;
  /** Slots for requests in flight, held only during an attempt, never during backoff. */
  limiter?: Limiter;
  onAttempt?(a: { attempt: number; ok: boolean; error?: unknown; latencyMs: number }): void;
  /** Called before each backoff with the wait it will honour (queue workers slow every worker by a 429's). */
  onRetryWait?(waitMs: number, error: unknown): void | Promise<void>;
}

/** An answer and what it took: attempts made here, and the latency of the attempt that answered. */
export interface Answered {
  res: ModelResponse;
  attempts: number;
  latencyMs: number;
}

/**
 * `adapter.generate` with bounded retries of transient errors (the runner's and the judge's one loop).
 * Throws the last error, with `attempts` set on it, when no attempt answered; throws the signal's reason
 * when the caller's signal aborts (even after an answer: an interrupted sample stays pending).
 */
export async function generateWithRetries(
  adapter: ModelAdapter,
  req: ModelRequest,
  o: RetryOptions,
): Promise<Answered> {
  for (let attempt = 1; ; attempt++) {
    await o.limiter?.acquire();
    const t0 = performance.now();
    let res: ModelResponse | undefined;
    let err: unknown;
    try {
      const timeout = AbortSignal.timeout(o.timeoutMs);
      res = await adapter.generate(req, o.signal ? AbortSignal.any([o.signal, timeout]) : timeout);
    } catch (e) {
      err = e;
    }
    o.limiter?.release(res ? "ok" : isKinemaError(err, "rate_limited") ? "rate_limited" : "error");
    const latencyMs = performance.now() - t0;
    if (o.signal?.aborted) throw o.signal.reason ?? err;
    o.onAttempt?.({ attempt, ok: Boolean(res), error: res ? undefined : err, latencyMs });
    if (res) return { res, attempts: attempt, latencyMs };
    if (!isRetryable(err) || attempt > o.policy.retries) {
      if (err && typeof err === "object") (err as { attempts?: number }).attempts = attempt;
      throw err;
    }
    const wait = backoffMs(attempt, err, o.policy);
    await o.onRetryWait?.(wait, err);
    await sleep(wait, o.signal);
  }
}
