// Planning a run before anything is asked: the options a resumed run keeps, the samples it covers (test
// answers, errata, judge-only samples, --limit, --shard), its settings, and its identity (same identity → the
// same run continues) with the typed config the store keeps (RunConfig).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { applyTestAnswers, parseAnswers } from "../benchmarks/answers.ts";
import type { Benchmark, LoadIssue, Sample } from "../benchmarks/types.ts";
import type { GenerationParams, ModelAdapter } from "../models/types.ts";
import type { RunConfig, RunRow, Store } from "../store/index.ts";
import { KinemaError } from "../util/errors.ts";
import { formatSampleSpec, parseSampleSpec } from "../video/sample.ts";
import { applyErrata, readErrata } from "./errata.ts";
import { type FramePerturbation, FramePerturbationSchema } from "./perturb.ts";
import { canonicalJson, type RequestSettings } from "./sample-exec.ts";
import type { EvalDeps, EvalOptions, ResolvedBenchmark, Shard } from "./types.ts";

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
  "errata",
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

export function slug(s: string): string {
  return s
    .replace(/[^A-Za-z0-9.]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
}

/**
 * The canonical text of a frame spec (`fps:1.0` → `fps:1`, `uniform: 8` → `uniform:8`), so that the run
 * identity and the request cache key name one plan one way. Text the grammar does not know is kept as given
 * (the decoder reports it, per sample).
 */
export function canonicalFrames(spec: string): string {
  try {
    return formatSampleSpec(parseSampleSpec(spec));
  } catch {
    return spec.trim();
  }
}

/** `--resume RUN`: the run's stored settings win; only run-time knobs (concurrency, timeouts) come from `o`. */
export function resumeOptions(o: EvalOptions, store: Store): { o: EvalOptions; resumed?: RunRow } {
  if (!o.resume) return { o };
  const resumed = store.getRun(o.resume);
  if (!resumed)
    throw new KinemaError("not_found", `no run "${o.resume}" in ${store.path}`, {
      file: store.path,
      field: "resume",
    });
  const c = resumed.config;
  const some = <T>(v: T | null | undefined): T | undefined => v ?? undefined;
  const perturbation = c.framePerturbation ? FramePerturbationSchema.parse(c.framePerturbation) : undefined;
  return {
    resumed,
    o: {
      ...o,
      bench: c.benchSpec,
      model: c.model,
      frames: c.frames,
      benchOptions: some(c.benchOptions),
      answers: some(c.answersFile),
      size: some(c.size),
      fit: some(c.fit),
      prompt: some(c.prompt),
      parse: some(c.parse),
      temperature: some(c.params?.temperature),
      maxTokens: some(c.params?.maxTokens),
      seed: some(c.params?.seed),
      framePerturbation: perturbation,
      shard: c.shard ? parseShard(String(c.shard)) : undefined,
      modelOptions: { ...c.modelOptions, headers: o.modelOptions?.headers, env: o.modelOptions?.env },
    },
  };
}

/** The reviewed label corrections a run applies, as its identity and config name them. */
export interface ErrataId {
  name: string;
  sha256: string;
  corrected: number;
  excluded: number;
}

/** What a run covers: its benchmark, every loaded sample, the ones this invocation plans, and what changed them. */
export interface RunSamples {
  rb: ResolvedBenchmark;
  /** Every sample of the benchmark after test answers and errata (the run's `benchItems`). */
  all: Sample[];
  /** The samples of this run: after judge-only filtering, --limit and --shard. */
  samples: Sample[];
  /** The sample the prompt hash is taken on (before sharding, so shards share the whole run's identity). */
  probe?: Sample;
  issues: LoadIssue[];
  benchOptions?: Record<string, unknown>;
  answersFile?: string;
  answersHash?: string;
  answersApplied: number;
  errata?: ErrataId;
  /** `i/N` of a sharded run. */
  shard?: string;
  /** The judge protocol of a judged benchmark (`kinema judge <protocol>`). */
  judgeProtocol?: string;
}

/** Loads the benchmark and applies, in order: test answers, the judge-only filter, errata, --limit, --shard. */
export async function loadRunSamples(
  o: EvalOptions & { bench: string },
  deps: EvalDeps,
): Promise<RunSamples> {
  const rb = await deps.resolveBenchmark(o.bench);
  const benchOptions = o.benchOptions && Object.keys(o.benchOptions).length ? o.benchOptions : undefined;
  const loaded = await rb.benchmark.load(rb.path, benchOptions);
  const issues: LoadIssue[] = [...loaded.issues];
  let all = loaded.samples;
  // Hidden test answers (an explicit --answers file, or the one beside a synthetic set).
  const answersFile = o.answers ? resolvePath(o.answers) : rb.answers;
  let answersHash: string | undefined;
  let answersApplied = 0;
  if (answersFile) {
    const text = readAnswersText(answersFile);
    const applied = applyTestAnswers(all, parseAnswers(jsonOf(text, answersFile), answersFile), answersFile);
    all = applied.samples;
    issues.push(...applied.issues);
    answersApplied = applied.applied;
    answersHash = sha(text).slice(0, 16);
  }
  // Samples only a judge can score (TempCompass captioning) are left out of a run without one, and listed.
  if (!o.judge) {
    const needJudge = all.filter((s) => s.scoring?.judgeRequired);
    if (needJudge.length) {
      all = all.filter((s) => !s.scoring?.judgeRequired);
      issues.push({
        file: rb.path,
        field: needJudge[0].labels?.task ? String(needJudge[0].labels.task) : undefined,
        message: `${needJudge.length} sample(s) need an LLM judge to be scored (e.g. ${needJudge[0].id}): not asked; add --judge SPEC to run them`,
        action: "skipped",
      });
    }
  }
  let errata: ErrataId | undefined;
  if (o.errata) {
    const read = readErrata(o.errata);
    const applied = applyErrata(all, read.errata, o.errata);
    all = applied.samples;
    issues.push(...(applied.issues as LoadIssue[]));
    errata = {
      name: read.errata.name,
      sha256: read.sha256.slice(0, 16),
      corrected: applied.corrected,
      excluded: applied.excluded,
    };
  }
  let samples = o.limit !== undefined ? all.slice(0, o.limit) : all;
  const probe = samples[0] ?? all[0];
  if (o.shard) {
    const { index, count } = o.shard;
    samples = samples.filter((_, i) => i % count === index);
  }
  const judgeProtocol = samples.find((s) => s.scoring?.judge)?.scoring?.judge;
  const shard = o.shard ? `${o.shard.index}/${o.shard.count}` : undefined;
  return {
    rb,
    all,
    samples,
    probe,
    issues,
    benchOptions,
    answersFile,
    answersHash,
    answersApplied,
    errata,
    shard,
    judgeProtocol,
  };
}

function readAnswersText(file: string): string {
  if (!existsSync(file))
    throw new KinemaError("not_found", `no answers file ${file}`, { file, field: "answers" });
  return readFileSync(file, "utf8");
}

function jsonOf(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new KinemaError("bad_input", `invalid JSON: ${(e as Error).message}`, { file });
  }
}

