// `kinema compare RUN_A RUN_B`: paired accuracy deltas per category, McNemar tests, the questions that flipped.
import { resolve } from "node:path";
import type { Command } from "commander";
import { type Comparison, compareRuns } from "../../analysis/compare.ts";
import { openSqliteSource } from "../../analysis/source-sqlite.ts";
import { printJson, printText, textTable } from "../output.ts";

export async function compare(o: { runA: string; runB: string; runDir?: string }): Promise<Comparison> {
  const source = openSqliteSource(resolve(o.runDir ?? "runs"));
  try {
    return compareRuns(source, o.runA, o.runB);
  } finally {
    source.close();
  }
}

const pct = (x: number | null) => (x === null ? "-" : (x * 100).toFixed(1));
const pv = (p: number) => (p < 0.001 ? "<0.001" : p.toFixed(3));

export function compareText(c: Comparison, maxFlips = 20): string {
  const row = (name: string, s: Comparison["overall"]) => [
    name,
    s.n,
    pct(s.accA),
    pct(s.accB),
    s.delta === null ? "-" : `${s.delta > 0 ? "+" : ""}${pct(s.delta)}`,
    s.ci95 ? `[${pct(s.ci95[0])}, ${pct(s.ci95[1])}]` : "-",
    `${s.gained}/${s.lost}`,
    pv(s.mcnemar.exactP),
    pv(s.mcnemar.chi2P),
  ];
  const lines = [
    `A: ${c.a.run} (${c.a.model}, ${c.a.frames})`,
    `B: ${c.b.run} (${c.b.model}, ${c.b.frames})`,
    `paired questions: ${c.overall.n}; unpaired (failed/missing in one run): ${c.unpaired}; Δ = B − A in points`,
    "",
    textTable([
      ["category", "n", "A %", "B %", "Δ", "95% CI", "gained/lost", "McNemar p", "χ² p"],
      row("overall", c.overall),
      ...Object.entries(c.categories).map(([k, v]) => row(k, v)),
    ]),
    "",
    `flipped questions: ${c.flipped.length} (${c.overall.gained} gained, ${c.overall.lost} lost)`,
  ];
  for (const f of c.flipped.slice(0, maxFlips))
    lines.push(
      `  ${f.direction === "gained" ? "+" : "-"} ${f.id}  [${f.category}]  truth ${f.answer}  A ${f.a || "–"}  B ${f.b || "–"}`,
    );
  if (c.flipped.length > maxFlips) lines.push(`  … ${c.flipped.length - maxFlips} more (--json lists all)`);
  return lines.join("\n");
}

export function register(program: Command): void {
  program
    .command("compare")
    .description("compare two runs on the same benchmark: paired deltas, McNemar tests, flipped questions")
    .argument("<runA>", "baseline run id")
    .argument("<runB>", "run compared against it")
    .option("--run-dir <dir>", "the run store, as in `kinema eval`", "runs")
    .option("--flips <n>", "flipped questions to list in text output", (v) => Number(v), 20)
    .option("--json", "print the comparison as JSON")
    .action(async (runA: string, runB: string, opts: { runDir?: string; flips: number; json?: boolean }) => {
      const c = await compare({ runA, runB, runDir: opts.runDir });
      if (opts.json) printJson(c);
      else printText(compareText(c, opts.flips));
    });
}
