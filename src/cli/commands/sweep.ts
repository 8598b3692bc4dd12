// `kinema sweep`: the same model at several frame settings as linked runs (MotionBench's frame-rate finding
// made routine); prints accuracy per setting; the explorer plots accuracy vs frames.
import type { Command } from "commander";
import { type SweepResult, sweep } from "../../analysis/sweep.ts";
import { elapsedText } from "../../run/failures.ts";
import { KinemaError } from "../../util/errors.ts";
import { runDeps } from "../deps.ts";
import { printJson, printText, textTable } from "../output.ts";
import {
  distributionOptions,
  modelOptionsOf,
  type RunCliOptions,
  runFlags,
  sharedRunOptions,
} from "../parsers.ts";

interface SweepCliOptions extends RunCliOptions {
  frames?: string[];
}

export function sweepText(r: SweepResult): string {
  const pct = (x: number | null) => (x === null ? "-" : (x * 100).toFixed(1));
  return [
    `sweep ${r.sweep}: ${r.model} on ${r.benchmark}`,
    textTable([
      ["frames", "n", "dev acc %", "95% CI", "failed", "unparsed", "run"],
      ...r.points.map((p) => [
        p.frames,
        p.overall.n,
        pct(p.overall.acc),
        p.overall.ci95 ? `[${pct(p.overall.ci95[0])}, ${pct(p.overall.ci95[1])}]` : "-",
        p.counts.failed,
        p.counts.unparsed,
        p.run,
      ]),
    ]),
    `linked in ${r.file} (open \`kinema serve\` to plot accuracy vs frames)`,
  ].join("\n");
}

export function register(program: Command): void {
  distributionOptions(
    runFlags(
      program
        .command("sweep")
        .description("evaluate one model at several frame settings as linked runs (accuracy vs frames)")
        .option("--bench <spec>", "motionbench:PATH | videorefer-q:PATH | synth:DIR")
        .option("--model <spec>", "openai:<model> | random[:seed] | builtin:<name>")
        .option("--frames <specs...>", "frame specs, e.g. uniform:4 uniform:8 uniform:16 fps:1"),
    ).option("--json", "print the sweep as JSON"),
  ).action(async (o: SweepCliOptions) => {
    if (!o.bench) throw new KinemaError("bad_spec", "--bench is required", { field: "bench" });
    if (!o.model) throw new KinemaError("bad_spec", "--model is required", { field: "model" });
    const ac = new AbortController();
    const onSig = () => ac.abort(new KinemaError("timeout", "interrupted"));
    process.once("SIGINT", onSig);
    const t0 = performance.now();
    try {
      const r = await sweep(
        {
          bench: o.bench,
          model: o.model,
          frames: o.frames ?? [],
          ...sharedRunOptions(o),
          modelOptions: modelOptionsOf(o),
          progress: o.progress !== false,
          signal: ac.signal,
          notice: (line) => process.stderr.write(`kinema: ${line}\n`),
        },
        await runDeps(o.queue),
      );
      if (o.json) printJson(r);
      else printText(sweepText(r));
      process.stderr.write(`elapsed ${elapsedText(performance.now() - t0)}\n`);
    } finally {
      process.off("SIGINT", onSig);
    }
  });
}
