// The evaluation runner: benchmark samples → (prefetched) frames → model requests with limits, timeouts and
// retries → parsed, scored results committed to the store one by one, so any run can be continued.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { applyTestAnswers, parseAnswers } from "../benchmarks/answers.ts";
import type { Benchmark, ClipInfo, LoadIssue, PromptContext, Sample } from "../benchmarks/types.ts";
import { type AdapterOptions, createAdapter } from "../models/index.ts";
import { regionTags } from "../models/regions.ts";
import type {
  ChatMessage,
  GenerationParams,
  ModelAdapter,
  ModelImage,
  ModelResponse,
  RegionInput,
  RgbFrames,
} from "../models/types.ts";
import { openStore, type RunRow, type Store } from "../store/index.ts";
import { errorRecord, isKinemaError, KinemaError } from "../util/errors.ts";
import { acquireLock } from "../util/lock.ts";
import {
  captionSummary,
  type JudgeCalls,
  judgedSummary,
  judgeStoredRun,
  outcomesOf,
  type RunJudgeOptions,
} from "./judging.ts";
import { createLimiter } from "./limiter.ts";
import { type FramePerturbation, normalizePerturbation, perturbFrames } from "./perturb.ts";
import { createProgress, type Progress, type ProgressCounts } from "./progress.ts";
import { type EvalSummary, summarizeRun, writeRunOutputs } from "./report.ts";
import { backoffMs, DEFAULT_RETRY, isRetryable, type RetryPolicy, sleep } from "./retry.ts";

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

/** The frame decoder's contract (src/video: loadFrames). */
export type FrameLoader = (
  ref: Sample["video"],
  spec: string,
  opts: { size?: number; fit?: string; cache?: boolean; images?: "jpeg" | "png" | false },
) => Promise<{
  indices: number[];
  images?: Buffer[];
  rgb?: RgbFrames;
  timestamps?: number[];
  meta?: { fpsValue: number };
}>;

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

/** Token usage summed over this invocation's answered requests, as the server reported it (OpenAI `usage`). */
export interface TokenTotals {
  /** Answers that came from the model (not the cache). */
  requests: number;
  /** Of those, how many carried a usage record. */
  reported: number;
  promptTokens: number;
  completionTokens: number;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** JSON with sorted keys, so equal configs hash equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .filter((k) => (v as any)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as any)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v ?? null);
}

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

/** Evenly spaced positions when a model takes fewer images than were decoded. */
export function evenPick(n: number, k: number): number[] {
  if (k >= n) return [...Array(n).keys()];
  return [...Array(k).keys()].map((i) => Math.floor(((i + 0.5) * n) / k));
}

/**
 * Digest of everything else the model receives besides the messages: the image bytes (set-of-mark drawing
 * changes them without changing the frame spec), the RGB frames of built-in models, the question parts
 * adapters read, and the sample's masks (region input). Part of the request cache key.
 */
export function sentDigest(sample: Sample, images: ModelImage[], rgb?: RgbFrames): string {
  const h = createHash("sha256");
  for (const im of images) h.update(`${im.mime}:${im.data.length}:`).update(im.data);
  if (rgb) {
    h.update(`rgb:${rgb.width}x${rgb.height}:${rgb.indices.join(",")}:`);
    for (const f of rgb.frames) h.update(f);
  }
  h.update(canonicalJson({ q: sample.question, o: sample.options, c: sample.category, m: sample.masks }));
  return h.digest("hex");
}

interface Prepared {
  sample: Sample;
  messages: ChatMessage[];
  prompt: string;
  images: ModelImage[];
  rgb?: RgbFrames;
  frameIndices: number[] | null;
  key: string;
  requestDoc: unknown;
  regions?: RegionInput;
}

/**
 * Region input for one request: each of the sample's objects (its k-th mask set goes with the question's k-th
 * `<region>`) with its mask on every frame sent. Undefined when the sample has no masks or no frames are sent.
 */
