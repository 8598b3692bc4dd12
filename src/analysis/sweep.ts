// `kinema sweep`: one model on one benchmark at several frame settings, as linked runs (each a normal
// `kinema eval` run, so re-running the sweep continues them) plus RUN_DIR/sweeps/<id>.json linking them.
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defaultDeps } from "../run/deps.ts";
import { type EvalDeps, type EvalOptions, runEval } from "../run/runner.ts";
import { KinemaError } from "../util/errors.ts";
import type { SweepFile } from "./source-sqlite.ts";
import { specX } from "./sweep-data.ts";

export interface SweepOptions extends Omit<EvalOptions, "frames" | "resume"> {
  bench: string;
  model: string;
  /** Frame specs, e.g. ["uniform:4", "uniform:8", "uniform:16", "fps:1"]. */
  frames: string[];
}

export interface SweepResult {
  sweep: string;
  benchmark: string;
  model: string;
  /** Where the sweep's link file was written. */
  file: string;
  points: {
    frames: string;
    run: string;
    x: number | null;
    unit: "frames" | "fps" | null;
    overall: { acc: number | null; n: number; ci95: [number, number] | null };
    categories: Record<string, { acc: number | null; n: number }>;
    counts: { total: number; ok: number; failed: number; unparsed: number };
  }[];
}

/** Stable id: the same bench, model and frame list name the same sweep, so a re-run continues it. */
export function sweepId(bench: string, model: string, frames: string[]): string {
  const h = createHash("sha256")
    .update(JSON.stringify([bench, model, frames]))
    .digest("hex")
    .slice(0, 10);
  return `sweep-${model.replace(/[^A-Za-z0-9.]+/g, "-").slice(0, 30)}-${h}`;
}

export async function sweep(o: SweepOptions, deps?: EvalDeps): Promise<SweepResult> {
  if (!o.frames?.length)
    throw new KinemaError("bad_spec", "--frames needs at least one spec, e.g. uniform:4 uniform:8", {
      field: "frames",
    });
  const dupes = o.frames.filter((f, i) => o.frames.indexOf(f) !== i);
  if (dupes.length)
    throw new KinemaError("bad_spec", `--frames lists ${dupes[0]} twice`, { field: "frames" });
  const d = deps ?? defaultDeps;
  // validate every spec before the first (possibly long) run starts
  for (const f of o.frames) d.checkOptions?.(f, o.fit);
  const runDir = resolve(o.runDir ?? "runs");
  const id = sweepId(o.bench, o.model, o.frames);
  const points: SweepResult["points"] = [];
  let benchmark = "";
  const file = join(runDir, "sweeps", `${id}.json`);
  const write = () => {
    const doc: SweepFile = {
      id,
      benchmark,
      model: o.model,
      createdAt: new Date().toISOString(),
      points: points.map((p) => ({ frames: p.frames, run: p.run })),
    };
    mkdirSync(join(runDir, "sweeps"), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(doc, null, 2));
    renameSync(`${file}.tmp`, file); // readers (the explorer) never see half a file
  };
  for (const frames of o.frames) {
    const { frames: _f, ...rest } = o as SweepOptions;
    const r = await runEval({ ...rest, frames, runDir }, d);
    benchmark = r.run.benchmark;
    const s = r.summary;
    points.push({
      frames,
      run: r.run.id,
      ...specX(frames),
      overall: s.overall,
      categories: s.categories,
      counts: s.counts,
    });
    write(); // link each run as soon as it exists, so an interrupted sweep is still browsable
    if (o.signal?.aborted) break;
  }
  return { sweep: id, benchmark, model: o.model, file, points };
}
