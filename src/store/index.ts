// The run store: one embedded SQLite database (node:sqlite, WAL) holding runs, per-sample results and every
// model request/response, so an interrupted evaluation continues without re-asking anything completed.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { KinemaError } from "../util/errors.ts";
import { parseRunConfig, type RunConfig } from "./run-config.ts";

export { type RunConfig, RunConfigSchema } from "./run-config.ts";

/*
 * Schema (version 1). Other tools (the web explorer) may read it; only this module writes it.
 * JSON columns hold JSON text; times are ISO-8601 UTC strings.
 *
 * meta(key TEXT PRIMARY KEY, value TEXT)                 -- schema_version = "1"
 *
 * runs                                                   -- one evaluation = (benchmark, model, settings)
 *   id TEXT PRIMARY KEY                                  -- e.g. "motionbench-random-0-3fa9c2d1e0"
 *   config_hash TEXT UNIQUE                              -- sha256 of `config` minus run-time knobs; same command → same run
 *   benchmark TEXT                                       -- benchmark name: motionbench | videorefer-q | ...
 *   bench_spec TEXT, model TEXT                          -- as given: "synth:/abs/dir", "openai:gpt-4o"
 *   config TEXT (JSON)                                   -- everything to reproduce: model describe(), params, frames,
 *                                                           size, fit, prompt preset + hash, parse mode, version,
 *                                                           benchmark path + file hash (RunConfigSchema, run-config.ts)
 *   status TEXT                                          -- running | done | interrupted
 *   created_at TEXT, updated_at TEXT
 *
 * samples                                                -- one row per (run, benchmark sample); written as soon as
 *   run_id TEXT, sample_id TEXT, PRIMARY KEY(run_id, sample_id)   -- the sample completes (autocommit, WAL)
 *   idx INTEGER                                          -- order in the benchmark
 *   video_id TEXT, category TEXT, split TEXT, answer TEXT  -- ground truth ("NA" = hidden)
 *   question TEXT, options TEXT (JSON string[]), video TEXT (JSON {path, window?, fps?})  -- the inputs
 *   status TEXT                                          -- pending | ok | failed | unparsed
 *   request_key TEXT                                     -- requests.key of the answer used (NULL until asked)
 *   prompt TEXT                                          -- the exact user text sent
 *   frame_indices TEXT (JSON int[])                      -- decoded frame indices actually sent
 *   raw TEXT, parsed TEXT, correct INTEGER (1/0/NULL)    -- model output, extracted answer, correctness
 *   error TEXT (JSON {code, message, status?, ...})      -- last error when status = failed
 *   attempts INTEGER, latency_ms REAL                    -- HTTP attempts, wall time of the answered request
 *   usage TEXT (JSON {promptTokens, completionTokens, totalTokens}), served_model TEXT
 *   updated_at TEXT
 *
 * requests                                               -- answered model requests, shared by all runs (a cache):
 *   key TEXT PRIMARY KEY                                 -- sha256(model spec + describe(), params, prompt, video,
 *                                                           frame spec/indices/size/fit, digest of the image bytes,
 *                                                           RGB frames, question parts and masks sent)
 *   model TEXT, request TEXT (JSON: messages, params, frames — no image bytes)
 *   response TEXT, usage TEXT (JSON), served_model TEXT, finish_reason TEXT, system_fingerprint TEXT
 *   attempts INTEGER, latency_ms REAL, created_at TEXT
 *
 * attempts                                               -- every HTTP attempt, failed ones included
 *   id INTEGER PRIMARY KEY, run_id TEXT, sample_id TEXT, request_key TEXT, attempt INTEGER,
 *   ok INTEGER, error TEXT (JSON), latency_ms REAL, at TEXT
 *
 * Version 2 (judged benchmarks; a version-1 store is migrated in place when opened for writing):
 * samples.judge TEXT (JSON)                              -- digest of the latest judge's verdict on this sample,
 *                                                           for readers: {reply, score, status, verdict?, dims?,
 *                                                           scores?, metrics, judge: {spec, servedModel,
 *                                                           temperature, seed, promptSha256}, judgeKey}
 * Version 3:
 * samples.flags TEXT (JSON)                              -- notes on the answer, e.g. {"truncated": {"bytes", "kept"}}
 *                                                           when the reply was longer than the adapter keeps (64 KiB)
 * Version 4:
 * samples.labels TEXT (JSON)                             -- a benchmark's labels beyond the category (Video-MME
 *                                                           duration/task type, LVBench question types, ...)
 * Version 5:
 * requests.flags TEXT (JSON)                             -- the answer's notes (as samples.flags), so that a reply
 *                                                           served from the cache keeps its {"truncated"} flag
 * judgements                                             -- every judge call's outcome (src/judge Judgement)
 *   run_id TEXT, judge_key TEXT                          -- judge_key: sha256 of judge spec, base URL, temperature,
 *                                                           seed, max tokens (one run can be judged by several)
 *   item_id TEXT, metric TEXT, sample INTEGER,           -- item = sample id (consistency: the Q1/Q2 group id)
 *   PRIMARY KEY(run_id, judge_key, item_id, metric, sample)
 *   kind TEXT, status TEXT                               -- ok | unparsed | failed
 *   cache_key TEXT                                       -- hash of judge + prompt + inputs (reused across runs)
 *   reply TEXT, judgement TEXT (JSON: the whole Judgement: score, pred, dims, error, judge record)
 *   sample_ids TEXT (JSON string[])                      -- the samples this item covers
 *   created_at TEXT
 */