export function regionInputFor(
  sample: Sample,
  frameIndices: readonly number[] | null,
): RegionInput | undefined {
  if (!sample.masks?.length || !frameIndices?.length) return undefined;
  const tags = regionTags(sample.question);
  return {
    frames: [...frameIndices],
    objects: sample.masks.map((om, k) => ({
      tag: tags[k] ?? `region ${k}`,
      masks: frameIndices.map((f) => om[String(f)] ?? null),
    })),
  };
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
  // Told at once, so the problems are seen even when the run then fails.
  if (issues.length) o.onLoadIssues?.(issues);
  let samples = loaded.samples;
  if (o.limit !== undefined) samples = samples.slice(0, o.limit);

  const judgeProtocol = samples.find((s) => s.scoring?.judge)?.scoring?.judge;
  if (o.judge && !judgeProtocol)
    throw new KinemaError(
      "bad_spec",
      `--judge applies to judged benchmarks (activitynet-qa, msvd-qa, msrvtt-qa, tgif-qa, vcgpt-gen, videorefer-d), not ${rb.name}`,
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
    const probe = samples[0] ?? loaded.samples[0];
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
      size: o.size ?? null,
      fit: o.fit ?? null,
      prompt: preset ?? null,
      promptHash,
      parse: parseMode ?? null,
      framePerturbation: perturbation,
    };
    const configHash = sha(canonicalJson(identity));
    const config = {
      ...identity,
      benchSpec,
      answersFile,
      modelOptions: storableModelOptions,
      needs: adapter.needs,
      ...(judgeProtocol ? { judgeProtocol } : {}),
      kinemaVersion: pkg.version,
      node: process.versions.node,
    };
    // One writer per run: a second eval of the same run refuses at once instead of asking everything again.
    releaseLock = acquireLock(
      join(store.dir, "locks", `${(resumed?.configHash ?? configHash).slice(0, 32)}.lock`),
      `run ${resumed?.id ?? `${slug(rb.name)}-${slug(adapter.spec)}-${configHash.slice(0, 10)}`}`,
    );
    let run = resumed ?? store.findRunByHash(configHash);
    const continued = Boolean(run);
    if (!run)
      run = store.createRun({
        id: `${slug(rb.name)}-${slug(adapter.spec)}-${perturbation ? `${perturbation.kind}-` : ""}${configHash.slice(0, 10)}`,
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
        for (const [a, role] of [
          [adapter, "model"],
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
    const hooks: BenchmarkHooks = bench;
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
    // Fixed-count models (built-ins) get blank frames for the `none` perturbation, others text only.
    const textOnly = frames === "none" || (perturbation?.kind === "none" && !adapter.fixedFrames);
    const wantImages = adapter.needs.images && !textOnly;
    const wantRgb = adapter.needs.rgb && !textOnly;

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

    const prepare = async (sample: Sample): Promise<Prepared> => {
      let images: ModelImage[] = [];
      let rgb: RgbFrames | undefined;
      let frameIndices: number[] | null = null;
      let frameSpecUsed = frames;
      let promptContext: PromptContext | undefined;
      if (wantImages || wantRgb) {
        const spec = (await hooks.framesFor?.(sample, frames, clipInfo(sample.video))) ?? frames;
        // Set-of-mark prompting draws on the pixels, so JPEGs are encoded here after drawing.
        const marking = Boolean(hooks.markFrames);
        const f = await deps.loadFrames(sample.video, spec, {
          size: o.size,
          fit: o.fit,
          cache: true,
          images: wantImages && !marking ? "jpeg" : false,
        });
        let frameRgb = f.rgb;
        let encoded = f.images;
        if (marking && f.rgb) {
          frameRgb = hooks.markFrames!(sample, preset, f.rgb) ?? f.rgb;
          if (wantImages) {
            if (!deps.encodeImages)
              throw new KinemaError("internal", "set-of-mark prompting needs an image encoder", {
                field: "prompt",
              });
            encoded = await deps.encodeImages(frameRgb);
          }
        }
        frameIndices = f.indices;
        let pick = [...f.indices.keys()];
        const lim = adapter.maxImages;
        if (lim && f.indices.length > lim.limit) {
          if (lim.policy === "error")
            throw new KinemaError(
              "bad_input",
              `${f.indices.length} frames exceed the model's limit of ${lim.limit} images per request`,
              { field: "frames", limit: lim.limit },
            );
          pick = evenPick(f.indices.length, lim.limit);
          frameIndices = pick.map((i) => f.indices[i]);
        }
        if (perturbation) {
          const pp = perturbFrames(pick.length, perturbation, {
            key: sample.id,
            fixedCount: Boolean(adapter.fixedFrames),
          });
          pick = pp.positions.map((i) => pick[i]);
          frameIndices = pp.blank ? [] : pick.map((i) => f.indices[i]);
          if (pp.blank && frameRgb) {
            const blank = Buffer.alloc(frameRgb.width * frameRgb.height * 3);
            frameRgb = { ...frameRgb, frames: frameRgb.frames.map(() => blank), indices: [] };
            if (wantImages) encoded = await deps.encodeImages!(frameRgb);
          }
        }
        const times = f.timestamps;
        if (f.meta)
          promptContext = {
            frames: {
              indices: pick.map((i) => f.indices[i]),
              fps: f.meta.fpsValue,
              timestamps: times ? pick.map((i) => times[i]) : undefined,
            },
          };
        if (wantImages) images = pick.map((i) => ({ data: encoded![i], mime: "image/jpeg" as const }));
        if (wantRgb && frameRgb)
          rgb = { ...frameRgb, frames: pick.map((i) => frameRgb!.frames[i]), indices: frameIndices };
        if (spec !== frames) frameSpecUsed = spec;
      } else if (textOnly) frameIndices = [];
      // The prompt comes after the frames: it may depend on them (Video-MME's subtitles at sampled frames).
      const p = bench.prompt(sample, preset, promptContext);
      const messages: ChatMessage[] = [];
      if (p.system) messages.push({ role: "system", content: p.system });
      messages.push({ role: "user", content: p.text });
      if (p.prefill !== undefined) messages.push({ role: "assistant", content: p.prefill });
      const frameDoc = {
        spec: frameSpecUsed,
        indices: frameIndices,
        size: o.size ?? null,
        fit: o.fit ?? null,
        perturbation,
      };
      const requestDoc = { messages, params, video: sample.video, frames: frameDoc };
      const key = sha(
        canonicalJson({
          model: adapter.spec,
          describe,
          ...requestDoc,
          sent: sentDigest(sample, images, rgb),
        }),
      );
      const regions = adapter.needs.regions ? regionInputFor(sample, frameIndices) : undefined;
      return { sample, messages, prompt: p.text, images, rgb, frameIndices, key, requestDoc, regions };
    };

    const ask = async (pr: Prepared): Promise<void> => {
      const { sample } = pr;
      const cached = store.cachedResponse(pr.key);
      let raw: string;
      let meta: {
        usage?: Record<string, number>;
        servedModel?: string;
        attempts?: number;
        latencyMs?: number;
        finishReason?: string;
        systemFingerprint?: string;
        truncated?: { bytes: number; kept: number };
        fresh: boolean;
      };
      if (cached) {
        // Same model, params, prompt and frames were answered before (another run, or before a kill).
        raw = cached.response;
        meta = {
          usage: cached.usage ?? undefined,
          servedModel: cached.servedModel ?? undefined,
          attempts: 0,
          latencyMs: cached.latencyMs ?? undefined,
          fresh: false,
        };
      } else {
        let attempt = 0;
        for (;;) {
          attempt++;
          // A slot is held only while a request is in flight, never during backoff.
          await limiter.acquire();
          const t0 = performance.now();
          let res: ModelResponse | undefined;
          let err: unknown;
          try {
            const signal = AbortSignal.any([runSignal, AbortSignal.timeout(timeoutMs)]);
            res = await adapter.generate(
              {
                messages: pr.messages,
                images: pr.images,
                rgb: pr.rgb,
                regions: pr.regions,
                question: { text: sample.question, options: sample.options, category: sample.category },
                params,
                sampleId: sample.id,
              },
              signal,
            );
          } catch (e) {
            err = e;
          }
          limiter.release(res ? "ok" : isKinemaError(err, "rate_limited") ? "rate_limited" : "error");
          const latencyMs = performance.now() - t0;
          if (runSignal.aborted) throw runSignal.reason ?? err; // interrupted: the sample stays pending
          store.recordAttempt({
            runId,
            sampleId: sample.id,
            requestKey: pr.key,
            attempt,
            ok: Boolean(res),
            error: res ? undefined : errorRecord(err),
            latencyMs,
          });
          if (res) {
            raw = res.text;
            meta = {
              usage: res.usage as Record<string, number> | undefined,
              servedModel: res.servedModel,
              attempts: attempt,
              latencyMs,
              finishReason: res.finishReason,
              systemFingerprint: res.systemFingerprint,
              truncated: res.truncated,
              fresh: true,
            };
            break;
          }
          if (!isRetryable(err) || attempt > policy.retries) {
            if (err && typeof err === "object") (err as any).attempts = attempt;
            throw err;
          }
          await sleep(backoffMs(attempt, err, policy), runSignal);
        }
      }
      requested += meta.fresh ? 1 : 0;
      if (meta.fresh) {
        tokens.requests++;
        if (meta.usage) {
          tokens.reported++;
          tokens.promptTokens += meta.usage.promptTokens ?? 0;
          tokens.completionTokens += meta.usage.completionTokens ?? 0;
        }
      }
      const parsed = bench.parse(raw, sample, parseMode);
      const correct = bench.isCorrect
        ? bench.isCorrect(parsed, sample)
        : sample.answer === "NA" || sample.answer === ""
          ? null
          : parsed.answer === sample.answer;
      const status = parsed.ok ? "ok" : "unparsed";
      store.recordResult(runId, sample.id, {
        status,
        requestKey: pr.key,
        prompt: pr.prompt,
        frameIndices: pr.frameIndices ?? undefined,
        raw,
        parsed: parsed.answer,
        correct,
        attempts: meta.attempts,
        latencyMs: meta.latencyMs,
        usage: meta.usage,
        servedModel: meta.servedModel,
        flags: meta.truncated ? { truncated: meta.truncated } : undefined,
        request: meta.fresh
          ? {
              model: adapter.spec,
              request: pr.requestDoc,
              finishReason: meta.finishReason,
              systemFingerprint: meta.systemFingerprint,
            }
          : undefined,
      });
      counts[status]++;
      counts.done++;
    };

    const fail = (sample: Sample, e: unknown, pr?: Prepared) => {
      store.recordResult(runId, sample.id, {
        status: "failed",
        requestKey: pr?.key,
        prompt: pr?.prompt,
        frameIndices: pr?.frameIndices ?? undefined,
        error: errorRecord(e),
        attempts: (e as any)?.attempts ?? 0,
      });
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
    pump();
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, worker));
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
