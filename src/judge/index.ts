// LLM judges: the six Video-ChatGPT judges and the VideoRefer-Bench-D judge with the upstream prompts, any
// chat model through a ModelAdapter, bounded retries, a reply cache, and strict accounting. The runner
// (`kinema eval --judge`) and `kinema judge` both call judgeRun.
import { createHash } from "node:crypto";
import type { SampleOutcome } from "../benchmarks/types.ts";
import { DEFAULT_RETRY, generateWithRetries, type RetryPolicy } from "../models/retry.ts";
import type { ModelAdapter, ModelResponse } from "../models/types.ts";
import { errorRecord, KinemaError } from "../util/errors.ts";
import {
  aggregateBenchD,
  aggregateGen,
  aggregateQa,
  type BenchDAggregate,
  type BenchDAggregateMode,
  type GenAggregate,
  type Judgement,
  type JudgeRecord,
  type QaAggregate,
} from "./aggregate.ts";
import { type JudgeCache, openJudgeCache } from "./cache.ts";
import { isConsistency, type JudgeItem, type JudgeKind } from "./inputs.ts";
import { parseBenchDReply, parseVcgptReply } from "./parse.ts";
import { type JudgePrompt, VCGPT_PROMPTS, type VcgptJudgeKey, VIDEOREFER_D_SYSTEM } from "./prompts.ts";

export * from "./aggregate.ts";
export { openJudgeCache } from "./cache.ts";
export * from "./inputs.ts";
export { parseBenchDReply, parseVcgptReply, yesNo } from "./parse.ts";
export { VCGPT_PROMPTS, VIDEOREFER_D_SYSTEM } from "./prompts.ts";

/** Generative metrics (keys of VCGPT_PROMPTS) in Video-ChatGPT's order. */
export const GEN_METRICS = ["correctness", "detail", "context", "temporal", "consistency"] as const;
export type GenMetricName = (typeof GEN_METRICS)[number];

const BENCH_D_USER_TEMPLATE = "##Correct answer: {caption}\n##Predicted answer: {pred}\n";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Hash identifying a judge prompt: sha256 of system, NUL, user template. */
export function promptHash(p: JudgePrompt): string {
  return sha256(`${p.system}\u0000${p.user}`);
}

export function judgePrompt(metric: string): JudgePrompt {
  if (metric === "bench_d") return { system: VIDEOREFER_D_SYSTEM, user: BENCH_D_USER_TEMPLATE };
  const p = VCGPT_PROMPTS[metric as VcgptJudgeKey];
  if (!p) throw new KinemaError("bad_spec", `unknown judge metric "${metric}"`, { field: "metric" });
  return p;
}

/** Fills {placeholders} in one pass (values are never re-scanned, so braces in predictions are safe). */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(
    /\{(question1|question2|question|answer|pred1|pred2|pred|caption)\}/g,
    (m, k: string) => (values[k] !== undefined ? values[k] : m),
  );
}

/** The exact messages upstream sends for one item and metric. */
export function judgeMessages(metric: string, item: JudgeItem): { system: string; user: string } {
  const p = judgePrompt(metric);
  const values: Record<string, string> = isConsistency(item)
    ? { ...item }
    : "caption" in item
      ? { caption: item.caption, pred: item.pred }
      : { question: item.question, answer: item.answer, pred: item.pred };
  return { system: p.system, user: fillTemplate(p.user, values) };
}

export interface JudgeOptions {
  /** vcgpt-gen: which metrics (default: consistency for consistency items, else correctness, detail, context). */
  metrics?: string[];
  /** Judgements per item (--judge-samples K); default 1. */
  samples?: number;
  /** Sent only when set; null/undefined = server default (1.0 on OpenAI, as upstream). */
  temperature?: number;
  /** Base seed; sample k uses seed + k. */
  seed?: number;
  maxTokens?: number;
  concurrency?: number;
  retry?: RetryPolicy;
  /** Per-attempt timeout (ms). */
  timeoutMs?: number;
  /** A cache, or a path to open one (closed when the run ends). */
  cache?: JudgeCache | string;
  signal?: AbortSignal;
  onJudgement?: (j: Judgement) => void;
  /**
   * Re-asks of a reply that does not parse (--judge-reparse K; default 0: one ask, as kinema always did).
   * Upstream Video-ChatGPT re-asks without bound until ast.literal_eval succeeds; the Bench-D scripts never do.
   */
  reparse?: number;
  /** VideoRefer-Bench-D averaging (default `official`, upstream's). */
  aggregate?: BenchDAggregateMode;
}

export type JudgeAggregate = QaAggregate | GenAggregate | BenchDAggregate;

export interface JudgeRunResult {
  kind: JudgeKind;
  aggregate: JudgeAggregate;
  judgements: Judgement[];
  /** The judge's identity for the report (from the first answered call). */
  judge: Omit<JudgeRecord, "promptSha256"> & {
    promptSha256: Record<string, string>;
    /** Distinct served models seen (more than one: the snapshot changed mid-run). */
    servedModels: string[];
    adapter: Record<string, unknown>;
  };
}

