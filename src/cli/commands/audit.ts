// `kinema audit`: one model under frame perturbations (ordered, shuffled, reversed, first, last, none); prints
// accuracy per category with video-clustered intervals and how much of the ordered accuracy each keeps.
import type { Command } from "commander";
import { type AuditOptions, type AuditResult, auditJson, runAudit } from "../../audit/index.ts";
import { PERTURBATIONS, type PerturbationKind } from "../../run/perturb.ts";
import { KinemaError } from "../../util/errors.ts";
import { runDeps } from "../deps.ts";
import { printJson, printText, textTable } from "../output.ts";
import {
  distributionOptions,
  int,
  modelOptionsOf,
  type RunCliOptions,
  runFlags,
  sharedRunOptions,
} from "../parsers.ts";

interface AuditCliOptions extends RunCliOptions {
  frames?: string;
  conditions?: string;
  shuffleSeed?: number;
  mode?: string;
  answers?: string;
  runDir: string;
}

/** The command as a plain function (tests call it). */
export async function auditCommand(o: AuditCliOptions, signal?: AbortSignal): Promise<AuditResult> {
  if (!o.bench) throw new KinemaError("bad_spec", "--bench is required (e.g. synth:DIR)", { field: "bench" });
  if (!o.model)
    throw new KinemaError("bad_spec", "--model is required (e.g. builtin:te-fusion-k4)", { field: "model" });
  if (o.mode !== undefined && !["single", "multi"].includes(o.mode))
    throw new KinemaError("bad_spec", `--mode must be single or multi, got "${o.mode}"`, { field: "mode" });
  const opts: AuditOptions = {
    bench: o.bench,
    model: o.model,
    frames: o.frames,
    conditions: o.conditions?.split(",").map((c) => c.trim()) as PerturbationKind[] | undefined,
    shuffleSeed: o.shuffleSeed,
    benchOptions: o.mode ? { mode: o.mode } : undefined,
    answers: o.answers,
    ...sharedRunOptions(o),
    modelOptions: modelOptionsOf(o),
    progress: o.progress !== false,
    signal,
  };
  return runAudit(opts, await runDeps(opts.queue));
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "-" : (100 * x).toFixed(1));
const ci = (c: [number, number] | null) => (c ? ` [${pct(c[0])}, ${pct(c[1])}]` : "");
const frac = (x: number | null) => (x === null ? "-" : x.toFixed(2));

/** Categories as rows, conditions as columns: accuracy % [95% CI], then chance and retention rows. */
export function auditText(r: AuditResult): string {
  const kinds = PERTURBATIONS.filter((k) => r.conditions[k]);
  const conds = kinds.map((k) => r.conditions[k]!);
  const cats = [...new Set(conds.flatMap((c) => Object.keys(c.categoryDetail)))];
  const first = conds[0];
  const rows: (string | number)[][] = [
    ["category", "n", "chance", ...kinds],
    ...cats.map((cat) => [
      cat,
      first?.categoryDetail[cat]?.n ?? "-",
      pct(first?.categoryDetail[cat]?.chance),
      ...conds.map((c) => {
        const d = c.categoryDetail[cat];
        return d ? `${pct(d.acc)}${ci(d.ci95)}` : "-";
      }),
    ]),
    ["overall", first?.n ?? "-", pct(first?.chance), ...conds.map((c) => `${pct(c.acc)}${ci(c.ci95)}`)],
    [
      "retained (overall)",
      "",
      "",
      ...conds.map(
        (c) =>
          `${frac(c.retained)}${c.retainedCi95 ? ` [${frac(c.retainedCi95[0])}, ${frac(c.retainedCi95[1])}]` : ""}`,
      ),
    ],
    ["acc / ordered", "", "", ...conds.map((c) => frac(c.ratio))],
  ];
  const failed = conds.reduce((s, c) => s + c.counts.failed, 0);
  return [
    `audit: ${r.model} on ${r.benchmark}, frames ${r.frames}, shuffle seed ${r.shuffleSeed} (accuracy %, 95% CI over videos)`,
    textTable(rows),
    "retained = (acc − chance) / (acc_ordered − chance) on the questions both conditions scored; 1 = nothing lost, 0 = down to chance",
    `failed requests (excluded): ${failed}; runs: ${kinds.map((k) => `${k}=${r.conditions[k]!.run}`).join(" ")}`,
    ...(r.interrupted ? ["interrupted: re-run the same command to continue"] : []),
  ].join("\n");
}

export function register(program: Command): void {
  distributionOptions(
    runFlags(
      program
        .command("audit")
        .description(
          "run one model under frame perturbations (ordered, shuffled, reversed, first, last, none): how much does it use motion?",
        )
        .option(
          "--bench <spec>",
          "a multiple-choice benchmark: motionbench:PATH | synth:DIR | videorefer-q:PATH",
        )
        .option("--model <spec>", "openai:<model> | random[:seed] | builtin:<name>")
        .option("--frames <spec>", "the frame plan every condition perturbs (benchmark default)")
        .option("--conditions <list>", `comma-separated subset of ${PERTURBATIONS.join(",")} (default all)`)
        .option("--shuffle-seed <n>", "seed of the shuffled condition (default 0)", int("--shuffle-seed", 0))
        .option("--mode <mode>", "videorefer-q: single (the frame_idx frame, default) or multi")
        .option("--answers <file>", "{uid: letter} JSON with hidden test answers (see kinema eval)"),
    ).option("--json", "print the audit as JSON"),
  ).action(async (o: AuditCliOptions) => {
    const ac = new AbortController();
    const onSig = () => ac.abort(new KinemaError("timeout", "interrupted"));
    process.once("SIGINT", onSig);
    try {
      const r = await auditCommand(o, ac.signal);
      if (o.json) printJson(auditJson(r));
      else printText(auditText(r));
      if (r.interrupted) process.exitCode = 130;
    } finally {
      process.off("SIGINT", onSig);
    }
  });
}