export type StoredStatus = "pending" | "ok" | "failed" | "unparsed";

export interface RunRow {
  id: string;
  configHash: string;
  benchmark: string;
  benchSpec: string;
  model: string;
  /** The stored run config, checked against RunConfigSchema (src/store/run-config.ts). */
  config: RunConfig;
  status: string;
  createdAt: string;
  updatedAt: string;
}

export interface SampleRow {
  runId: string;
  sampleId: string;
  idx: number;
  videoId: string;
  category: string;
  split: string | null;
  answer: string;
  question: string;
  options: string[];
  video: { path: string; window?: [number, number]; fps?: number };
  /** The benchmark's extra labels (Sample.labels), when it has any. */
  labels?: Record<string, unknown>;
  status: StoredStatus;
  requestKey: string | null;
  prompt: string | null;
  frameIndices: number[] | null;
  raw: string | null;
  parsed: string | null;
  correct: boolean | null;
  error: Record<string, unknown> | null;
  attempts: number | null;
  latencyMs: number | null;
  usage: Record<string, number> | null;
  servedModel: string | null;
  updatedAt: string | null;
  /** Digest of the latest judge's verdict (schema v2; null when not judged). */
  judge: Record<string, unknown> | null;
  /** Notes on the answer (schema v3), e.g. {truncated: {bytes, kept}}; null when none. */
  flags: Record<string, unknown> | null;
}

/** One stored judge call outcome (the Judgement object of src/judge, as JSON). */
export interface JudgementRow {
  runId: string;
  judgeKey: string;
  itemId: string;
  metric: string;
  sample: number;
  kind: string;
  status: "ok" | "unparsed" | "failed";
  cacheKey: string | null;
  reply: string | null;
  judgement: Record<string, any>;
  sampleIds: string[];
  createdAt: string;
}

export interface CachedResponse {
  key: string;
  response: string;
  usage: Record<string, number> | null;
  servedModel: string | null;
  finishReason: string | null;
  attempts: number | null;
  latencyMs: number | null;
  /** The answer's notes when it was first stored (schema v5), e.g. {truncated: {bytes, kept}}; null when none. */
  flags: Record<string, any> | null;
}

/** One HTTP attempt, as the attempts table keeps it (failed ones included). */
export interface AttemptRecord {
  sampleId: string;
  requestKey: string;
  attempt: number;
  ok: boolean;
  error?: Record<string, unknown>;
  latencyMs: number;
}