function metricsFor(kind: JudgeKind, items: JudgeItem[], asked?: string[]): string[] {
  if (kind === "vcgpt-qa") return ["open_ended_qa"];
  if (kind === "videorefer-d") return ["bench_d"];
  if (asked?.length) {
    for (const m of asked)
      if (!(GEN_METRICS as readonly string[]).includes(m))
        throw new KinemaError(
          "bad_spec",
          `unknown generative metric "${m}" (use ${GEN_METRICS.join(", ")})`,
          {
            field: "metrics",
          },
        );
    return asked;
  }
  return items.some(isConsistency) ? ["consistency"] : ["correctness", "detail", "context"];
}

/** Which items a metric applies to: consistency needs Q1/Q2 items, the others plain QA items. */
const applies = (metric: string, item: JudgeItem) =>
  metric === "consistency"
    ? isConsistency(item)
    : metric === "bench_d"
      ? "caption" in item
      : !isConsistency(item) && !("caption" in item);

async function callWithRetries(
  adapter: ModelAdapter,
  messages: { system: string; user: string },
  params: { temperature?: number; seed?: number; maxTokens?: number },
  opts: JudgeOptions,
): Promise<{ res?: ModelResponse; error?: unknown; attempts: number }> {
  try {
    const a = await generateWithRetries(
      adapter,
      {
        messages: [
          { role: "system", content: messages.system },
          { role: "user", content: messages.user },
        ],
        images: [],
        params,
      },
      { policy: opts.retry ?? DEFAULT_RETRY, timeoutMs: opts.timeoutMs ?? 120_000, signal: opts.signal },
    );
    return { res: a.res, attempts: a.attempts + (a.res.attempts ? a.res.attempts - 1 : 0) };
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    return { error: e, attempts: (e as { attempts?: number })?.attempts ?? 1 };
  }
}

/**
 * Judges predictions: for each item, metric and sample index one judge call (cached), parsed as
 * upstream, then aggregated as upstream with failures and unparsed replies counted and listed.
 */
export async function judgeRun(
  kind: JudgeKind,
  items: JudgeItem[],
  adapter: ModelAdapter,
  opts: JudgeOptions = {},
): Promise<JudgeRunResult> {
  const metrics = metricsFor(kind, items, opts.metrics);
  const K = opts.samples ?? 1;
  if (!Number.isInteger(K) || K < 1)
    throw new KinemaError("bad_spec", "--judge-samples must be a positive integer", {
      field: "judge-samples",
    });
  const R = opts.reparse ?? 0;
  if (!Number.isInteger(R) || R < 0)
    throw new KinemaError("bad_spec", "--judge-reparse must be a non-negative integer", {
      field: "judge-reparse",
    });
  const ownCache = typeof opts.cache === "string";
  const cache = typeof opts.cache === "string" ? openJudgeCache(opts.cache) : opts.cache;
  const desc = adapter.describe();
  const baseUrl = typeof desc.baseUrl === "string" ? desc.baseUrl : null;
  const hashes = Object.fromEntries(metrics.map((m) => [m, promptHash(judgePrompt(m))]));
  const tasks: { item: JudgeItem; metric: string; sample: number }[] = [];
  for (const metric of metrics)
    for (const item of items)
      if (applies(metric, item)) for (let k = 0; k < K; k++) tasks.push({ item, metric, sample: k });

  const judgements: Judgement[] = new Array(tasks.length);
  // every snapshot that answered: more than one means the judge changed during the run
  const served = new Set<string>();
  const fingerprints = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const t = next++;
      const { item, metric, sample } = tasks[t];
      const messages = judgeMessages(metric, item);
      const params = {
        ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed + sample } : {}),
        ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
      };
      const cacheKey = sha256(
        JSON.stringify({ judge: adapter.spec, baseUrl, params, prompt: hashes[metric], messages, sample }),
      );
      const record: JudgeRecord = {
        spec: adapter.spec,
        servedModel: null,
        systemFingerprint: null,
        temperature: opts.temperature ?? null,
        seed: params.seed ?? null,
        maxTokens: opts.maxTokens ?? null,
        promptSha256: hashes[metric],
      };
      const base = { kind, metric, id: item.id, sample, judge: record, cacheKey };
      // Unreadable replies are asked again up to `reparse` times (upstream Video-ChatGPT loops until one parses).
      let j!: Judgement;
      let totalAttempts = 0;
      for (let ask = 0; ; ask++) {
        let reply: string | undefined;
        let cached = false;
        let attempts = 0;
        let truncated: Judgement["truncated"];
        // a re-ask goes to the judge, never to the cache (which holds the unreadable reply)
        const hit = ask === 0 ? cache?.get(cacheKey) : undefined;
        if (hit) {
          reply = hit.reply;
          cached = true;
          record.servedModel = hit.servedModel;
          record.systemFingerprint = hit.systemFingerprint;
        } else {
          const r = await callWithRetries(adapter, messages, params, opts);
          attempts = r.attempts;
          if (r.res) {
            reply = r.res.text;
            if (r.res.truncated) truncated = r.res.truncated;
            record.servedModel = r.res.servedModel ?? null;
            record.systemFingerprint = r.res.systemFingerprint ?? null;
            cache?.put(
              cacheKey,
              { reply, servedModel: record.servedModel, systemFingerprint: record.systemFingerprint },
              { kind, metric, id: item.id, sample, judge: record },
            );
          } else {
            j = { ...base, status: "failed", error: errorRecord(r.error), cached, attempts };
            if (ask > 0) j.reasks = ask;
            break;
          }
        }
        if (record.servedModel) served.add(record.servedModel);
        if (record.systemFingerprint) fingerprints.add(record.systemFingerprint);
        if (metric === "bench_d") {
          const p = parseBenchDReply(reply);
          j = {
            ...base,
            status: p.missing.length ? "unparsed" : "ok",
            reply,
            dims: p.scores,
            ...(p.missing.length
              ? { missing: p.missing, reason: "dimension(s) not found by the upstream regex" }
              : {}),
            cached,
            attempts,
          };
        } else {
          const p = parseVcgptReply(reply);
          j = {
            ...base,
            status: p.status,
            reply,
            ...(p.reason ? { reason: p.reason } : {}),
            ...(p.score !== undefined ? { score: p.score } : {}),
            ...(p.pred !== undefined ? { pred: p.pred } : {}),
            cached,
            attempts,
          };
        }
        totalAttempts += attempts;
        if (truncated) j.truncated = truncated;
        if (j.status !== "unparsed" || ask >= (opts.reparse ?? 0) || opts.signal?.aborted) {
          if (ask > 0) {
            j.reasks = ask;
            j.attempts = totalAttempts;
          }
          break;
        }
      }
      judgements[t] = j;
      opts.onJudgement?.(j);
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, tasks.length)) }, worker),
    );
  } finally {
    if (ownCache) cache?.close();
  }
  const nItems = items.length;
  const aggregate =
    kind === "vcgpt-qa"
      ? aggregateQa(judgements, nItems)
      : kind === "videorefer-d"
        ? aggregateBenchD(judgements, nItems, opts.aggregate)
        : aggregateGen(judgements, metrics, nItems);
  return {
    kind,
    aggregate,
    judgements,
    judge: {
      spec: adapter.spec,
      servedModel: served.size ? [...served].sort().join(", ") : null,
      systemFingerprint: fingerprints.size ? [...fingerprints].sort().join(", ") : null,
      servedModels: [...served].sort(),
      temperature: opts.temperature ?? null,
      seed: opts.seed ?? null,
      maxTokens: opts.maxTokens ?? null,
      promptSha256: hashes,
      adapter: desc,
    },
  };
}

