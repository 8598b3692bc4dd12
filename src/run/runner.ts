// The evaluation runner: benchmark samples → (prefetched) frames → model requests with limits, timeouts and
// retries → parsed, scored results committed to the store one by one, so any run can be continued.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { applyTestAnswers, parseAnswers } from "../benchmarks/answers.ts";
import type { Benchmark, ClipInfo, LoadIssue, Sample } from "../benchmarks/types.ts";
import { type AdapterOptions, createAdapter } from "../models/index.ts";
import { createLimiter } from "../models/limiter.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "../models/retry.ts";
import type { GenerationParams, ModelAdapter, RgbFrames } from "../models/types.ts";
import { openStore, type RunRow, type Store } from "../store/index.ts";
import { KinemaError } from "../util/errors.ts";
import { acquireLock, runLockPath } from "../util/lock.ts";
import { applyErrata, readErrata } from "./errata.ts";
import type { JudgeCalls, RunJudgeOptions } from "./judge-options.ts";
import { captionSummary, judgedSummary, judgeStoredRun, outcomesOf } from "./judging.ts";
import { type FramePerturbation, normalizePerturbation } from "./perturb.ts";
import { createProgress, type Progress, type ProgressCounts } from "./progress.ts";
import { type EvalSummary, summarizeRun, writeRunOutputs } from "./report.ts";
import {
  addTokens,
  askSample,
  canonicalJson,
  type ExecContext,
  type FrameLoader,
  failedResult,
  type Prepared,
  prepareSample,
  type TokenTotals,
} from "./sample-exec.ts";
import type { Dispatch } from "./work-item.ts";

export {
  canonicalJson,
  evenPick,
  type FrameLoader,
  sentDigest,
  type TokenTotals,
} from "./sample-exec.ts";

/** A benchmark resolved from a spec such as `motionbench:PATH`. */
export interface ResolvedBenchmark {
  /** Name stored with the run (motionbench, videorefer-q, synth...). */
  name: string;
  benchmark: Benchmark;
  /** Absolute path handed to benchmark.load. */
  path: string;
  /** A {uid: letter} file with the hidden test answers found beside the data (synth:DIR/answers.json). */
  answers?: string;
}

/** The optional per-sample frame hooks; they now live in the Benchmark contract (src/benchmarks/types.ts). */
export type BenchmarkHooks = Pick<Benchmark, "framesFor" | "markFrames">;

export interface EvalDeps {
  resolveBenchmark(spec: string): Promise<ResolvedBenchmark>;
  loadFrames: FrameLoader;
  createAdapter?(spec: string, opts: AdapterOptions): Promise<ModelAdapter>;
  /** JPEG-encodes frames (needed when a benchmark draws on them before sending). */
  encodeImages?(rgb: RgbFrames): Promise<Buffer[]>;
  /** Validates frame/fit options up front (throws bad_spec). */
  checkOptions?(frames: string | undefined, fit: string | undefined): void;
  /** A clip's frame count (inside its window) and fps; `framesFor` hooks ask (memoized per run and video). */
  clipMeta?(ref: Sample["video"]): Promise<{ frames: number; fps: number }>;
  /** The distributed executor `queue` hands the pending samples to (src/queue: dispatchToQueue). */
  dispatch?: Dispatch;
}

