// `kinema runs`: the runs in a run store, newest last, with their counts and dev accuracy.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { partialOf, type RunPartial } from "../../run/failures.ts";
import { openStore } from "../../store/index.ts";
import { printJson, printText, textTable } from "../output.ts";

export interface RunListing {
  run: string;
  benchmark: string;
  model: string;
  status: string;
  frames: string;
  created_at: string;
  updated_at: string;
  counts: { total: number; ok: number; failed: number; unparsed: number; pending: number };
  /** Dev accuracy from the run's summary.json (null before the run wrote one). */
  acc: number | null;
  /** Set when the run covers part of its benchmark (--limit) or has pending samples (null: complete). */
  partial: RunPartial | null;
  /** `i/N` for a static shard (kinema eval --shard; join with kinema merge), null otherwise. */
  shard: string | null;
}

export async function listRuns(opts: { runDir?: string } = {}): Promise<RunListing[]> {
  const dir = opts.runDir ?? "runs";
  if (!existsSync(join(dir, "kinema.db"))) return [];
  const store = openStore(dir);
  try {
    return store.listRuns().map((r) => {
      const c = store.counts(r.id);
      let acc: number | null = null;
      const sp = join(store.dir, r.id, "summary.json");
      if (existsSync(sp))
        try {
          acc = JSON.parse(readFileSync(sp, "utf8")).overall?.acc ?? null;
        } catch {
          /* a half-written file from another process: show no accuracy */
        }
      const total = c.ok + c.failed + c.unparsed + c.pending;
      return {
        run: r.id,
        benchmark: r.benchmark,
        model: r.model,
        status: r.status,
        frames: String(r.config.frames ?? ""),
        created_at: r.createdAt,
        updated_at: r.updatedAt,
        counts: { total, ...c },
        acc,
        partial: partialOf({ total, pending: c.pending }, r.config.benchItems),
        shard: r.config.shard ? String(r.config.shard) : null,
      };
    });
  } finally {
    store.close();
  }
}

export function register(program: Command): void {
  program
    .command("runs")
    .description("list evaluation runs in a run store")
    .option("--run-dir <dir>", "where runs and kinema.db live", "runs")
    .option("--json", "print the runs as JSON")
    .action(async (opts: { runDir: string; json?: boolean }) => {
      const runs = await listRuns(opts);
      if (opts.json) return printJson(runs);
      if (runs.length === 0) return printText(`no runs in ${opts.runDir}`);
      printText(
        textTable([
          ["Run", "Status", "Samples", "Failed", "Unparsed", "Pending", "Dev acc %", "Updated"],
          ...runs.map((r) => [
            r.run,
            r.status,
            r.shard
              ? `${r.counts.total} (shard ${r.shard})`
              : r.partial
                ? `${r.partial.answered} of ${r.partial.of} (partial)`
                : r.counts.total,
            r.counts.failed,
            r.counts.unparsed,
            r.counts.pending,
            r.acc === null ? "-" : (100 * r.acc).toFixed(1),
            r.updated_at.replace("T", " ").slice(0, 19),
          ]),
        ]),
      );
    });
}
