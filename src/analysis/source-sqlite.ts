// Read-only RunSource over the run store (RUN_DIR/kinema.db, schema in src/store/index.ts), joined with the
// benchmark's own records (question, options, video, masks), which the store does not copy.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { splitOptions } from "../benchmarks/parse.ts";
import type { Sample } from "../benchmarks/types.ts";
import { KinemaError } from "../util/errors.ts";
import type { RunInfo, RunSource, SampleRecord, SampleStatus } from "./types.ts";

/** A stored run as the source sees it: what the explorer shows plus what a benchmark loader needs. */
export interface StoredRun extends RunInfo {
  benchSpec: string;
  status: string;
}

/** Loads the benchmark records of a run (by its bench spec) so samples get their question, options, video. */
export type BenchmarkLoader = (run: StoredRun) => Promise<Sample[] | null>;

export interface SqliteSource extends RunSource {
  readonly dbPath: string;
  listRuns(): StoredRun[];
  /** Loads (once per bench spec) the benchmark records of these runs; call before runSamples. */
  prepare(runIds: string[]): Promise<void>;
}

/** A sweep written by `kinema sweep`: RUN_DIR/sweeps/<id>.json. */
export interface SweepFile {
  id: string;
  benchmark: string;
  model: string;
  createdAt: string;
  points: { frames: string; run: string }[];
}

export function readSweeps(runDir: string): SweepFile[] {
  const dir = join(resolve(runDir), "sweeps");
  if (!existsSync(dir)) return [];
  const out: SweepFile[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith(".json")) continue;
    try {
      const s = JSON.parse(readFileSync(join(dir, f), "utf8")) as SweepFile;
      if (s && typeof s.id === "string" && Array.isArray(s.points)) out.push(s);
    } catch {
      // a half-written or foreign file is not a sweep; the explorer shows the others
    }
  }
  return out;
}

function parseJson(v: unknown): any {
  if (typeof v !== "string" || v === "") return null;
  try {
    return JSON.parse(v);
  } catch {
    return null;
  }
}

/**
 * A sample's judge reply, when the store keeps one per sample: a `judge` JSON column ({reply, score}) or
 * `judge_reply`/`judge_score` columns. Schema v1 has neither; the explorer shows judge replies once it does.
 */
function judgeOfRow(r: any): { reply: string; score?: number | null; rating?: number } | null {
  const j = parseJson(r.judge);
  if (j && typeof j.reply === "string")
    return {
      reply: j.reply,
      score: typeof j.score === "number" ? j.score : null,
      // TempCompass: the judge's rating is the sample's official score
      ...(typeof j.rating === "number" ? { rating: j.rating } : {}),
    };
  if (typeof r.judge === "string" && r.judge) return { reply: r.judge };
  if (typeof r.judge_reply === "string")
    return { reply: r.judge_reply, score: typeof r.judge_score === "number" ? r.judge_score : null };
  return null;
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : v === null || v === undefined ? null : String(v);
}

function framesOf(config: Record<string, any>): string {
  const f = config.frames ?? config.frameSpec ?? config.sampling;
  if (typeof f === "string") return f;
  if (f && typeof f === "object" && typeof f.spec === "string") return f.spec;
  return "default";
}

function judgeOf(config: Record<string, any>): string | null {
  const j = config.judge;
  if (typeof j === "string") return j;
  if (j && typeof j === "object") return str(j.spec ?? j.model);
  return null;
}