export interface EvalOptions {
  bench?: string;
  model?: string;
  /** Frame sampling spec (benchmark default when absent); `none` sends text only. */
  frames?: string;
  /** Options for benchmark.load (VideoRefer-Q: {mode: "single" | "multi"}); part of the run's identity. */
  benchOptions?: Record<string, unknown>;
  /** A {uid: letter} JSON with hidden test answers, so test-split questions are scored apart from dev. */
  answers?: string;
  /** An errata file (`kinema engine errata`): reviewed label corrections, a named variant in the run's identity. */
  errata?: string;
  size?: number;
  fit?: string;
  concurrency?: number;
  limit?: number;
  runDir?: string;
  prompt?: string;
  parse?: string;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  timeoutMs?: number;
  retries?: number;
  /** First backoff ceiling (ms); doubles per retry, full jitter. */
  backoffMs?: number;
  /** Largest wait between retries (ms), also caps Retry-After. */
  backoffCapMs?: number;
  resume?: string;
  /** Ask samples that failed before again (default true: the same command retries them; false keeps them). */
  retryFailed?: boolean;
  /** Check each remote endpoint once before sending anything (default true; see src/models/preflight.ts). */
  preflight?: boolean;
  /** Where the runner says things worth knowing as it goes (re-asked failures, preflight warnings). */
  notice?: (line: string) => void;
  /** AIMD concurrency: start at 2, halve on 429, grow to `concurrency`. */
  adaptive?: boolean;
  /** Samples whose frames are decoded ahead of the requests (default 2 × concurrency). */
  prefetch?: number;
  /** Parallel frame decodes (default 2). */
  decodeConcurrency?: number;
  /** Adapter options: baseUrl, apiKeyEnv, headers, maxImages... (headers' values are never stored). */
  modelOptions?: AdapterOptions;
  /** true: bar/lines on stderr; false: silent; or a custom sink. */
  progress?: boolean | Progress;
  signal?: AbortSignal;
  /**
   * Judged benchmarks (activitynet-qa, vcgpt-gen, videorefer-d...): judge the answered samples with this
   * judge after the model answered; judgements are stored and never asked twice. Not part of the run's
   * identity: another judge on the same run adds its own judgements (and reuses every model answer).
   */
  judge?: RunJudgeOptions;
  /** Called once with the load problems (broken lines and items), before any model call. */
  onLoadIssues?: (issues: LoadIssue[]) => void;
  /** `kinema audit`: rearranges the planned frames (src/run/perturb.ts); part of the run's identity. */
  framePerturbation?: FramePerturbation;
  /** `--shard i/N`: only every N-th sample from the i-th (0-based) in the benchmark's order; part of the identity. */
  shard?: Shard;
  /** `redis://HOST:PORT[/DB]`: enqueue the samples for `kinema worker`s instead of asking here (src/queue). */
  queue?: string;
}

export interface EvalResult {
  run: RunRow;
  summary: EvalSummary;
  /** Folder with samples.jsonl, summary.json, table.md. */
  outDir: string;
  /** Samples asked in this invocation (cache hits included) and how many needed the model. */
  asked: number;
  requested: number;
  /** Load issues reported by the benchmark (broken items) and by the answers file. */
  issues: unknown[];
  /** Test answers filled in from `answers` (0 without one). */
  answersApplied: number;
  /** True when this invocation continued an existing run. */
  continued: boolean;
  /** Judge calls of this invocation (absent without --judge). */
  judgeCalls?: JudgeCalls;
  /** Samples that had failed before and were asked again in this invocation. */
  reasked: number;
  /** Model requests answered in this invocation, and the token usage the server reported for them. */
  tokens: TokenTotals;
}

/** A static shard: samples whose position in the benchmark's order is index modulo count. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `i/N` (0 ≤ i < N). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || !(count >= 1) || !(index < count))
    throw new KinemaError("bad_spec", `--shard must be i/N with 0 ≤ i < N (e.g. 0/4), got "${text}"`, {
      field: "shard",
    });
  return { index, count };
}

/** The config fields that make a run's identity (same identity → the same run continues). */
export const IDENTITY_KEYS = [
  "benchmark",
  "benchPath",
  "benchHash",
  "model",
  "describe",
  "params",
  "frames",
  "benchOptions",
  "answers",
  "size",
  "fit",
  "prompt",
  "promptHash",
  "parse",
  "framePerturbation",
  "shard",
] as const;

/** A run's id from its benchmark, model, perturbation, shard and identity hash. */
export function runIdOf(
  benchmark: string,
  model: string,
  configHash: string,
  extra: { perturbation?: { kind: string } | null; shard?: string | null } = {},
): string {
  const p = extra.perturbation ? `${extra.perturbation.kind}-` : "";
  const sh = extra.shard ? `shard${extra.shard.replace("/", "of")}-` : "";
  return `${slug(benchmark)}-${slug(model)}-${p}${sh}${configHash.slice(0, 10)}`;
}

