// TempCompass's LLM judge inside a run (`kinema eval --bench tempcompass:DIR --judge SPEC`, `kinema judge
// tempcompass --run`): replies no rule matches get eval_utils.py's judge (retried until the reply holds
// "Correct"/"Incorrect", 11 tries), captions get eval_captioning.py's (the caption answers the paired
// multi-choice question); upstream's system message and sampling settings. Each verdict is committed as it
// arrives (kill -9 keeps it) with the sample's digest, which the benchmark's summary folds into print_result.
import { createHash } from "node:crypto";
import {
  askCaptionJudge,
  askRuleJudge,
  type JudgeCall,
  OFFICIAL_TRIES,
  type TcJudgeItem,
  tempCompassJudgeItems,
  tempCompassJudgeParams,
  tempCompassVerdict,
} from "../benchmarks/tempcompass/evaluate.ts";
import {
  CAPTION_EVALUATION_PROMPT,
  evaluationPrompt,
  JUDGE_SYSTEM,
} from "../benchmarks/tempcompass/official.ts";
import type { SampleOutcome } from "../benchmarks/types.ts";
import { sleep } from "../models/retry.ts";
import type { ModelAdapter } from "../models/types.ts";
import type { JudgementRow, Store } from "../store/index.ts";
import { errorRecord, KinemaError } from "../util/errors.ts";
import type { JudgeCalls, RunJudgeOptions } from "./judge-options.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export { type TcJudgeItem, tempCompassJudgeItems, tempCompassJudgeParams };

/** The prompt template hashes recorded with every verdict (system + NUL + template). */
export const TC_PROMPT_SHA256 = {
  "multi-choice": sha256(`${JUDGE_SYSTEM}\u0000${evaluationPrompt("multi-choice")}`),
  yes_no: sha256(`${JUDGE_SYSTEM}\u0000${evaluationPrompt("yes_no")}`),
  caption_matching: sha256(`${JUDGE_SYSTEM}\u0000${evaluationPrompt("caption_matching")}`),
  captioning: sha256(`${JUDGE_SYSTEM}\u0000${CAPTION_EVALUATION_PROMPT}`),
};

/** A stored TempCompass verdict (the judgements table's JSON). */
export interface TcJudgement {
  kind: "tempcompass";
  metric: "match" | "captioning";
  task: string;
  id: string;
  sample: 0;
  /** ok: rated from a reply; unparsed: upstream's fallback rating (no reply held Correct/Incorrect after all
   *  tries, or an empty caption verdict: -1); failed: every try failed (upstream's 0 / -1; asked again on a
   *  re-run). */
  status: "ok" | "unparsed" | "failed";
  rating: number;
  reply: string | null;
  /** Captioning: parse_llm_output's answer and reasoning. */
  answer?: string | null;
  reasoning?: string | null;
  tries: number;
  /** The failed calls' errors (a call that failed is one try). */
  errors?: ReturnType<typeof errorRecord>[];
  cached: boolean;
  cacheKey: string;
  judge: {
    spec: string;
    servedModel: string | null;
    systemFingerprint: string | null;
    temperature: number;
    seed: number | null;
    maxTokens: number;
    topP: number;
    presencePenalty: number;
    promptSha256: string;
  };
}

/** The digest stored on the sample: what the summary and the explorer read. */
export function tempCompassDigest(rows: JudgementRow[]): Record<string, unknown> | null {
  const r = rows.at(-1);
  if (!r) return null;
  const j = r.judgement as TcJudgement;
  return {
    reply: j.reply ?? `(judge call failed ${j.tries} times: ${j.errors?.at(-1)?.message ?? ""})`,
    status: j.status,
    rating: j.rating,
    verdict: j.rating === 1 ? "correct" : j.rating === 0 ? "incorrect" : "invalid",
    ...(j.metric === "captioning" ? { answer: j.answer ?? null, reasoning: j.reasoning ?? null } : {}),
    tries: j.tries,
    metrics: [j.metric],
    judge: {
      spec: j.judge.spec,
      servedModel: j.judge.servedModel,
      temperature: j.judge.temperature,
      maxTokens: j.judge.maxTokens,
      top_p: j.judge.topP,
      presence_penalty: j.judge.presencePenalty,
      promptSha256: j.judge.promptSha256,
    },
    judgeKey: r.judgeKey,
  };
}

/**
 * Judges a TempCompass run's rule-failed replies and captions with one judge: verdicts already stored
 * (ok or unparsed; failed ones too unless `retryFailed`) are not asked again; a reply another run got for the
 * same judge and message is reused.
 */
