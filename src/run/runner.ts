// The evaluation runner: plan (plan.ts: resume, samples, settings, identity) → a pump of workers that prepare
// each sample's frames and request and ask the model (sample-exec.ts), or a distributed executor → results
// committed to the store one by one, so any run can be continued → the summary and output files.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Benchmark, Sample } from "../benchmarks/types.ts";
import { createAdapter } from "../models/index.ts";
import { createLimiter } from "../models/limiter.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "../models/retry.ts";
import type { ModelAdapter } from "../models/types.ts";
import { openStore, type RunRow, type Store } from "../store/index.ts";
import { KinemaError } from "../util/errors.ts";
import { acquireLock, runLockPath } from "../util/lock.ts";
import type { JudgeCalls } from "./judge-options.ts";
import { captionSummary, judgedSummary, judgeStoredRun, outcomesOf } from "./judging.ts";
import { normalizePerturbation } from "./perturb.ts";
import {
  loadRunSamples,
  type RunIdentity,
  type RunSamples,
  resumeOptions,
  runIdentity,
  runIdOf,
  runSettings,
  slug,
} from "./plan.ts";
import { createProgress, type Progress, type ProgressCounts } from "./progress.ts";
import { summarizeRun, writeRunOutputs } from "./report.ts";
import {
  type AttemptRecord,
  addTokens,
  askSample,
  clipInfoOf,
  type ExecContext,
  failedResult,
  type Prepared,
  prepareSample,
  type RequestSettings,
  type TokenTotals,
} from "./sample-exec.ts";
import type { EvalDeps, EvalOptions, EvalResult } from "./types.ts";
import { type Dispatch, WORK_ITEM_VERSION } from "./work-item.ts";

export {
  benchFileHash,
  canonicalFrames,
  IDENTITY_KEYS,
  identityHash,
  parseShard,
  runIdOf,
} from "./plan.ts";
export {
  canonicalJson,
  evenPick,
  type FrameLoader,
  sentDigest,
  type TokenTotals,
} from "./sample-exec.ts";
export type {
  BenchmarkHooks,
  EvalDeps,
  EvalOptions,
  EvalResult,
  ResolvedBenchmark,
  Shard,
} from "./types.ts";

/** Runs (or continues) one evaluation; returns its summary. Throws KinemaError on bad specs/inputs. */
export async function runEval(o: EvalOptions, deps: EvalDeps): Promise<EvalResult> {
  const store = openStore(o.runDir ?? "runs");
  try {
    return await evaluate(o, deps, store);
  } finally {
    store.close();
  }
}

/** One evaluation: plan (resume, samples, settings, identity), prepare and ask in a pump, record. */
async function evaluate(given: EvalOptions, deps: EvalDeps, store: Store): Promise<EvalResult> {
  const { o, resumed } = resumeOptions(given, store);
  const { bench, model, concurrency } = checkRequired(o, deps);
  const perturbation = normalizePerturbation(o.framePerturbation);
  deps.checkOptions?.(o.frames, o.fit);
  const rs = await loadRunSamples({ ...o, bench }, deps);
  // Told at once, so the problems are seen even when the run then fails.
  if (rs.issues.length) o.onLoadIssues?.(rs.issues);
  if (o.judge && !rs.judgeProtocol)
    throw new KinemaError(
      "bad_spec",
      `--judge applies to judged benchmarks (activitynet-qa, msvd-qa, msrvtt-qa, tgif-qa, vcgpt-gen, videorefer-d, tempcompass), not ${rs.rb.name}`,
      { field: "judge" },
    );
  const adapter = await (deps.createAdapter ?? createAdapter)(model, o.modelOptions ?? {});
  let judgeAdapter: ModelAdapter | undefined;
  let releaseLock: (() => void) | undefined;
  try {
    // Created up front so a bad judge spec fails before any model call.
    if (o.judge)
      judgeAdapter = await (deps.createAdapter ?? createAdapter)(o.judge.spec, {
        baseUrl: o.judge.baseUrl,
        apiKeyEnv: o.judge.apiKeyEnv,
        env: o.modelOptions?.env,
      });
    const st = runSettings(o, adapter, rs.rb.benchmark, perturbation);
    const id = runIdentity({ ...o, bench }, rs, adapter, st);
    // One writer per run: a second eval of the same run refuses at once instead of asking everything again.
    releaseLock = acquireLock(
      runLockPath(store.dir, resumed?.configHash ?? id.configHash),
      `run ${resumed?.id ?? `${slug(rs.rb.name)}-${slug(adapter.spec)}-${id.configHash.slice(0, 10)}`}`,
    );
    const opened = openRun(store, { ...o, bench }, rs, adapter, id, resumed);
    const ctx = execContext(o, deps, rs.rb.benchmark, adapter, st, id.config.describe, concurrency);
    await preflight(o, store, opened, [o.queue ? undefined : adapter, judgeAdapter], ctx.signal);
    const c0 = store.counts(opened.run.id);
    const counts: ProgressCounts = {
      total: rs.samples.length,
      done: rs.samples.length - opened.todo.length,
      ok: c0.ok,
      failed: o.retryFailed ? 0 : c0.failed,
      unparsed: c0.unparsed,
    };
    const progress =
      o.progress === false || o.progress === undefined
        ? undefined
        : o.progress === true
          ? createProgress(`${rs.rb.name} × ${adapter.spec}`)
          : o.progress;
    const sink: Sink = { store, runId: opened.run.id, counts, progress };
    const tally = o.queue
      ? await dispatchRemote(deps.dispatch!, o.queue, ctx, rs, id, opened.todo, sink)
      : await pumpLocal(ctx, opened.todo, sink, {
          concurrency,
          prefetch: Math.max(1, o.prefetch ?? concurrency * 2),
          decodeConcurrency: o.decodeConcurrency ?? 2,
        });
    progress?.finish(counts);
    const judged = await judgeAnswers(store, opened, rs, judgeAdapter, o, ctx.signal);
    return { ...recordRun(store, opened, rs, o, judged?.judgeKey), ...tally, judgeCalls: judged?.calls };
  } finally {
    releaseLock?.();
    await adapter.close?.();
    await judgeAdapter?.close?.();
  }
}