/** What the model is sent (RequestSettings), resolved for a run. */
export type RunSettings = RequestSettings;

/** Resolves the frame spec, prompt preset, parse mode and generation parameters; unknown names are bad_spec. */
export function runSettings(
  o: EvalOptions,
  adapter: ModelAdapter,
  bench: Benchmark,
  perturbation: FramePerturbation | undefined,
): RunSettings {
  const frames = canonicalFrames(o.frames ?? adapter.defaults?.frames ?? bench.defaultFrames);
  const preset = o.prompt ?? bench.presets?.[0];
  const parseMode = o.parse ?? bench.parseModes?.[0];
  if (preset && bench.presets && !bench.presets.includes(preset))
    throw new KinemaError("bad_spec", `unknown prompt preset "${preset}" (use ${bench.presets.join(", ")})`, {
      field: "prompt",
    });
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
  return {
    frames,
    preset,
    parseMode,
    params,
    size: o.size ?? adapter.defaults?.size,
    fit: o.fit ?? adapter.defaults?.fit,
    perturbation,
  };
}

/** A run's identity, its hash, and the whole config the store keeps. */
export interface RunIdentity {
  configHash: string;
  config: RunConfig;
  /** The model options that may be stored (no header values, no environment). */
  storableModelOptions: Record<string, unknown>;
}

/** Identity of a run: same identity → the same run continues. Run-time knobs stay out of it. */
export function runIdentity(
  o: EvalOptions & { bench: string },
  rs: RunSamples,
  adapter: ModelAdapter,
  st: RunSettings,
): RunIdentity {
  const { rb, probe } = rs;
  const bench = rb.benchmark;
  const promptHash = probe
    ? (bench.promptHash?.(probe, st.preset) ??
      sha(canonicalJson(bench.prompt(probe, st.preset))).slice(0, 16))
    : null;
  const { headers: _h, env: _e, ...storableModelOptions } = o.modelOptions ?? {};
  const identity = {
    benchmark: rb.name,
    benchPath: rb.path,
    benchHash: benchFileHash(rb.path),
    model: adapter.spec,
    describe: adapter.describe(),
    params: { ...st.params },
    frames: st.frames,
    // Absent unless used, so runs made before these existed keep their identity.
    benchOptions: rs.benchOptions,
    answers: rs.answersHash,
    ...(rs.errata ? { errata: { name: rs.errata.name, sha256: rs.errata.sha256 } } : {}),
    size: st.size ?? null,
    fit: st.fit ?? null,
    prompt: st.preset ?? null,
    promptHash,
    parse: st.parseMode ?? null,
    framePerturbation: st.perturbation,
    shard: rs.shard,
  };
  const config: RunConfig = {
    ...identity,
    benchSpec: o.bench,
    answersFile: rs.answersFile,
    ...(rs.errata ? { errataFile: resolvePath(o.errata!), errataApplied: { ...rs.errata } } : {}),
    modelOptions: storableModelOptions,
    needs: { ...adapter.needs },
    ...(rs.judgeProtocol ? { judgeProtocol: rs.judgeProtocol } : {}),
    kinemaVersion: pkg.version,
    node: process.versions.node,
  };
  return { configHash: identityHash(identity), config, storableModelOptions };
}
