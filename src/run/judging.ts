// Judged and caption-scored benchmarks inside a run: answered open-ended samples → judge calls (src/judge)
// committed to the store one by one (never asked twice), aggregates rebuilt from the store, COCO metrics.
import { createHash } from "node:crypto";
import { scoreCaptionRun } from "../benchmarks/caption-ref/index.ts";
import type { Sample, SampleOutcome } from "../benchmarks/types.ts";
import type { JudgeCache } from "../judge/cache.ts";
import {
  aggregateBenchD,
  aggregateGen,
  aggregateQa,
  type BenchDAggregateMode,
  GEN_METRICS,
  isConsistency,
  type JudgeAggregate,
  type JudgeItem,
  type JudgeKind,
  type Judgement,
  judgeItemsFromOutcomes,
  judgeRun,
} from "../judge/index.ts";
import type { ModelAdapter } from "../models/types.ts";
import type { JudgementRow, SampleRow, Store } from "../store/index.ts";
import type { JudgeCalls, RunJudgeOptions } from "./judge-options.ts";
import {
  judgeTempCompassStored,
  tempCompassJudgedAggregate,
  tempCompassJudgeParams,
} from "./tempcompass-judging.ts";

/** The judged aggregate of a run, with exactly `kinema judge`'s keys for the kind, plus who judged. */
export type JudgedSummary = Record<string, unknown> & {
  kind: JudgeKind | "tempcompass";
  judgeKey: string;
  judge: {
    spec: string;
    servedModel: string | null;
    servedModels: string[];
    systemFingerprint: string | null;
    temperature: number | null;
    seed: number | null;
    maxTokens: number | null;
    /** TempCompass: upstream's other sampling settings, as sent. */
    top_p?: number;
    presence_penalty?: number;
    promptSha256: Record<string, string>;
  };
  /** Samples without a model answer (model failures or pending): not judged, counted apart. */
  unanswered: number;
};

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** The judge snapshots that answered (more than one: the judge changed during the run), sorted and joined. */
function servedBy(
  judges: ({ servedModel?: string | null; systemFingerprint?: string | null } | undefined)[],
) {
  const distinct = (xs: (string | null | undefined)[]) =>
    [...new Set(xs.filter((x): x is string => !!x))].sort();
  const served = distinct(judges.map((j) => j?.servedModel));
  const fps = distinct(judges.map((j) => j?.systemFingerprint));
  return {
    servedModel: served.length ? served.join(", ") : null,
    servedModels: served,
    systemFingerprint: fps.length ? fps.join(", ") : null,
  };
}

/** Identity of a judge within a run: spec, server, and the sampling settings that change its replies. */
export function judgeKeyOf(j: {
  spec: string;
  baseUrl?: string | null;
  temperature?: number | null;
  seed?: number | null;
  maxTokens?: number | null;
}): string {
  return sha(
    JSON.stringify({
      spec: j.spec,
      baseUrl: j.baseUrl ?? null,
      temperature: j.temperature ?? null,
      seed: j.seed ?? null,
      maxTokens: j.maxTokens ?? null,
    }),
  ).slice(0, 16);
}

/** One stored row as an outcome of `sample`: a model answer (ok or unparsed), or failed (pending counts too). */
export function rowOutcome(sample: Sample, r: SampleRow): SampleOutcome {
  if (r.status === "pending" || r.status === "failed") return { sample, status: "failed" };
  return {
    sample,
    status: r.status,
    raw: r.raw ?? "",
    parsed: { answer: r.parsed ?? "", ok: r.status === "ok" },
  };
}

/** A stored row joined with its benchmark sample (which carries `scoring`) as the judge sees it. */
export function outcomesOf(rows: SampleRow[], byId: Map<string, Sample>): SampleOutcome[] {
  const out: SampleOutcome[] = [];
  for (const r of rows) {
    const sample = byId.get(r.sampleId);
    if (sample) out.push(rowOutcome(sample, r)); // else a sample the current load no longer has (a smaller --limit)
  }
  return out;
}

/**
 * Metrics one group of items is judged on: the protocol's one metric, or a vcgpt-gen set's own (consistency
 * items: consistency; others: their set's, default correctness/detail/context); `asked` (--metrics) narrows
 * or replaces them among the metrics that apply to the group.
 */
function metricsOf(
  kind: JudgeKind,
  consistency: boolean,
  setMetrics: string[] | undefined,
  asked?: string[],
): string[] {
  if (kind === "vcgpt-qa") return ["open_ended_qa"];
  if (kind === "videorefer-d") return ["bench_d"];
  if (consistency) return !asked?.length || asked.includes("consistency") ? ["consistency"] : [];
  if (asked?.length) return asked.filter((m) => m !== "consistency");
  return setMetrics?.length ? setMetrics : ["correctness", "detail", "context"];
}