/**
 * Turns a run's answered open-ended samples into judge items (for `kinema eval --judge`): the model's raw
 * output is the prediction; consistency pairs (scoring.pair) become one item once both parts answered.
 * Samples without an answer are returned in `unanswered` (they are failures of the run, not of the judge).
 */
export function judgeItemsFromOutcomes(outcomes: SampleOutcome[]): {
  kind: JudgeKind | null;
  items: JudgeItem[];
  metrics?: string[];
  unanswered: string[];
} {
  const kinds = new Set(outcomes.map((o) => o.sample.scoring?.judge).filter((k) => k !== undefined));
  if (kinds.size > 1)
    throw new KinemaError(
      "bad_input",
      `samples of several judge protocols in one run: ${[...kinds].join(", ")}`,
    );
  const kind = (kinds.values().next().value ?? null) as JudgeKind | null;
  const unanswered: string[] = [];
  const items: JudgeItem[] = [];
  const metrics = new Set<string>();
  const pairs = new Map<string, { 1?: SampleOutcome; 2?: SampleOutcome }>();
  for (const o of outcomes) {
    const s = o.sample;
    for (const m of s.scoring?.metrics ?? []) metrics.add(m);
    if (o.status === "failed" || o.raw === undefined) {
      unanswered.push(s.id);
      continue;
    }
    const pair = s.scoring?.pair;
    if (pair) {
      const e = pairs.get(pair.group) ?? {};
      e[pair.part] = o;
      pairs.set(pair.group, e);
      continue;
    }
    if (kind === "videorefer-d") items.push({ id: s.id, caption: s.answer, pred: o.raw });
    else items.push({ id: s.id, question: s.question, answer: s.answer, pred: o.raw });
  }
  for (const [group, e] of pairs) {
    if (!e[1] || !e[2]) continue; // the missing half is already in `unanswered`
    items.push({
      id: group,
      question1: e[1].sample.question,
      question2: e[2].sample.question,
      answer: e[1].sample.answer,
      pred1: e[1].raw!,
      pred2: e[2].raw!,
    });
  }
  return { kind, items, ...(metrics.size ? { metrics: [...metrics] } : {}), unanswered };
}
