// One sample, start to finish, without a store: plan and decode its frames, build the request and its cache
// key, ask the model with timeouts and retries, parse and score. The in-process runner and the queue worker
// both run exactly this, so the two paths send the same requests and store the same rows.
import { createHash } from "node:crypto";
import type { Benchmark, ClipInfo, PromptContext, Sample } from "../benchmarks/types.ts";
import type { Limiter } from "../models/limiter.ts";
import { regionTags } from "../models/regions.ts";
import { generateWithRetries, type RetryPolicy } from "../models/retry.ts";
import type {
  ChatMessage,
  GenerationParams,
  ModelAdapter,
  ModelImage,
  RegionInput,
  RgbFrames,
} from "../models/types.ts";
import type { AttemptRecord, SampleResult } from "../store/index.ts";

export type { AttemptRecord } from "../store/index.ts";

import { errorRecord, isKinemaError, KinemaError } from "../util/errors.ts";
import { type FramePerturbation, perturbFrames } from "./perturb.ts";

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

/** What preparing a sample needs from its collaborators (a subset of EvalDeps). */
export interface ExecDeps {
  loadFrames: FrameLoader;
  /** JPEG-encodes frames (needed when a benchmark draws on them before sending). */
  encodeImages?(rgb: RgbFrames): Promise<Buffer[]>;
}

/** What the model is sent, resolved against the model's and the benchmark's defaults (src/run/plan.ts). */
export interface RequestSettings {
  /** The canonical frame spec (`none` = text only). */
  frames: string;
  preset?: string;
  parseMode?: string;
  params: GenerationParams;
  size?: number;
  fit?: string;
  perturbation?: FramePerturbation;
}

/** Everything fixed for one run: the same context gives the same requests and cache keys everywhere. */
export interface ExecContext extends RequestSettings {
  bench: Benchmark;
  adapter: ModelAdapter;
  /** adapter.describe() of the planning side, part of every request key. */
  describe: unknown;
  deps: ExecDeps;
  clipInfo(ref: Sample["video"]): ClipInfo;
  policy: RetryPolicy;
  timeoutMs: number;
  /** Slots for requests in flight (held only during a request, never during backoff). */
  limiter: Limiter;
  signal: AbortSignal;
}