export async function judgeTempCompassStored(
  store: Store,
  runId: string,
  outcomes: SampleOutcome[],
  adapter: ModelAdapter,
  judgeKey: string,
  o: RunJudgeOptions & { retryFailed?: boolean; signal?: AbortSignal },
): Promise<JudgeCalls> {
  const calls: JudgeCalls = { asked: 0, cached: 0, skipped: 0 };
  if (o.samples !== undefined && o.samples !== 1)
    throw new KinemaError(
      "bad_spec",
      "--judge-samples does not apply to TempCompass (one verdict per reply, as upstream)",
      {
        field: "judge-samples",
      },
    );
  const params = tempCompassJudgeParams(o);
  const tries = o.reparse !== undefined ? o.reparse + 1 : OFFICIAL_TRIES;
  if (!Number.isInteger(tries) || tries < 1)
    throw new KinemaError("bad_spec", "--judge-reparse must be a non-negative integer", {
      field: "judge-reparse",
    });
  const desc = adapter.describe();
  const baseUrl = typeof desc.baseUrl === "string" ? desc.baseUrl : null;
  const done = new Map(store.judgements(runId, judgeKey).map((r) => [r.itemId, r.status]));
  const todo = tempCompassJudgeItems(outcomes).filter((it) => {
    const st = done.get(it.id);
    if (st === undefined || (st === "failed" && o.retryFailed)) return true;
    calls.skipped++;
    return false;
  });
  const baseMs = o.retry?.baseMs ?? 1000;
  let next = 0;
  const worker = async () => {
    while (next < todo.length && !o.signal?.aborted) {
      const item = todo[next++];
      const promptSha256 = TC_PROMPT_SHA256[item.task as keyof typeof TC_PROMPT_SHA256];
      const cacheKey = sha256(
        JSON.stringify({
          judge: adapter.spec,
          baseUrl,
          params,
          prompt: promptSha256,
          system: JUDGE_SYSTEM,
          user: item.user,
          tries,
        }),
      );
      const record: TcJudgement["judge"] = {
        spec: adapter.spec,
        servedModel: null,
        systemFingerprint: null,
        temperature: params.temperature,
        seed: o.seed ?? null,
        maxTokens: params.maxTokens,
        topP: params.topP,
        presencePenalty: params.presencePenalty,
        promptSha256,
      };
      const errors: ReturnType<typeof errorRecord>[] = [];
      let v: ReturnType<typeof tempCompassVerdict>;
      let cached = false;
      const hit = store.cachedJudgeReply(cacheKey);
      if (hit) {
        cached = true;
        record.servedModel = hit.servedModel;
        record.systemFingerprint = hit.systemFingerprint;
        v = tempCompassVerdict(item, hit.reply, 0);
        calls.cached++;
      } else {
        let attempt = 0;
        // One try = one request, as upstream's requests.post; a failed one waits 1–2 × baseMs (upstream: 1–2 s).
        const call: JudgeCall = async (user) => {
          attempt++;
          try {
            const timeout = AbortSignal.timeout(o.timeoutMs ?? 120_000);
            const res = await adapter.generate(
              {
                messages: [
                  { role: "system", content: JUDGE_SYSTEM },
                  { role: "user", content: user },
                ],
                images: [],
                params,
              },
              o.signal ? AbortSignal.any([o.signal, timeout]) : timeout,
            );
            record.servedModel = res.servedModel ?? record.servedModel;
            record.systemFingerprint = res.systemFingerprint ?? record.systemFingerprint;
            return res.text;
          } catch (e) {
            if (o.signal?.aborted) throw e;
            errors.push(errorRecord(e));
            if (attempt < tries) await sleep(baseMs * (1 + Math.random()), o.signal);
            return null;
          }
        };
        if (item.metric === "captioning") {
          const r = await askCaptionJudge(call, item.user, item.gt, tries);
          v = tempCompassVerdict(item, r.reply, r.tries);
        } else {
          const r = await askRuleJudge(call, item.user, tries);
          v = tempCompassVerdict(item, r.reply, r.tries);
        }
        calls.asked += attempt;
      }
      const j: TcJudgement = {
        kind: "tempcompass",
        metric: item.metric,
        task: item.task,
        id: item.id,
        sample: 0,
        ...v,
        ...(errors.length ? { errors } : {}),
        cached,
        cacheKey,
        judge: record,
      };
      store.recordJudgement(
        {
          runId,
          judgeKey,
          itemId: item.id,
          metric: item.metric,
          sample: 0,
          kind: "tempcompass",
          status: j.status,
          cacheKey,
          reply: j.reply,
          judgement: j as unknown as Record<string, unknown>,
          sampleIds: [item.id],
        },
        tempCompassDigest,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 4, todo.length)) }, worker));
  return calls;
}

/** The judged part of a TempCompass run's summary: verdict counts and the items that did not rate cleanly
 *  (the official numbers themselves are print_result's, in the run's `official` block). */
export function tempCompassJudgedAggregate(rows: JudgementRow[]) {
  const js = rows.map((r) => r.judgement as TcJudgement);
  const ref = (j: TcJudgement) => ({
    id: j.id,
    metric: j.metric,
    rating: j.rating,
    tries: j.tries,
    ...(j.reply !== null ? { reply: j.reply } : {}),
    ...(j.errors?.length ? { error: j.errors.at(-1) } : {}),
  });
  return {
    n: js.length,
    match: js.filter((j) => j.metric === "match").length,
    captioning: js.filter((j) => j.metric === "captioning").length,
    ok: js.filter((j) => j.status === "ok").length,
    unparsed: js.filter((j) => j.status === "unparsed").length,
    failed: js.filter((j) => j.status === "failed").length,
    tries: js.reduce((a, j) => a + j.tries, 0),
    failed_items: js.filter((j) => j.status === "failed").map(ref),
    unparsed_items: js.filter((j) => j.status === "unparsed").map(ref),
  };
}