/** The options a run cannot start without, checked before anything is loaded. */
function checkRequired(
  o: EvalOptions,
  deps: EvalDeps,
): { bench: string; model: string; concurrency: number } {
  if (!o.bench)
    throw new KinemaError("bad_spec", "--bench is required (e.g. motionbench:PATH)", { field: "bench" });
  if (!o.model)
    throw new KinemaError("bad_spec", "--model is required (e.g. openai:gpt-4o, random)", { field: "model" });
  const concurrency = o.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new KinemaError("bad_spec", `--concurrency must be a positive integer, got ${o.concurrency}`, {
      field: "concurrency",
    });
  if (o.queue && !deps.dispatch)
    throw new KinemaError("bad_spec", "--queue needs a runner with a queue executor (src/queue: queueDeps)", {
      field: "queue",
    });
  return { bench: o.bench, model: o.model, concurrency };
}

/** The run row this invocation writes to, and the samples it still has to ask. */
interface OpenedRun {
  run: RunRow;
  continued: boolean;
  todo: Sample[];
  /** Of `todo`, the samples that had failed before. */
  reasked: number;
  retryFailed: boolean;
}

/** Continues the run with this identity (or the resumed one), or creates it; adds the samples it lacks. */
function openRun(
  store: Store,
  o: EvalOptions & { bench: string },
  rs: RunSamples,
  adapter: ModelAdapter,
  id: RunIdentity,
  resumed: RunRow | undefined,
): OpenedRun {
  let run = resumed ?? store.findRunByHash(id.configHash);
  const continued = Boolean(run);
  if (!run)
    run = store.createRun({
      id: runIdOf(rs.rb.name, adapter.spec, id.configHash, {
        perturbation: id.config.framePerturbation,
        shard: rs.shard,
      }),
      configHash: id.configHash,
      benchmark: rs.rb.name,
      benchSpec: o.bench,
      model: adapter.spec,
      config: id.config,
    });
  else store.setRunStatus(run.id, "running");
  const position = new Map(rs.all.map((s, i) => [s, i]));
  store.addSamples(
    run.id,
    rs.samples.map((s, idx) => ({
      sampleId: s.id,
      idx: position.get(s) ?? idx,
      videoId: s.videoId,
      category: s.category,
      split: s.split,
      answer: s.answer,
      question: s.question,
      options: s.options,
      video: s.video,
      labels: s.labels,
    })),
  );
  // The benchmark's size, so runs covering part of it (--limit) are shown as partial.
  store.patchRunConfig(run.id, { benchItems: rs.all.length });
  const retryFailed = o.retryFailed ?? true;
  const failedBefore = store.sampleIds(run.id, ["failed"]);
  const wanted = store.sampleIds(run.id, retryFailed ? ["pending", "failed"] : ["pending"]);
  const todo = rs.samples.filter((s) => wanted.has(s.id));
  const reasked = todo.filter((s) => failedBefore.has(s.id)).length;
  if (reasked)
    o.notice?.(
      `run ${run.id}: asking again the ${reasked} sample${reasked === 1 ? "" : "s"} that failed before (completed samples are kept)`,
    );
  return { run, continued, todo, reasked, retryFailed };
}