export interface Prepared {
  sample: Sample;
  messages: ChatMessage[];
  prompt: string;
  images: ModelImage[];
  rgb?: RgbFrames;
  frameIndices: number[] | null;
  key: string;
  requestDoc: unknown;
  /** Region input (each object's masks on the frames sent), for adapters that declare `needs.regions`. */
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

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

type ClipProbe = (ref: Sample["video"]) => Promise<{ frames: number; fps: number }>;

/**
 * ClipInfo for framesFor hooks that need a clip's length: probed (I/O) only when a hook asks, once per video
 * in `memo`; `local` maps a ref to the copy this machine reads (a queue worker's --bench-root).
 */
export function clipInfoOf(
  probe: ClipProbe | undefined,
  memo = new Map<string, ReturnType<ClipProbe>>(),
  local: (ref: Sample["video"]) => Sample["video"] = (ref) => ref,
): (ref: Sample["video"]) => ClipInfo {
  return (ref) => ({
    meta: () => {
      if (!probe)
        return Promise.reject(new KinemaError("internal", "this runner cannot probe a clip's frames"));
      const k = canonicalJson(local(ref));
      let p = memo.get(k);
      if (!p) {
        p = probe(local(ref));
        memo.set(k, p);
      }
      return p;
    },
  });
}

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

/** Whether this context sends no pixels at all (text only). */
export function isTextOnly(ctx: Pick<ExecContext, "frames" | "perturbation" | "adapter">): boolean {
  // Fixed-count models (built-ins) get blank frames for the `none` perturbation, others text only.
  return ctx.frames === "none" || (ctx.perturbation?.kind === "none" && !ctx.adapter.fixedFrames);
}

/** Plans and decodes a sample's frames, then builds its prompt (which may depend on them), request and key. */
export async function prepareSample(ctx: ExecContext, sample: Sample): Promise<Prepared> {
  const { bench, adapter, frames, preset, deps, perturbation } = ctx;
  const textOnly = isTextOnly(ctx);
  const wantImages = adapter.needs.images && !textOnly;
  const wantRgb = adapter.needs.rgb && !textOnly;
  let images: ModelImage[] = [];
  let rgb: RgbFrames | undefined;
  let frameIndices: number[] | null = null;
  let frameSpecUsed = frames;
  let promptContext: PromptContext | undefined;
  if (wantImages || wantRgb) {
    const spec = (await bench.framesFor?.(sample, frames, ctx.clipInfo(sample.video))) ?? frames;
    // Set-of-mark prompting draws on the pixels, so JPEGs are encoded here after drawing.
    const marking = Boolean(bench.markFrames);
    const f = await deps.loadFrames(sample.video, spec, {
      size: ctx.size,
      fit: ctx.fit,
      cache: true,
      images: wantImages && !marking ? "jpeg" : false,
    });
    let frameRgb = f.rgb;
    let encoded = f.images;
    if (marking && f.rgb) {
      frameRgb = bench.markFrames!(sample, preset, f.rgb) ?? f.rgb;
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
    size: ctx.size ?? null,
    fit: ctx.fit ?? null,
    perturbation,
  };
  const requestDoc = { messages, params: ctx.params, video: sample.video, frames: frameDoc };
  const key = sha(
    canonicalJson({
      model: adapter.spec,
      describe: ctx.describe,
      ...requestDoc,
      sent: sentDigest(sample, images, rgb),
    }),
  );
  const regions = adapter.needs.regions ? regionInputFor(sample, frameIndices) : undefined;
  return { sample, messages, prompt: p.text, images, rgb, frameIndices, key, requestDoc, regions };
}

/** A stored answer for a request key (another run, or before a kill). */
export interface CachedAnswer {
  response: string;
  usage?: Record<string, number> | null;
  servedModel?: string | null;
  latencyMs?: number | null;
  /** The answer's notes when it was stored (store schema v5), e.g. {truncated: {bytes, kept}}. */
  flags?: Record<string, any> | null;
}

export interface AskHooks {
  cached?(key: string): CachedAnswer | undefined;
  onAttempt?(a: AttemptRecord): void;
  /** A 429 arrived; `waitMs` is the wait the retry will honour (queue workers slow every worker by it). */
  onRateLimited?(waitMs: number): void | Promise<void>;
}

/** What asking one sample gave: its store row, and whether the model was asked (not a cache hit). */
export interface Asked {
  result: SampleResult;
  fresh: boolean;
}

/**
 * Asks the model (or reuses a cached answer), parses and scores. Throws when there is no answer after the
 * retries (with `attempts` on the error) and when the context's signal aborts (the sample stays pending).
 */
export async function askSample(ctx: ExecContext, pr: Prepared, hooks: AskHooks = {}): Promise<Asked> {
  const { sample } = pr;
  const { adapter, params, limiter, policy, signal: runSignal } = ctx;
  const cached = hooks.cached?.(pr.key);
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
      truncated: cached.flags?.truncated,
      fresh: false,
    };
  } else {
    const { res, attempts, latencyMs } = await generateWithRetries(
      adapter,
      {
        messages: pr.messages,
        images: pr.images,
        rgb: pr.rgb,
        regions: pr.regions,
        question: { text: sample.question, options: sample.options, category: sample.category },
        params,
        sampleId: sample.id,
      },
      {
        policy,
        timeoutMs: ctx.timeoutMs,
        signal: runSignal,
        limiter,
        onAttempt: (a) =>
          hooks.onAttempt?.({
            sampleId: sample.id,
            requestKey: pr.key,
            attempt: a.attempt,
            ok: a.ok,
            error: a.ok ? undefined : errorRecord(a.error),
            latencyMs: a.latencyMs,
          }),
        onRetryWait: (wait, err) =>
          isKinemaError(err, "rate_limited") ? hooks.onRateLimited?.(wait) : undefined,
      },
    );
    raw = res.text;
    meta = {
      usage: res.usage as Record<string, number> | undefined,
      servedModel: res.servedModel,
      attempts,
      latencyMs,
      finishReason: res.finishReason,
      systemFingerprint: res.systemFingerprint,
      truncated: res.truncated,
      fresh: true,
    };
  }
  const parsed = ctx.bench.parse(raw, sample, ctx.parseMode);
  const correct = ctx.bench.isCorrect
    ? ctx.bench.isCorrect(parsed, sample)
    : sample.answer === "NA" || sample.answer === ""
      ? null
      : parsed.answer === sample.answer;
  const status = parsed.ok ? "ok" : "unparsed";
  return {
    fresh: meta.fresh,
    result: {
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
    },
  };
}

/** The store row of a sample that got no answer (its typed error and how many attempts it took). */
export function failedResult(e: unknown, pr?: Prepared): SampleResult {
  return {
    status: "failed",
    requestKey: pr?.key,
    prompt: pr?.prompt,
    frameIndices: pr?.frameIndices ?? undefined,
    error: errorRecord(e),
    attempts: (e as any)?.attempts ?? 0,
  };
}

/** Token usage summed over answered requests, as the server reported it (OpenAI `usage`). */
export interface TokenTotals {
  /** Answers that came from the model (not the cache). */
  requests: number;
  /** Of those, how many carried a usage record. */
  reported: number;
  promptTokens: number;
  completionTokens: number;
}

/** Adds one answer to the totals (cache hits count nothing). */
export function addTokens(t: TokenTotals, a: Asked): void {
  if (!a.fresh) return;
  t.requests++;
  const u = a.result.usage as Record<string, number> | undefined;
  if (u) {
    t.reported++;
    t.promptTokens += u.promptTokens ?? 0;
    t.completionTokens += u.completionTokens ?? 0;
  }
}