/** sha256 of a run identity (the runs table's config_hash). */
export function identityHash(identity: Record<string, unknown>): string {
  return sha(canonicalJson(identity));
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** Hash of a benchmark's annotation files: the file itself, or a folder's top-level .json/.jsonl files. */
export function benchFileHash(path: string): string {
  const h = createHash("sha256");
  try {
    const st = statSync(path);
    if (st.isFile()) h.update(readFileSync(path));
    else
      for (const f of readdirSync(path).sort())
        if (/\.jsonl?$/.test(f) && statSync(join(path, f)).isFile())
          h.update(f).update(readFileSync(join(path, f)));
  } catch {
    /* a missing path is the loader's error to report */
  }
  return h.digest("hex");
}

function slug(s: string): string {
  return s
    .replace(/[^A-Za-z0-9.]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
}

/** Runs (or continues) one evaluation; returns its summary. Throws KinemaError on bad specs/inputs. */
export async function runEval(o: EvalOptions, deps: EvalDeps): Promise<EvalResult> {
  const store = openStore(o.runDir ?? "runs");
  try {
    return await evaluate(o, deps, store);
  } finally {
    store.close();
  }
}

async function evaluate(o: EvalOptions, deps: EvalDeps, store: Store): Promise<EvalResult> {
  // --resume RUN: the run's stored settings win; only run-time knobs (concurrency, timeouts) come from flags.
  let resumed: RunRow | undefined;
  if (o.resume) {
    resumed = store.getRun(o.resume);
    if (!resumed)
      throw new KinemaError("not_found", `no run "${o.resume}" in ${store.path}`, {
        file: store.path,
        field: "resume",
      });
    const c = resumed.config;
    o = {
      ...o,
      bench: c.benchSpec,
      model: c.model,
      frames: c.frames,
      benchOptions: c.benchOptions ?? undefined,
      answers: c.answersFile ?? undefined,
      size: c.size ?? undefined,
      fit: c.fit ?? undefined,
      prompt: c.prompt,
      parse: c.parse,
      temperature: c.params?.temperature,
      maxTokens: c.params?.maxTokens,
      seed: c.params?.seed,
      framePerturbation: c.framePerturbation ?? undefined,
      shard: c.shard ? parseShard(String(c.shard)) : undefined,
      modelOptions: { ...c.modelOptions, headers: o.modelOptions?.headers, env: o.modelOptions?.env },
    };
  }
  if (!o.bench)
    throw new KinemaError("bad_spec", "--bench is required (e.g. motionbench:PATH)", { field: "bench" });
  if (!o.model)
    throw new KinemaError("bad_spec", "--model is required (e.g. openai:gpt-4o, random)", { field: "model" });
  const concurrency = o.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new KinemaError("bad_spec", `--concurrency must be a positive integer, got ${o.concurrency}`, {
      field: "concurrency",
    });

  const benchSpec = o.bench;
  const perturbation = normalizePerturbation(o.framePerturbation);
  deps.checkOptions?.(o.frames, o.fit);
  const rb = await deps.resolveBenchmark(o.bench);
  const bench = rb.benchmark;
  const benchOptions = o.benchOptions && Object.keys(o.benchOptions).length ? o.benchOptions : undefined;
  const loaded = await bench.load(rb.path, benchOptions);
  const issues: LoadIssue[] = [...loaded.issues];
  // Hidden test answers (an explicit --answers file, or the one beside a synthetic set).
  const answersFile = o.answers ? resolvePath(o.answers) : rb.answers;
  let answersHash: string | undefined;
  let answersApplied = 0;
  if (answersFile) {
    if (!existsSync(answersFile))
      throw new KinemaError("not_found", `no answers file ${answersFile}`, {
        file: answersFile,
        field: "answers",
      });
    const text = readFileSync(answersFile, "utf8");
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new KinemaError("bad_input", `invalid JSON: ${(e as Error).message}`, { file: answersFile });
    }
    const applied = applyTestAnswers(loaded.samples, parseAnswers(data, answersFile), answersFile);
    loaded.samples = applied.samples;
    issues.push(...applied.issues);
    answersApplied = applied.applied;
    answersHash = sha(text).slice(0, 16);
  }
  // Samples only a judge can score (TempCompass captioning) are left out of a run without one, and listed.
  if (!o.judge) {
    const needJudge = loaded.samples.filter((s) => s.scoring?.judgeRequired);
    if (needJudge.length) {
      loaded.samples = loaded.samples.filter((s) => !s.scoring?.judgeRequired);
      issues.push({
        file: rb.path,
        field: needJudge[0].labels?.task ? String(needJudge[0].labels.task) : undefined,
        message: `${needJudge.length} sample(s) need an LLM judge to be scored (e.g. ${needJudge[0].id}): not asked; add --judge SPEC to run them`,
        action: "skipped",
      });
    }
  }
  let errataId: { name: string; sha256: string; corrected: number; excluded: number } | undefined;
  if (o.errata) {
    const { errata, sha256 } = readErrata(o.errata);
    const applied = applyErrata(loaded.samples, errata, o.errata);
    loaded.samples = applied.samples;
    issues.push(...(applied.issues as typeof issues));
    errataId = {
      name: errata.name,
      sha256: sha256.slice(0, 16),
      corrected: applied.corrected,
      excluded: applied.excluded,
    };
  }
  // Told at once, so the problems are seen even when the run then fails.
  if (issues.length) o.onLoadIssues?.(issues);
  let samples = loaded.samples;
  if (o.limit !== undefined) samples = samples.slice(0, o.limit);
  const shard = o.shard ? `${o.shard.index}/${o.shard.count}` : undefined;
  // The prompt hash is taken on the first sample before sharding, so shards share the whole run's identity.
  const probe = samples[0] ?? loaded.samples[0];
  if (o.shard) {
    const { index, count } = o.shard;
    samples = samples.filter((_, i) => i % count === index);
  }

  const judgeProtocol = samples.find((s) => s.scoring?.judge)?.scoring?.judge;
  if (o.judge && !judgeProtocol)
    throw new KinemaError(
      "bad_spec",
      `--judge applies to judged benchmarks (activitynet-qa, msvd-qa, msrvtt-qa, tgif-qa, vcgpt-gen, videorefer-d, tempcompass), not ${rb.name}`,
      { field: "judge" },
    );
  const adapter = await (deps.createAdapter ?? createAdapter)(o.model, o.modelOptions ?? {});
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
    const frames = (o.frames ?? adapter.defaults?.frames ?? bench.defaultFrames).trim();
    o = { ...o, size: o.size ?? adapter.defaults?.size, fit: o.fit ?? adapter.defaults?.fit };
    const preset = o.prompt ?? bench.presets?.[0];
    const parseMode = o.parse ?? bench.parseModes?.[0];
    if (preset && bench.presets && !bench.presets.includes(preset))
      throw new KinemaError(
        "bad_spec",
        `unknown prompt preset "${preset}" (use ${bench.presets.join(", ")})`,
        {
          field: "prompt",
        },
      );
    if (parseMode && bench.parseModes && !bench.parseModes.includes(parseMode))
      throw new KinemaError(
        "bad_spec",
        `unknown parse mode "${parseMode}" (use ${bench.parseModes.join(", ")})`,
        {
          field: "parse",
        },
      );
    const params: GenerationParams = {
      temperature: o.temperature ?? 0,
      maxTokens: o.maxTokens ?? bench.defaultMaxTokens ?? 64,
      seed: o.seed,
    };
    const describe = adapter.describe();
    const promptHash = probe
      ? (bench.promptHash?.(probe, preset) ?? sha(canonicalJson(bench.prompt(probe, preset))).slice(0, 16))
      : null;
    const { headers: _h, env: _e, ...storableModelOptions } = o.modelOptions ?? {};
    // Identity of a run: same identity → the same run continues. Run-time knobs stay out of it.
    const identity = {
      benchmark: rb.name,
      benchPath: rb.path,
      benchHash: benchFileHash(rb.path),
      model: adapter.spec,
      describe,
      params,
      frames,
      // Absent unless used, so runs made before these existed keep their identity.
      benchOptions,
      answers: answersHash,
      ...(errataId ? { errata: { name: errataId.name, sha256: errataId.sha256 } } : {}),
      size: o.size ?? null,
      fit: o.fit ?? null,
      prompt: preset ?? null,
      promptHash,
      parse: parseMode ?? null,
      framePerturbation: perturbation,
      shard,
    };
    const configHash = identityHash(identity);
    const config = {
      ...identity,
      benchSpec,
      answersFile,
      ...(errataId ? { errataFile: resolvePath(o.errata!), errataApplied: errataId } : {}),
      modelOptions: storableModelOptions,
      needs: adapter.needs,
      ...(judgeProtocol ? { judgeProtocol } : {}),
      kinemaVersion: pkg.version,
      node: process.versions.node,
    };
    // One writer per run: a second eval of the same run refuses at once instead of asking everything again.
    releaseLock = acquireLock(
      runLockPath(store.dir, resumed?.configHash ?? configHash),
      `run ${resumed?.id ?? `${slug(rb.name)}-${slug(adapter.spec)}-${configHash.slice(0, 10)}`}`,
    );
    let run = resumed ?? store.findRunByHash(configHash);
    const continued = Boolean(run);
    if (!run)
      run = store.createRun({
        id: runIdOf(rb.name, adapter.spec, configHash, { perturbation, shard }),
        configHash,
        benchmark: rb.name,
        benchSpec,
        model: adapter.spec,
        config,
      });
    else store.setRunStatus(run.id, "running");
    const runId = run.id;
    store.addSamples(
      run.id,
      samples.map((s, idx) => ({
        sampleId: s.id,
        idx: loaded.samples.indexOf(s) >= 0 ? loaded.samples.indexOf(s) : idx,
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
    store.patchRunConfig(run.id, { benchItems: loaded.samples.length });
    const retryFailed = o.retryFailed ?? true;
    const failedBefore = store.sampleIds(run.id, ["failed"]);
    const wanted = store.sampleIds(run.id, retryFailed ? ["pending", "failed"] : ["pending"]);
    const todo = samples.filter((s) => wanted.has(s.id));
    const reasked = todo.filter((s) => failedBefore.has(s.id)).length;
    if (reasked)
      o.notice?.(
        `run ${runId}: asking again the ${reasked} sample${reasked === 1 ? "" : "s"} that failed before (completed samples are kept)`,
      );

    const policy: RetryPolicy = {
      retries: o.retries ?? DEFAULT_RETRY.retries,
      baseMs: o.backoffMs ?? DEFAULT_RETRY.baseMs,
      capMs: o.backoffCapMs ?? DEFAULT_RETRY.capMs,
    };
    const timeoutMs = o.timeoutMs ?? 120_000;
    const runSignal = o.signal ?? new AbortController().signal;
    if (todo.length && o.preflight !== false)
      try {
        // With --queue the workers talk to their own model servers: only the judge is checked here.
        for (const [a, role] of [
          [o.queue ? undefined : adapter, "model"],
          [judgeAdapter, "judge"],
        ] as const) {
          await a?.preflight?.(role, runSignal, (w) => o.notice?.(`warning: ${w}`));
        }
      } catch (e) {
        store.setRunStatus(run.id, "interrupted");
        throw e;
      }
    const limiter = createLimiter(concurrency, o.adaptive);
    const decodeLimiter = createLimiter(o.decodeConcurrency ?? 2);
    const prefetch = Math.max(1, o.prefetch ?? concurrency * 2);
    // framesFor may need a clip's length (probing is I/O): probed once per video per run, only when asked.
    const clipMetas = new Map<string, Promise<{ frames: number; fps: number }>>();
    const clipInfo = (ref: Sample["video"]): ClipInfo => ({
      meta: () => {
        if (!deps.clipMeta)
          return Promise.reject(new KinemaError("internal", "this runner cannot probe a clip's frames"));
        const k = canonicalJson(ref);
        let p = clipMetas.get(k);
        if (!p) {
          p = deps.clipMeta(ref);
          clipMetas.set(k, p);
        }
        return p;
      },
    });

    const c0 = store.counts(run.id);
    const counts: ProgressCounts = {
      total: samples.length,
      done: samples.length - todo.length,
      ok: c0.ok,
      failed: o.retryFailed ? 0 : c0.failed,
      unparsed: c0.unparsed,
    };
    const progress =
      o.progress === false || o.progress === undefined
        ? undefined
        : o.progress === true
          ? createProgress(`${rb.name} × ${adapter.spec}`)
          : o.progress;
    let asked = 0;
    let requested = 0;
    const tokens: TokenTotals = { requests: 0, reported: 0, promptTokens: 0, completionTokens: 0 };

    const ctx: ExecContext = {
      bench,
      adapter,
      describe,
      frames,
      preset,
      parseMode,
      params,
      size: o.size,
      fit: o.fit,
      perturbation,
      deps,
      clipInfo,
      policy,
      timeoutMs,
      limiter,
      signal: runSignal,
    };
    const prepare = (sample: Sample): Promise<Prepared> => prepareSample(ctx, sample);
    const ask = async (pr: Prepared): Promise<void> => {
      const a = await askSample(ctx, pr, {
        cached: (key) => store.cachedResponse(key),
        onAttempt: (at) => store.recordAttempt({ runId, ...at }),
      });
      requested += a.fresh ? 1 : 0;
      addTokens(tokens, a);
      store.recordResult(runId, pr.sample.id, a.result);
      counts[a.result.status as "ok" | "unparsed"]++;
      counts.done++;
    };

    const fail = (sample: Sample, e: unknown, pr?: Prepared) => {
      store.recordResult(runId, sample.id, failedResult(e, pr));
      counts.failed++;
      counts.done++;
    };

    // Decoding runs ahead of the requests by up to `prefetch` samples, so workers rarely wait on ffmpeg.
    const preps: (Promise<Prepared> | undefined)[] = [];
    let nextTake = 0;
    let nextPrep = 0;
    const pump = () => {
      while (nextPrep < todo.length && nextPrep < nextTake + prefetch) {
        const s = todo[nextPrep];
        const p = (async () => {
          await decodeLimiter.acquire();
          try {
            return await prepare(s);
          } finally {
            decodeLimiter.release("ok");
          }
        })();
        p.catch(() => {}); // awaited (and handled) by the worker that takes this sample
        preps[nextPrep++] = p;
      }
    };
    const worker = async () => {
      while (!runSignal.aborted && nextTake < todo.length) {
        const i = nextTake++;
        pump();
        const sample = todo[i];
        let pr: Prepared | undefined;
        try {
          pr = await preps[i]!;
          preps[i] = undefined;
          asked++;
          await ask(pr);
        } catch (e) {
          preps[i] = undefined;
          if (runSignal.aborted) break;
          fail(sample, e, pr);
        }
        progress?.update(counts);
      }
    };
    if (o.queue) {
      // Scale-out: the same plan as one job per sample on Redis; `kinema worker`s answer, results land here.
      if (!deps.dispatch)
        throw new KinemaError(
          "bad_spec",
          "--queue needs a runner with a queue executor (src/queue: queueDeps)",
          {
            field: "queue",
          },
        );
      const q = await deps.dispatch({
        queue: o.queue,
        runId,
        template: {
          v: 1,
          runId,
          bench: { name: rb.name, path: rb.path, options: benchOptions },
          model: adapter.spec,
          modelOptions: storableModelOptions as Record<string, unknown>,
          describe,
          frames,
          preset,
          parseMode,
          params,
          size: o.size,
          fit: o.fit,
          perturbation,
          policy,
          timeoutMs,
        },
        todo,
        store,
        counts,
        tokens,
        progress,
        signal: runSignal,
      });
      asked += q.collected;
      requested += q.requested;
    } else {
      pump();
      await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, worker));
    }
    progress?.finish(counts);

    // Judging follows the answers: every answered sample not yet judged by this judge (this invocation's
    // and earlier ones'), each judgement committed as it arrives.
    const byId = new Map(loaded.samples.map((s) => [s.id, s]));
    let judgeCalls: JudgeCalls | undefined;
    let judgeKey: string | undefined;
    if (judgeAdapter && o.judge && !runSignal.aborted) {
      const r = await judgeStoredRun(store, runId, outcomesOf(store.samples(runId), byId), judgeAdapter, {
        ...o.judge,
        retryFailed,
        signal: runSignal,
      });
      judgeCalls = r.calls;
      judgeKey = r.judgeKey;
    }
    const left = store.counts(run.id).pending;
    store.setRunStatus(run.id, left > 0 ? "interrupted" : "done");
    run = store.getRun(run.id)!;
    const summary = summarizeRun(store, run, bench);
    summary.judged = judgedSummary(store, runId, {
      judgeKey,
      samples: o.judge?.samples,
      aggregate: o.judge?.aggregate,
    });
    summary.caption = captionSummary(store.samples(runId), byId);
    const outDir = writeRunOutputs(store, run, summary);
    // Broken benchmark items (empty options, answer not an option...) are listed, never fatal.
    if (issues.length) writeFileSync(join(outDir, "issues.json"), `${JSON.stringify(issues, null, 1)}\n`);
    return {
      run,
      summary,
      outDir,
      asked,
      requested,
      issues,
      continued,
      answersApplied,
      judgeCalls,
      reasked,
      tokens,
    };
  } finally {
    releaseLock?.();
    await adapter.close?.();
    await judgeAdapter?.close?.();
  }
}