/** Everything fixed for this run's requests: the same context gives the same requests and keys everywhere. */
function execContext(
  o: EvalOptions,
  deps: EvalDeps,
  bench: Benchmark,
  adapter: ModelAdapter,
  st: RequestSettings,
  describe: unknown,
  concurrency: number,
): ExecContext {
  const policy: RetryPolicy = {
    retries: o.retries ?? DEFAULT_RETRY.retries,
    baseMs: o.backoffMs ?? DEFAULT_RETRY.baseMs,
    capMs: o.backoffCapMs ?? DEFAULT_RETRY.capMs,
  };
  return {
    ...st,
    bench,
    adapter,
    describe,
    deps,
    clipInfo: clipInfoOf(deps.clipMeta), // a clip is probed once per run
    policy,
    timeoutMs: o.timeoutMs ?? 120_000,
    limiter: createLimiter(concurrency, o.adaptive),
    signal: o.signal ?? new AbortController().signal,
  };
}

/** Checks each endpoint once before anything is sent (a failure leaves the run interrupted, nothing asked). */
async function preflight(
  o: EvalOptions,
  store: Store,
  opened: OpenedRun,
  [model, judge]: [ModelAdapter | undefined, ModelAdapter | undefined],
  signal: AbortSignal,
): Promise<void> {
  if (!opened.todo.length || o.preflight === false) return;
  try {
    // With --queue the workers talk to their own model servers: only the judge is checked here.
    for (const [a, role] of [
      [model, "model"],
      [judge, "judge"],
    ] as const) {
      await a?.preflight?.(role, signal, (w) => o.notice?.(`warning: ${w}`));
    }
  } catch (e) {
    store.setRunStatus(opened.run.id, "interrupted");
    throw e;
  }
}

/** Where answers land: the run's rows in the store, and the live counts. */
interface Sink {
  store: Store;
  runId: string;
  counts: ProgressCounts;
  progress?: Progress;
}

/** What this invocation asked: samples taken (cache hits included), model requests, their token usage. */
interface Tally {
  asked: number;
  requested: number;
  tokens: TokenTotals;
}

const newTally = (): Tally => ({
  asked: 0,
  requested: 0,
  tokens: { requests: 0, reported: 0, promptTokens: 0, completionTokens: 0 },
});

/**
 * The in-process pump: `concurrency` workers take samples in order; decoding runs ahead of the requests by up
 * to `prefetch` samples (at most `decodeConcurrency` decodes at once), so workers rarely wait on ffmpeg. Each
 * result is committed as it arrives; a failed sample is recorded and the others go on.
 */
async function pumpLocal(
  ctx: ExecContext,
  todo: readonly Sample[],
  sink: Sink,
  o: { concurrency: number; prefetch: number; decodeConcurrency: number },
): Promise<Tally> {
  const { store, runId, counts } = sink;
  const tally = newTally();
  const decodeLimiter = createLimiter(o.decodeConcurrency);
  const preps: (Promise<Prepared> | undefined)[] = [];
  let nextTake = 0;
  let nextPrep = 0;
  const fill = () => {
    while (nextPrep < todo.length && nextPrep < nextTake + o.prefetch) {
      const s = todo[nextPrep];
      const p = (async () => {
        await decodeLimiter.acquire();
        try {
          return await prepareSample(ctx, s);
        } finally {
          decodeLimiter.release("ok");
        }
      })();
      p.catch(() => {}); // awaited (and handled) by the worker that takes this sample
      preps[nextPrep++] = p;
    }
  };
  const hooks = {
    cached: (key: string) => store.cachedResponse(key),
    onAttempt: (at: AttemptRecord) => store.recordAttempt({ runId, ...at }),
  };
  const worker = async () => {
    while (!ctx.signal.aborted && nextTake < todo.length) {
      const i = nextTake++;
      fill();
      let pr: Prepared | undefined;
      try {
        pr = await preps[i]!;
        preps[i] = undefined;
        tally.asked++;
        const a = await askSample(ctx, pr, hooks);
        tally.requested += a.fresh ? 1 : 0;
        addTokens(tally.tokens, a);
        store.recordResult(runId, pr.sample.id, a.result);
        counts[a.result.status as "ok" | "unparsed"]++;
      } catch (e) {
        preps[i] = undefined;
        if (ctx.signal.aborted) break;
        store.recordResult(runId, todo[i].id, failedResult(e, pr));
        counts.failed++;
      }
      counts.done++;
      sink.progress?.update(counts);
    }
  };
  fill();
  await Promise.all(Array.from({ length: Math.min(o.concurrency, Math.max(1, todo.length)) }, worker));
  return tally;
}