/** The result of one sample, written in one transaction with its request. */
export interface SampleResult {
  status: Exclude<StoredStatus, "pending">;
  requestKey?: string;
  prompt?: string;
  frameIndices?: number[];
  raw?: string;
  parsed?: string;
  correct?: boolean | null;
  error?: Record<string, unknown>;
  attempts?: number;
  latencyMs?: number;
  usage?: Record<string, number>;
  servedModel?: string;
  /** Notes on the answer (samples.flags), e.g. {truncated: {bytes, kept}}. */
  flags?: Record<string, unknown>;
  /** Stored in `requests` when the model answered (absent for cache hits and failures). */
  request?: {
    model: string;
    request: unknown;
    finishReason?: string;
    systemFingerprint?: string;
  };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, config_hash TEXT NOT NULL UNIQUE, benchmark TEXT NOT NULL, bench_spec TEXT NOT NULL,
  model TEXT NOT NULL, config TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS samples (
  run_id TEXT NOT NULL REFERENCES runs(id), sample_id TEXT NOT NULL, idx INTEGER NOT NULL,
  video_id TEXT, category TEXT, split TEXT, answer TEXT, question TEXT, options TEXT, video TEXT,
  status TEXT NOT NULL DEFAULT 'pending',
  request_key TEXT, prompt TEXT, frame_indices TEXT, raw TEXT, parsed TEXT, correct INTEGER, error TEXT,
  attempts INTEGER, latency_ms REAL, usage TEXT, served_model TEXT, updated_at TEXT,
  PRIMARY KEY (run_id, sample_id)
);
CREATE INDEX IF NOT EXISTS samples_status ON samples(run_id, status);
CREATE TABLE IF NOT EXISTS requests (
  key TEXT PRIMARY KEY, model TEXT, request TEXT, response TEXT NOT NULL, usage TEXT, served_model TEXT,
  finish_reason TEXT, system_fingerprint TEXT, attempts INTEGER, latency_ms REAL, created_at TEXT NOT NULL,
  flags TEXT
);
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY, run_id TEXT, sample_id TEXT, request_key TEXT, attempt INTEGER, ok INTEGER,
  error TEXT, latency_ms REAL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS judgements (
  run_id TEXT NOT NULL, judge_key TEXT NOT NULL, item_id TEXT NOT NULL, metric TEXT NOT NULL,
  sample INTEGER NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, cache_key TEXT, reply TEXT,
  judgement TEXT NOT NULL, sample_ids TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, judge_key, item_id, metric, sample)
);
CREATE INDEX IF NOT EXISTS judgements_cache ON judgements(cache_key);
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '1');
`;

export const SCHEMA_VERSION = 5;

const now = () => new Date().toISOString();
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
const unjson = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : null);

function runRow(r: any, file: string): RunRow {
  return {
    id: r.id,
    configHash: r.config_hash,
    benchmark: r.benchmark,
    benchSpec: r.bench_spec,
    model: r.model,
    config: parseRunConfig(r.config, { file, run: r.id }),
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function sampleRow(r: any): SampleRow {
  return {
    runId: r.run_id,
    sampleId: r.sample_id,
    idx: r.idx,
    videoId: r.video_id,
    category: r.category,
    split: r.split,
    answer: r.answer,
    question: r.question ?? "",
    options: unjson(r.options) ?? [],
    video: unjson(r.video) ?? { path: "" },
    labels: unjson(r.labels) ?? undefined,
    status: r.status,
    requestKey: r.request_key,
    prompt: r.prompt,
    frameIndices: unjson(r.frame_indices),
    raw: r.raw,
    parsed: r.parsed,
    correct: r.correct === null || r.correct === undefined ? null : r.correct === 1,
    error: unjson(r.error),
    attempts: r.attempts,
    latencyMs: r.latency_ms,
    usage: unjson(r.usage),
    servedModel: r.served_model,
    updatedAt: r.updated_at,
    judge: unjson(r.judge),
    flags: unjson(r.flags),
  };
}

function judgementRow(r: any): JudgementRow {
  return {
    runId: r.run_id,
    judgeKey: r.judge_key,
    itemId: r.item_id,
    metric: r.metric,
    sample: r.sample,
    kind: r.kind,
    status: r.status,
    cacheKey: r.cache_key,
    reply: r.reply,
    judgement: JSON.parse(r.judgement),
    sampleIds: JSON.parse(r.sample_ids),
    createdAt: r.created_at,
  };
}

export class Store {
  readonly path: string;
  readonly dir: string;
  private db: DatabaseSync;

  constructor(dir: string) {
    this.dir = resolve(dir);
    mkdirSync(this.dir, { recursive: true });
    this.path = join(this.dir, "kinema.db");
    try {
      this.db = new DatabaseSync(this.path, { timeout: 10_000 });
      // WAL: readers (the web explorer, `kinema runs`) never block the writer; each autocommitted row
      // is durable against a killed process (synchronous=NORMAL only risks an OS crash's last commits).
      this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;");
      this.db.exec(SCHEMA);
      this.migrate();
    } catch (e) {
      throw new KinemaError("bad_input", `cannot open the run store: ${(e as Error).message}`, {
        file: this.path,
      });
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  /** Version 1 → 2: the samples.judge column (the judgements table is created by SCHEMA); → 3: samples.flags; → 4: samples.labels; → 5: requests.flags. */
  private migrate(): void {
    const cols = this.db.prepare("PRAGMA table_info(samples)").all() as { name: string }[];
    if (!cols.some((c) => c.name === "judge")) this.db.exec("ALTER TABLE samples ADD COLUMN judge TEXT");
    if (!cols.some((c) => c.name === "flags")) this.db.exec("ALTER TABLE samples ADD COLUMN flags TEXT");
    // Benchmark labels beyond the category (Video-MME task type, LVBench question types...): JSON, nullable.
    if (!cols.some((c) => c.name === "labels")) this.db.exec("ALTER TABLE samples ADD COLUMN labels TEXT");
    const reqCols = this.db.prepare("PRAGMA table_info(requests)").all() as { name: string }[];
    if (!reqCols.some((c) => c.name === "flags")) this.db.exec("ALTER TABLE requests ADD COLUMN flags TEXT");
    this.db
      .prepare("UPDATE meta SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?")
      .run(String(SCHEMA_VERSION), SCHEMA_VERSION);
  }

  /** Merges `patch` into a run's stored config (its identity, config_hash, is unchanged). */
  patchRunConfig(id: string, patch: Record<string, unknown>): void {
    const run = this.getRun(id);
    if (!run) return;
    this.db
      .prepare("UPDATE runs SET config = ?, updated_at = ? WHERE id = ?")
      .run(JSON.stringify({ ...run.config, ...patch }), now(), id);
  }

  /**
   * Commits one judgement and refreshes the `judge` digest of the samples it covers (one transaction, so
   * a killed process keeps every judgement it finished). `digest` builds a sample's digest from all of
   * this judge's judgements of the item.
   */
  recordJudgement(
    j: Omit<JudgementRow, "createdAt">,
    digest?: (rows: JudgementRow[]) => Record<string, unknown> | null,
  ): void {
    const t = now();
    this.tx(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO judgements(run_id, judge_key, item_id, metric, sample, kind, status, cache_key,
             reply, judgement, sample_ids, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
        )
        .run(
          j.runId,
          j.judgeKey,
          j.itemId,
          j.metric,
          j.sample,
          j.kind,
          j.status,
          j.cacheKey,
          j.reply,
          JSON.stringify(j.judgement),
          JSON.stringify(j.sampleIds),
          t,
        );
      if (digest) {
        const rows = this.db
          .prepare(
            "SELECT * FROM judgements WHERE run_id = ? AND judge_key = ? AND item_id = ? ORDER BY metric, sample",
          )
          .all(j.runId, j.judgeKey, j.itemId)
          .map(judgementRow);
        const d = json(digest(rows));
        const st = this.db.prepare("UPDATE samples SET judge = ? WHERE run_id = ? AND sample_id = ?");
        for (const id of j.sampleIds) st.run(d, j.runId, id);
      }
    });
  }

  /** A run's judgements, all judges or one (by judge_key). */
  judgements(runId: string, judgeKey?: string): JudgementRow[] {
    const rows =
      judgeKey === undefined
        ? this.db
            .prepare("SELECT * FROM judgements WHERE run_id = ? ORDER BY item_id, metric, sample")
            .all(runId)
        : this.db
            .prepare(
              "SELECT * FROM judgements WHERE run_id = ? AND judge_key = ? ORDER BY item_id, metric, sample",
            )
            .all(runId, judgeKey);
    return rows.map(judgementRow);
  }

  /** The judges that judged a run, most recent last: [{judgeKey, last}] */
  judgeKeys(runId: string): { judgeKey: string; last: string }[] {
    return (
      this.db
        .prepare(
          "SELECT judge_key, MAX(created_at) AS last FROM judgements WHERE run_id = ? GROUP BY judge_key ORDER BY last, judge_key",
        )
        .all(runId) as any[]
    ).map((r) => ({ judgeKey: r.judge_key, last: r.last }));
  }

  /** An answered judge reply for this cache key from any run (judge replies are reused like model answers). */
  cachedJudgeReply(
    cacheKey: string,
  ):
    | { reply: string; servedModel: string | null; systemFingerprint: string | null; createdAt: string }
    | undefined {
    const r: any = this.db
      .prepare(
        "SELECT reply, judgement, created_at FROM judgements WHERE cache_key = ? AND status != 'failed' AND reply IS NOT NULL LIMIT 1",
      )
      .get(cacheKey);
    if (!r) return undefined;
    const j = JSON.parse(r.judgement);
    return {
      reply: r.reply,
      servedModel: j.judge?.servedModel ?? null,
      systemFingerprint: j.judge?.systemFingerprint ?? null,
      createdAt: r.created_at,
    };
  }

  private tx<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const r = fn();
      this.db.exec("COMMIT");
      return r;
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  findRunByHash(configHash: string): RunRow | undefined {
    const r = this.db.prepare("SELECT * FROM runs WHERE config_hash = ?").get(configHash);
    return r ? runRow(r, this.path) : undefined;
  }

  getRun(id: string): RunRow | undefined {
    const r = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(id);
    return r ? runRow(r, this.path) : undefined;
  }

  listRuns(): RunRow[] {
    return this.db
      .prepare("SELECT * FROM runs ORDER BY created_at, id")
      .all()
      .map((r) => runRow(r, this.path));
  }

  createRun(r: Omit<RunRow, "createdAt" | "updatedAt" | "status">): RunRow {
    const t = now();
    this.db
      .prepare(
        "INSERT INTO runs(id, config_hash, benchmark, bench_spec, model, config, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
      )
      .run(r.id, r.configHash, r.benchmark, r.benchSpec, r.model, JSON.stringify(r.config), "running", t, t);
    return this.getRun(r.id)!;
  }

  setRunStatus(id: string, status: string): void {
    this.db.prepare("UPDATE runs SET status = ?, updated_at = ? WHERE id = ?").run(status, now(), id);
  }

  /** Adds samples not yet in the run (a larger --limit extends it); existing rows are kept as they are. */
  addSamples(
    runId: string,
    rows: {
      sampleId: string;
      idx: number;
      videoId: string;
      category: string;
      split?: string;
      answer: string;
      question: string;
      options: string[];
      video: unknown;
      labels?: Record<string, unknown>;
    }[],
  ): number {
    const st = this.db.prepare(
      "INSERT OR IGNORE INTO samples(run_id, sample_id, idx, video_id, category, split, answer, question, options, video, labels, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,'pending')",
    );
    let added = 0;
    this.tx(() => {
      for (const s of rows)
        added += Number(
          st.run(
            runId,
            s.sampleId,
            s.idx,
            s.videoId,
            s.category,
            s.split ?? null,
            s.answer,
            s.question,
            JSON.stringify(s.options),
            JSON.stringify(s.video),
            s.labels ? JSON.stringify(s.labels) : null,
          ).changes,
        );
    });
    return added;
  }

  /** Ids of the run's samples in the given statuses. */
  sampleIds(runId: string, statuses: StoredStatus[]): Set<string> {
    const q = `SELECT sample_id FROM samples WHERE run_id = ? AND status IN (${statuses.map(() => "?").join(",")})`;
    return new Set(
      this.db
        .prepare(q)
        .all(runId, ...statuses)
        .map((r: any) => r.sample_id as string),
    );
  }

  samples(runId: string): SampleRow[] {
    return this.db.prepare("SELECT * FROM samples WHERE run_id = ? ORDER BY idx").all(runId).map(sampleRow);
  }

  counts(runId: string): Record<StoredStatus, number> {
    const out: Record<StoredStatus, number> = { pending: 0, ok: 0, failed: 0, unparsed: 0 };
    for (const r of this.db
      .prepare("SELECT status, COUNT(*) AS n FROM samples WHERE run_id = ? GROUP BY status")
      .all(runId) as any[])
      out[r.status as StoredStatus] = Number(r.n);
    return out;
  }

  cachedResponse(key: string): CachedResponse | undefined {
    const r: any = this.db.prepare("SELECT * FROM requests WHERE key = ?").get(key);
    if (!r) return undefined;
    return {
      key: r.key,
      response: r.response,
      usage: unjson(r.usage),
      servedModel: r.served_model,
      finishReason: r.finish_reason,
      attempts: r.attempts,
      latencyMs: r.latency_ms,
      flags: unjson(r.flags),
    };
  }

  recordAttempt(a: AttemptRecord & { runId: string }): void {
    this.db
      .prepare(
        "INSERT INTO attempts(run_id, sample_id, request_key, attempt, ok, error, latency_ms, at) VALUES (?,?,?,?,?,?,?,?)",
      )
      .run(a.runId, a.sampleId, a.requestKey, a.attempt, a.ok ? 1 : 0, json(a.error), a.latencyMs, now());
  }

  /** Commits one sample's result (and its answered request) atomically. */
  recordResult(runId: string, sampleId: string, r: SampleResult): void {
    const t = now();
    this.tx(() => {
      if (r.request && r.requestKey && r.raw !== undefined)
        this.db
          .prepare(
            "INSERT OR REPLACE INTO requests(key, model, request, response, usage, served_model, finish_reason, system_fingerprint, attempts, latency_ms, created_at, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
          )
          .run(
            r.requestKey,
            r.request.model,
            json(r.request.request),
            r.raw,
            json(r.usage),
            r.servedModel ?? null,
            r.request.finishReason ?? null,
            r.request.systemFingerprint ?? null,
            r.attempts ?? null,
            r.latencyMs ?? null,
            t,
            json(r.flags),
          );
      this.db
        .prepare(
          `UPDATE samples SET status = ?, request_key = ?, prompt = ?, frame_indices = ?, raw = ?, parsed = ?,
             correct = ?, error = ?, attempts = ?, latency_ms = ?, usage = ?, served_model = ?, flags = ?,
             updated_at = ?
           WHERE run_id = ? AND sample_id = ?`,
        )
        .run(
          r.status,
          r.requestKey ?? null,
          r.prompt ?? null,
          json(r.frameIndices),
          r.raw ?? null,
          r.parsed ?? null,
          r.correct === undefined || r.correct === null ? null : r.correct ? 1 : 0,
          json(r.error),
          r.attempts ?? null,
          r.latencyMs ?? null,
          json(r.usage),
          r.servedModel ?? null,
          json(r.flags),
          t,
          runId,
          sampleId,
        );
      this.db.prepare("UPDATE runs SET updated_at = ? WHERE id = ?").run(t, runId);
    });
  }
}

export function openStore(runDir = "runs"): Store {
  return new Store(runDir);
}
