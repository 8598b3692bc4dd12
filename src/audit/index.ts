// `kinema audit`: one model on one multiple-choice benchmark under frame perturbations (ordered, shuffled,
// reversed, first, last, none), each a stored, resumable run; how much of the ordered accuracy survives each.
import type { Benchmark } from "../benchmarks/types.ts";
import { PERTURBATIONS, type PerturbationKind } from "../run/perturb.ts";
import { createProgress } from "../run/progress.ts";
import type { EvalDeps, EvalOptions } from "../run/runner.ts";
import { openStore, type SampleRow } from "../store/index.ts";
import { KinemaError } from "../util/errors.ts";
import { type AuditItem, type CellStats, conditionStats, type Retention, retention } from "./stats.ts";

export interface AuditOptions
  extends Omit<EvalOptions, "framePerturbation" | "resume" | "judge" | "progress" | "retryFailed"> {
  bench: string;
  model: string;
  /** Conditions to run, in this order (default: all six; `ordered` is needed for retention). */
  conditions?: PerturbationKind[];
  /** Seed of the `shuffled` condition (default 0). */
  shuffleSeed?: number;
  /** Progress lines on stderr per condition. */
  progress?: boolean;
}

/** One condition's numbers; `categories` maps category → accuracy (the documented --json shape). */
export interface AuditCondition extends CellStats, Retention {
  run: string;
  categories: Record<string, number | null>;
  categoryDetail: Record<string, CellStats & Pick<Retention, "retained" | "ratio" | "delta">>;
  counts: { total: number; ok: number; failed: number; unparsed: number };
  pending: number;
}

export interface AuditResult {
  benchmark: string;
  model: string;
  /** The frame plan every condition perturbs. */
  frames: string;
  shuffleSeed: number;
  conditions: Partial<Record<PerturbationKind, AuditCondition>>;
  /** true when a condition stopped with samples pending (Ctrl-C): re-run the same command to continue. */
  interrupted: boolean;
}

/** Scored dev questions of a stored run (test-split questions are left out, as in eval's `overall`). */
export function auditItems(rows: readonly SampleRow[]): AuditItem[] {
  return rows
    .filter((r) => r.split !== "test" && (r.status === "ok" || r.status === "unparsed") && r.correct !== null)
    .map((r) => ({
      sampleId: r.sampleId,
      videoId: r.videoId,
      category: r.category,
      correct: r.correct === true,
      options: r.options.length,
    }));
}

function parseConditions(list: readonly string[] | undefined): PerturbationKind[] {
  if (!list?.length) return [...PERTURBATIONS];
  for (const c of list)
    if (!(PERTURBATIONS as readonly string[]).includes(c))
      throw new KinemaError("bad_spec", `unknown audit condition "${c}" (use ${PERTURBATIONS.join(", ")})`, {
        field: "conditions",
      });
  const dup = list.find((c, i) => list.indexOf(c) !== i);
  if (dup) throw new KinemaError("bad_spec", `--conditions lists ${dup} twice`, { field: "conditions" });
  // `ordered` first, whatever the order given: every other condition is measured against it.
  return PERTURBATIONS.filter((k) => list.includes(k));
}

/** Refuses open-ended benchmarks up front: the audit compares multiple-choice accuracies. */
async function checkMultipleChoice(o: AuditOptions, deps: EvalDeps): Promise<void> {
  const rb = await deps.resolveBenchmark(o.bench);
  const bench: Benchmark = rb.benchmark;
  const benchOptions = o.benchOptions && Object.keys(o.benchOptions).length ? o.benchOptions : undefined;
  const { samples } = await bench.load(rb.path, benchOptions);
  const open = samples.find((s) => s.options.length === 0 || s.scoring);
  if (open)
    throw new KinemaError(
      "bad_spec",
      `kinema audit needs multiple-choice questions; ${rb.name} sample ${open.id} is open-ended`,
      { field: "bench", id: open.id },
    );
}

/** Runs (or continues) every condition and returns the audit; each condition is a normal stored run. */
export async function runAudit(o: AuditOptions, deps?: EvalDeps): Promise<AuditResult> {
  const conditions = parseConditions(o.conditions);
  const shuffleSeed = o.shuffleSeed ?? 0;
  if (!Number.isInteger(shuffleSeed) || shuffleSeed < 0)
    throw new KinemaError("bad_spec", `--shuffle-seed must be a non-negative integer, got ${shuffleSeed}`, {
      field: "shuffle-seed",
    });
  const { runEval } = await import("../run/runner.ts");
  const d = deps ?? (await import("../run/deps.ts")).defaultDeps;
  d.checkOptions?.(o.frames, o.fit);
  await checkMultipleChoice(o, d);
  const { conditions: _c, shuffleSeed: _s, progress, ...evalOpts } = o;
  const out: AuditResult = {
    benchmark: "",
    model: o.model,
    frames: o.frames ?? "",
    shuffleSeed,
    conditions: {},
    interrupted: false,
  };
  const items: Partial<Record<PerturbationKind, AuditItem[]>> = {};
  for (const kind of conditions) {
    const r = await runEval(
      {
        ...evalOpts,
        framePerturbation: kind === "shuffled" ? { kind, seed: shuffleSeed } : { kind },
        progress: progress ? createProgress(`audit ${kind} · ${o.model}`) : false,
      },
      d,
    );
    out.benchmark = r.run.benchmark;
    out.model = r.run.model;
    out.frames = String(r.run.config.frames ?? out.frames);
    const store = openStore(o.runDir ?? "runs");
    let rows: SampleRow[];
    try {
      rows = store.samples(r.run.id);
    } finally {
      store.close();
    }
    const its = auditItems(rows);
    items[kind] = its;
    const s = conditionStats(its, Object.keys(r.summary.categoryDetail));
    const base = items.ordered;
    const none: Retention = {
      retained: null,
      retainedCi95: null,
      ratio: null,
      delta: null,
      deltaCi95: null,
      paired: 0,
    };
    const categoryDetail: AuditCondition["categoryDetail"] = {};
    for (const [cat, c] of Object.entries(s.categories)) {
      const rc = base
        ? retention(
            base.filter((x) => x.category === cat),
            its.filter((x) => x.category === cat),
          )
        : none;
      categoryDetail[cat] = { ...c, retained: rc.retained, ratio: rc.ratio, delta: rc.delta };
    }
    out.conditions[kind] = {
      run: r.run.id,
      ...s.overall,
      ...(base ? retention(base, its) : none),
      categories: Object.fromEntries(Object.entries(s.categories).map(([k, c]) => [k, c.acc])),
      categoryDetail,
      counts: r.summary.counts,
      pending: r.summary.pending,
    };
    if (r.summary.pending > 0 || o.signal?.aborted) {
      out.interrupted = true;
      break;
    }
  }
  return out;
}

/** Exactly what `kinema audit --json` prints. */
export function auditJson(r: AuditResult) {
  const { interrupted, ...rest } = r;
  return { ...rest, ...(interrupted ? { interrupted } : {}) };
}