/** Scale-out: the same plan as one work item per sample, answered by workers elsewhere; results land here. */
async function dispatchRemote(
  dispatch: Dispatch,
  queue: string,
  ctx: ExecContext,
  rs: RunSamples,
  id: RunIdentity,
  todo: readonly Sample[],
  sink: Sink,
): Promise<Tally> {
  const tally = newTally();
  const q = await dispatch({
    queue,
    runId: sink.runId,
    template: {
      v: WORK_ITEM_VERSION,
      runId: sink.runId,
      bench: { name: rs.rb.name, path: rs.rb.path, options: rs.benchOptions },
      model: ctx.adapter.spec,
      modelOptions: id.storableModelOptions,
      describe: ctx.describe as Record<string, unknown>,
      frames: ctx.frames,
      preset: ctx.preset,
      parseMode: ctx.parseMode,
      params: ctx.params,
      size: ctx.size,
      fit: ctx.fit,
      perturbation: ctx.perturbation,
      policy: ctx.policy,
      timeoutMs: ctx.timeoutMs,
    },
    todo,
    store: sink.store,
    counts: sink.counts,
    tokens: tally.tokens,
    progress: sink.progress,
    signal: ctx.signal,
  });
  tally.asked += q.collected;
  tally.requested += q.requested;
  return tally;
}

/**
 * Judging follows the answers: every answered sample not yet judged by this judge (this invocation's and
 * earlier ones'), each judgement committed as it arrives.
 */
async function judgeAnswers(
  store: Store,
  opened: OpenedRun,
  rs: RunSamples,
  judgeAdapter: ModelAdapter | undefined,
  o: EvalOptions,
  signal: AbortSignal,
): Promise<{ calls: JudgeCalls; judgeKey: string } | undefined> {
  if (!judgeAdapter || !o.judge || signal.aborted) return undefined;
  const runId = opened.run.id;
  const byId = new Map(rs.all.map((s) => [s.id, s]));
  const r = await judgeStoredRun(store, runId, outcomesOf(store.samples(runId), byId), judgeAdapter, {
    ...o.judge,
    retryFailed: opened.retryFailed,
    signal,
  });
  return { calls: r.calls, judgeKey: r.judgeKey };
}

/** Closes the invocation: the run's status, its summary (every number from the store) and output files. */
function recordRun(
  store: Store,
  opened: OpenedRun,
  rs: RunSamples,
  o: EvalOptions,
  judgeKey: string | undefined,
): Omit<EvalResult, "asked" | "requested" | "tokens" | "judgeCalls"> {
  const runId = opened.run.id;
  store.setRunStatus(runId, store.counts(runId).pending > 0 ? "interrupted" : "done");
  const run = store.getRun(runId)!;
  const summary = summarizeRun(store, run, rs.rb.benchmark);
  summary.judged = judgedSummary(store, runId, {
    judgeKey,
    samples: o.judge?.samples,
    aggregate: o.judge?.aggregate,
  });
  summary.caption = captionSummary(store.samples(runId), new Map(rs.all.map((s) => [s.id, s])));
  const outDir = writeRunOutputs(store, run, summary);
  // Broken benchmark items (empty options, answer not an option...) are listed, never fatal.
  if (rs.issues.length) writeFileSync(join(outDir, "issues.json"), `${JSON.stringify(rs.issues, null, 1)}\n`);
  return {
    run,
    summary,
    outDir,
    issues: rs.issues,
    continued: opened.continued,
    answersApplied: rs.answersApplied,
    reasked: opened.reasked,
  };
}