export function openSqliteSource(
  runDir: string,
  opts: { loadBenchmark?: BenchmarkLoader } = {},
): SqliteSource {
  const dbPath = join(resolve(runDir), "kinema.db");
  if (!existsSync(dbPath))
    throw new KinemaError("not_found", `no run store at ${dbPath} (run \`kinema eval\` first)`, {
      file: dbPath,
    });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(dbPath, { readOnly: true, timeout: 5000 });
  } catch (e) {
    throw new KinemaError("bad_input", `cannot open the run store: ${(e as Error).message}`, {
      file: dbPath,
    });
  }
  const sweeps = () => {
    const m = new Map<string, string>();
    for (const s of readSweeps(runDir)) for (const p of s.points) m.set(p.run, s.id);
    return m;
  };
  const bench = new Map<string, Map<string, Sample> | null>();
  const loader = opts.loadBenchmark;
  const runsStmt = db.prepare("SELECT * FROM runs ORDER BY created_at, id");
  const samplesStmt = db.prepare(
    // SELECT *: stores written before the question/options/video columns existed still open
    "SELECT * FROM samples WHERE run_id = ? ORDER BY idx",
  );
  const versionStmt = db.prepare(
    "SELECT r.updated_at AS u, r.status AS s, (SELECT COUNT(*) FROM samples WHERE run_id = r.id) AS n FROM runs r WHERE r.id = ?",
  );

  function listRuns(): StoredRun[] {
    const sw = sweeps();
    return (runsStmt.all() as any[]).map((r) => {
      let config: Record<string, any> = {};
      try {
        config = JSON.parse(r.config);
      } catch {
        // keep the run visible even if its config is unreadable
      }
      return {
        id: r.id,
        benchmark: r.benchmark,
        benchSpec: r.bench_spec,
        model: r.model,
        frames: framesOf(config),
        judge: judgeOf(config),
        preset: str(config.preset ?? config.prompt?.preset),
        createdAt: r.created_at,
        status: r.status,
        sweep: sw.get(r.id) ?? null,
        config,
      };
    });
  }

  return {
    dbPath,
    listRuns,
    async prepare(runIds) {
      if (!loader) return;
      const runs = listRuns().filter((r) => runIds.includes(r.id));
      for (const r of runs) {
        if (bench.has(r.benchSpec)) continue;
        let samples: Sample[] | null = null;
        try {
          samples = await loader(r);
        } catch {
          // benchmark files moved or unreadable: fall back to what the store has (the prompt text)
          samples = null;
        }
        bench.set(r.benchSpec, samples ? new Map(samples.map((s) => [s.id, s])) : null);
      }
    },
    runSamples(runId) {
      const run = listRuns().find((r) => r.id === runId);
      if (!run) return [];
      const meta = bench.get(run.benchSpec) ?? null;
      return (samplesStmt.all(runId) as any[]).map((r): SampleRecord => {
        const b = meta?.get(r.sample_id);
        let question: string = r.question ?? b?.question ?? "";
        let options: string[] = parseJson(r.options) ?? b?.options ?? [];
        const video = parseJson(r.video) ?? b?.video ?? null;
        if (!question && typeof r.prompt === "string") {
          // without the benchmark files the exact prompt sent is the best record of the question
          const block = splitOptions(r.prompt);
          question = block.question ?? r.prompt;
          options = block.options.map((o: { text: string }) => o.text);
        }
        const indices: number[] | null = parseJson(r.frame_indices);
        let error: string | null = null;
        if (r.error) {
          try {
            const e = JSON.parse(r.error);
            error = `${e.code ?? "error"}: ${e.message ?? ""}`;
          } catch {
            error = String(r.error);
          }
        }
        const sz = run.config?.size;
        const size: [number, number] | null =
          typeof sz === "number" ? [sz, sz] : Array.isArray(sz) && sz.length === 2 ? [sz[0], sz[1]] : null;
        return {
          id: r.sample_id,
          videoId: r.video_id ?? r.sample_id,
          category: r.category ?? "",
          question,
          options,
          answer: r.answer ?? "",
          split: r.split ?? null,
          raw: r.raw ?? null,
          parsed: r.parsed ?? null,
          status: r.status as SampleStatus,
          correct: r.correct === null || r.correct === undefined ? null : r.correct === 1,
          error,
          frames: indices ? { indices, size } : null,
          video,
          masks: b?.masks ?? null,
          judge: judgeOfRow(r),
        };
      });
    },
    version(runId) {
      const v = versionStmt.get(runId) as any;
      return v ? `${v.u}|${v.s}|${v.n}|${bench.size}` : "none";
    },
    close() {
      if (db.isOpen) db.close();
    },
  };
}
