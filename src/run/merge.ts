// `kinema merge`: static shards (`kinema eval --shard i/N`) of one run, from several run stores, into one run
// store whose run has the unsharded identity (the same id, rows and summary as a one-process run).
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openStore, type RunRow } from "../store/index.ts";
import { KinemaError } from "../util/errors.ts";
import { canonicalJson, IDENTITY_KEYS, identityHash, parseShard, runIdOf } from "./runner.ts";

export interface MergeResult {
  /** The merged run's id (the unsharded run's). */
  run: string;
  out: string;
  shards: { runDir: string; run: string; shard: string; samples: number }[];
}

/** The identity fields that must agree between shards (the path may differ between machines). */
const MUST_MATCH = IDENTITY_KEYS.filter((k) => k !== "shard" && k !== "benchPath");

function shardRun(runDir: string): RunRow {
  const db = join(runDir, "kinema.db");
  if (!existsSync(db)) throw new KinemaError("not_found", `no run store in ${runDir}`, { file: db });
  const store = openStore(runDir);
  try {
    const runs = store.listRuns().filter((r) => r.config.shard);
    if (runs.length !== 1)
      throw new KinemaError(
        "bad_input",
        runs.length === 0
          ? `${runDir} holds no sharded run (kinema eval --shard i/N)`
          : `${runDir} holds ${runs.length} sharded runs (${runs.map((r) => r.id).join(", ")}); give one store per shard`,
        { file: db, field: "shard" },
      );
    return runs[0];
  } finally {
    store.close();
  }
}

/** Merges the shards in `runDirs` into `out` (a new or existing run store); refuses mixed or missing shards. */
export function mergeRuns(runDirs: string[], out: string): MergeResult {
  if (runDirs.length === 0)
    throw new KinemaError("bad_spec", "kinema merge needs the shards' run dirs", { field: "runDir" });
  const runs = runDirs.map((d) => ({ dir: resolve(d), run: shardRun(d) }));
  const first = runs[0];
  const count = parseShard(String(first.run.config.shard)).count;
  const seen = new Map<number, string>();
  for (const r of runs) {
    for (const k of MUST_MATCH)
      if (canonicalJson(r.run.config[k]) !== canonicalJson(first.run.config[k]))
        throw new KinemaError(
          "bad_input",
          `${r.dir} (run ${r.run.id}) is not a shard of the same run as ${first.dir} (run ${first.run.id}): ${k} differs (${canonicalJson(r.run.config[k])} vs ${canonicalJson(first.run.config[k])})`,
          { file: join(r.dir, "kinema.db"), field: k },
        );
    const sh = parseShard(String(r.run.config.shard));
    if (sh.count !== count)
      throw new KinemaError(
        "bad_input",
        `${r.dir}: shard ${r.run.config.shard} is of ${sh.count}, ${first.dir}'s of ${count}`,
        { file: join(r.dir, "kinema.db"), field: "shard" },
      );
    if (seen.has(sh.index))
      throw new KinemaError(
        "bad_input",
        `shard ${sh.index}/${count} given twice (${seen.get(sh.index)}, ${r.dir})`,
        {
          file: join(r.dir, "kinema.db"),
          field: "shard",
        },
      );
    seen.set(sh.index, r.dir);
  }
  const missing = [...Array(count).keys()].filter((i) => !seen.has(i));
  if (missing.length)
    throw new KinemaError(
      "bad_input",
      `shards ${missing.map((i) => `${i}/${count}`).join(", ")} are missing: merge needs all ${count}`,
      { field: "shard" },
    );
  // The unsharded identity: the first shard's config without its shard.
  const identity = Object.fromEntries(
    IDENTITY_KEYS.filter((k) => k !== "shard" && k in first.run.config).map((k) => [k, first.run.config[k]]),
  );
  const configHash = identityHash(identity);
  const { shard: _s, ...config } = first.run.config;
  const runId = runIdOf(first.run.benchmark, first.run.model, configHash, {
    perturbation: (config.framePerturbation as { kind: string } | null) ?? null,
  });
  const store = openStore(out);
  try {
    const existing = store.getRun(runId);
    if (existing && store.counts(runId).pending < store.samples(runId).length)
      throw new KinemaError(
        "bad_input",
        `${out} already holds run ${runId} with results; merge into a new dir`,
        {
          field: "out",
        },
      );
    if (!existing)
      store.createRun({
        id: runId,
        configHash,
        benchmark: first.run.benchmark,
        benchSpec: first.run.benchSpec,
        model: first.run.model,
        config: { ...config, mergedFrom: runs.map((r) => ({ run: r.run.id, shard: r.run.config.shard })) },
      });
  } finally {
    store.close();
  }
  // Rows are copied as stored (ids, prompts, raw answers, flags, judgements, attempts, cached requests).
  const db = new DatabaseSync(join(resolve(out), "kinema.db"));
  const shards: MergeResult["shards"] = [];
  try {
    for (const r of runs) {
      db.exec(`ATTACH DATABASE '${join(r.dir, "kinema.db").replace(/'/g, "''")}' AS src`);
      try {
        db.exec("BEGIN");
        const cols = (t: string) =>
          (db.prepare(`PRAGMA main.table_info(${t})`).all() as { name: string }[])
            .map((c) => c.name)
            .filter((c) =>
              (db.prepare(`PRAGMA src.table_info(${t})`).all() as { name: string }[]).some(
                (x) => x.name === c,
              ),
            );
        const copy = (t: string, verb: string, skip: string[] = []) => {
          const cs = cols(t).filter((c) => !skip.includes(c));
          const sel = cs.map((c) => (c === "run_id" ? "? AS run_id" : c)).join(", ");
          return db
            .prepare(`${verb} INTO main.${t}(${cs.join(", ")}) SELECT ${sel} FROM src.${t} WHERE run_id = ?`)
            .run(runId, r.run.id).changes;
        };
        const n = copy("samples", "INSERT OR REPLACE");
        copy("judgements", "INSERT OR REPLACE");
        copy("attempts", "INSERT", ["id"]);
        db.exec("INSERT OR IGNORE INTO main.requests SELECT * FROM src.requests");
        db.exec("COMMIT");
        shards.push({ runDir: r.dir, run: r.run.id, shard: String(r.run.config.shard), samples: Number(n) });
      } catch (e) {
        db.exec("ROLLBACK");
        throw e;
      } finally {
        db.exec("DETACH DATABASE src");
      }
    }
    const done = db
      .prepare("SELECT COUNT(*) AS n FROM samples WHERE run_id = ? AND status = 'pending'")
      .get(runId) as {
      n: number;
    };
    db.prepare("UPDATE runs SET status = ? WHERE id = ?").run(
      Number(done.n) > 0 ? "interrupted" : "done",
      runId,
    );
  } finally {
    db.close();
  }
  return { run: runId, out: resolve(out), shards };
}