/** The explorer's per-sample digest of one item's judgements (all metrics and samples of one judge). */
export function judgeDigest(rows: JudgementRow[]): Record<string, unknown> | null {
  if (!rows.length) return null;
  const js = rows.map((r) => r.judgement as Judgement);
  const line = (j: Judgement) =>
    j.status === "failed"
      ? `(judge call failed: ${j.error?.code ?? "error"}: ${j.error?.message ?? ""})`
      : (j.reply ?? "");
  const single = js.length === 1;
  const reply = single
    ? line(js[0])
    : js.map((j) => `[${j.metric}${j.sample ? ` #${j.sample}` : ""}] ${line(j)}`).join("\n");
  const status = js.some((j) => j.status === "failed")
    ? "failed"
    : js.some((j) => j.status === "unparsed")
      ? "unparsed"
      : "ok";
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const scores: Record<string, number | null> = {};
  for (const m of [...new Set(js.map((j) => j.metric))]) {
    const xs = js
      .filter((j) => j.metric === m)
      .flatMap((j) => {
        if (j.dims) {
          const v = Object.values(j.dims) as number[];
          return v.length === 4 ? [mean(v)!] : [];
        }
        return j.score !== undefined ? [j.score] : [];
      });
    scores[m] = mean(xs);
  }
  const metrics = Object.keys(scores);
  const first = js[0];
  return {
    reply,
    score: metrics.length === 1 ? scores[metrics[0]] : null,
    status,
    ...(metrics.length > 1 ? { scores } : {}),
    ...(first.pred !== undefined ? { verdict: first.pred } : {}),
    ...(first.dims ? { dims: first.dims } : {}),
    metrics,
    judge: {
      spec: first.judge.spec,
      servedModel: first.judge.servedModel,
      temperature: first.judge.temperature,
      seed: first.judge.seed,
      promptSha256: first.judge.promptSha256,
    },
    judgeKey: rows[0].judgeKey,
  };
}

/**
 * Judges a run's answered samples with one judge: items whose judgements (every metric × sample) are all
 * stored already are skipped; each new judgement is committed as it arrives (kill -9 safe); answered
 * replies are served from the store. Failed judgements are asked again only with `retryFailed`.
 */
export async function judgeStoredRun(
  store: Store,
  runId: string,
  outcomes: SampleOutcome[],
  adapter: ModelAdapter,
  o: RunJudgeOptions & { retryFailed?: boolean; signal?: AbortSignal },
): Promise<{ judgeKey: string; kind: JudgeKind | "tempcompass" | null; calls: JudgeCalls }> {
  const calls: JudgeCalls = { asked: 0, cached: 0, skipped: 0 };
  const desc = adapter.describe();
  const baseUrl = typeof desc.baseUrl === "string" ? desc.baseUrl : null;
  const keyOf = (p: { temperature?: number | null; maxTokens?: number | null }) =>
    judgeKeyOf({
      spec: adapter.spec,
      baseUrl,
      temperature: p.temperature,
      seed: o.seed,
      maxTokens: p.maxTokens,
    });
  if (outcomes.some((x) => x.sample.scoring?.judge === "tempcompass")) {
    // TempCompass: upstream's fixed sampling settings are the judge's identity
    const judgeKey = keyOf(tempCompassJudgeParams(o));
    const c = await judgeTempCompassStored(store, runId, outcomes, adapter, judgeKey, o);
    store.patchRunConfig(runId, { judge: { spec: adapter.spec, judgeKey, samples: 1 } });
    return { judgeKey, kind: "tempcompass", calls: c };
  }
  const judgeKey = keyOf(o);
  const K = o.samples ?? 1;
  // vcgpt-gen sets are judged on their own metrics (generic: correctness/detail/context, temporal,
  // consistency), so each set is one judgeRun.
  const groups = new Map<string, SampleOutcome[]>();
  for (const oc of outcomes) {
    if (!oc.sample.scoring?.judge) continue;
    const g = (oc.sample.scoring.metrics ?? []).join(",");
    groups.set(g, [...(groups.get(g) ?? []), oc]);
  }
  let kind: JudgeKind | null = null;
  const done = new Map<string, string>();
  for (const r of store.judgements(runId, judgeKey))
    done.set(`${r.itemId}\0${r.metric}\0${r.sample}`, r.status);
  const cache: JudgeCache = {
    get: (key) => store.cachedJudgeReply(key),
    put: () => {}, // onJudgement stores every judgement (answered or failed) with its run and item
    close: () => {},
  };
  for (const group of groups.values()) {
    const j = judgeItemsFromOutcomes(group);
    if (!j.kind) continue;
    kind = j.kind;
    const metrics = metricsOf(j.kind, j.items.some(isConsistency), j.metrics, o.metrics);
    if (!metrics.length) continue;
    const sampleIdsOf = (item: JudgeItem) =>
      "pred1" in item
        ? group.filter((x) => x.sample.scoring?.pair?.group === item.id).map((x) => x.sample.id)
        : [item.id];
    const todo = j.items.filter((item) => {
      for (const m of metrics)
        for (let k = 0; k < K; k++) {
          const st = done.get(`${item.id}\0${m}\0${k}`);
          if (st === undefined || (st === "failed" && o.retryFailed)) return true;
          if (st === "unparsed" && (o.reparse ?? 0) > 0) return true;
        }
      calls.skipped++;
      return false;
    });
    if (!todo.length) continue;
    const ids = new Map(todo.map((item) => [item.id, sampleIdsOf(item)]));
    await judgeRun(j.kind, todo, adapter, {
      metrics: j.kind === "vcgpt-gen" ? metrics : undefined,
      samples: K,
      temperature: o.temperature,
      seed: o.seed,
      maxTokens: o.maxTokens,
      concurrency: o.concurrency,
      retry: o.retry,
      timeoutMs: o.timeoutMs,
      cache,
      signal: o.signal,
      reparse: o.reparse,
      onJudgement: (jj) => {
        if (jj.cached) calls.cached++;
        else calls.asked++;
        store.recordJudgement(
          {
            runId,
            judgeKey,
            itemId: jj.id,
            metric: jj.metric,
            sample: jj.sample,
            kind: jj.kind,
            status: jj.status,
            cacheKey: jj.cacheKey,
            reply: jj.reply ?? null,
            judgement: jj as unknown as Record<string, unknown>,
            sampleIds: ids.get(jj.id) ?? [jj.id],
          },
          judgeDigest,
        );
      },
    });
  }
  if (kind) store.patchRunConfig(runId, { judge: { spec: adapter.spec, judgeKey, samples: K } });
  return { judgeKey, kind, calls };
}

/**
 * The judged aggregate of a run from its stored judgements (one judge: `judgeKey`, default the most
 * recent), computed exactly as `kinema judge` computes it; null when the run was never judged.
 */
export function judgedSummary(
  store: Store,
  runId: string,
  opts: { judgeKey?: string; samples?: number; aggregate?: BenchDAggregateMode } = {},
): JudgedSummary | null {
  const keys = store.judgeKeys(runId);
  const judgeKey = opts.judgeKey ?? keys.at(-1)?.judgeKey;
  if (!judgeKey) return null;
  const rows = store
    .judgements(runId, judgeKey)
    .filter((r) => opts.samples === undefined || r.sample < opts.samples);
  if (!rows.length) return null;
  const unanswered = () =>
    store.samples(runId).filter((s) => s.status === "failed" || s.status === "pending").length;
  if (rows[0].kind === "tempcompass") {
    const j0 = rows[0].judgement.judge;
    return {
      kind: "tempcompass",
      ...tempCompassJudgedAggregate(rows),
      judgeKey,
      judge: {
        spec: j0.spec,
        ...servedBy(rows.map((r) => r.judgement.judge)),
        temperature: j0.temperature,
        seed: j0.seed,
        maxTokens: j0.maxTokens,
        top_p: j0.topP,
        presence_penalty: j0.presencePenalty,
        promptSha256: Object.fromEntries(
          [...new Set(rows.map((r) => r.judgement.task as string))]
            .sort()
            .map((t) => [t, rows.find((r) => r.judgement.task === t)!.judgement.judge.promptSha256]),
        ),
      },
      unanswered: unanswered(),
    };
  }
  const js = rows.map((r) => r.judgement as Judgement);
  const kind = js[0].kind as JudgeKind;
  const nItems = new Set(rows.map((r) => r.itemId)).size;
  const present = new Set(js.map((j) => j.metric));
  const aggregate: JudgeAggregate =
    kind === "vcgpt-qa"
      ? aggregateQa(js, nItems)
      : kind === "videorefer-d"
        ? aggregateBenchD(js, nItems, opts.aggregate)
        : aggregateGen(
            js,
            GEN_METRICS.filter((m) => present.has(m)),
            nItems,
          );
  const first = js[0].judge;
  return {
    kind,
    ...aggregate,
    judgeKey,
    judge: {
      spec: first.spec,
      ...servedBy(js.filter((j) => j.status !== "failed").map((j) => j.judge)),
      temperature: first.temperature,
      seed: js.find((j) => j.sample === 0)?.judge.seed ?? first.seed,
      maxTokens: first.maxTokens,
      promptSha256: Object.fromEntries(
        [...present].sort().map((m) => [m, js.find((j) => j.metric === m)!.judge.promptSha256]),
      ),
    },
    unanswered: unanswered(),
  };
}

/** COCO caption metrics of a run whose samples carry reference captions; null for other benchmarks. */
export function captionSummary(rows: SampleRow[], byId: Map<string, Sample>) {
  const outcomes = outcomesOf(rows, byId).filter((x) => x.sample.scoring?.references);
  if (!outcomes.length) return null;
  const { items: _items, ...r } = scoreCaptionRun(outcomes);
  return r;
}
