// One engine model call: the adapter with a per-attempt timeout and the retry policy (src/models/retry.ts);
// never throws for a model failure, it returns the typed error so the stage can count and store it.
import { backoffMs, isRetryable, type RetryPolicy, sleep } from "../models/retry.ts";
import type { ModelAdapter, ModelRequest, ModelResponse } from "../models/types.ts";
import type { EngineStore, StepRow } from "../store/engine.ts";
import { isKinemaError } from "../util/errors.ts";

export interface AskOptions {
  timeoutMs: number;
  retry: RetryPolicy;
}

export type AskResult =
  | { ok: true; response: ModelResponse; attempts: number; errors: { code: string; message: string }[] }
  | {
      ok: false;
      error: { code: string; message: string };
      attempts: number;
      errors: { code: string; message: string }[];
    };

export async function ask(adapter: ModelAdapter, req: ModelRequest, o: AskOptions): Promise<AskResult> {
  const errors: { code: string; message: string }[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await adapter.generate(req, AbortSignal.timeout(o.timeoutMs));
      return { ok: true, response, attempts: attempt, errors };
    } catch (e) {
      const err = isKinemaError(e)
        ? { code: e.code, message: e.message }
        : { code: "internal", message: (e as Error)?.message ?? String(e) };
      errors.push(err);
      if (attempt > o.retry.retries || !isRetryable(e))
        return { ok: false, error: err, attempts: attempt, errors };
      await sleep(backoffMs(attempt, e, o.retry));
    }
  }
}

/** What a stage makes of a reply: valid or not, why not, and the data stored beside it. */
export interface ReplyVerdict {
  ok: boolean;
  error: { code: string; message: string } | null;
  data: unknown;
}

/**
 * Stores one asked step: a failed request as `failed` with every attempt's error, a reply as `ok` or `invalid`
 * as `judge` finds it (with its usage).
 */
export function putAsked(
  store: EngineStore,
  base: Pick<StepRow, "stage" | "key" | "model" | "request">,
  r: AskResult,
  judge: (text: string) => ReplyVerdict,
): void {
  if (!r.ok) {
    store.putStep({
      ...base,
      status: "failed",
      reply: null,
      usage: null,
      error: { ...r.error, errors: r.errors },
      data: null,
      attempts: r.attempts,
    });
    return;
  }
  const v = judge(r.response.text);
  store.putStep({
    ...base,
    status: v.ok ? "ok" : "invalid",
    reply: r.response.text,
    usage: (r.response.usage as Record<string, number>) ?? null,
    error: v.error,
    data: v.data,
    attempts: r.attempts,
  });
}

export function addUsage(
  acc: Record<string, number>,
  u: Record<string, number | undefined> | null | undefined,
): void {
  if (!u) return;
  for (const k of ["promptTokens", "completionTokens", "totalTokens"])
    if (typeof u[k] === "number") acc[k] = (acc[k] ?? 0) + (u[k] as number);
}
