// `kinema benchmarks`: every benchmark spec with its layout, official scorer, prompt presets and parse modes.
import type { Command } from "commander";
import { listBenchmarks } from "../../benchmarks/catalog.ts";
import { printJson, printText } from "../output.ts";

export function register(program: Command): void {
  program
    .command("benchmarks")
    .description("list the benchmarks: layout, official scorer, presets, parse modes")
    .option("--json", "print [{name, spec, layout, official, modes, defaultFrames, presets, parseModes}]")
    .action((o: { json?: boolean }) => {
      const list = listBenchmarks();
      if (o.json) return printJson(list);
      const out: string[] = [];
      for (const b of list) {
        out.push(`${b.spec}`);
        out.push(`  layout:   ${b.layout}`);
        out.push(`  official: ${b.official}`);
        out.push(`  frames:   ${b.defaultFrames}; prompts: ${b.presets.join(", ") || "-"}`);
        for (const m of b.parseModes) out.push(`  --parse ${m}${b.modes[m] ? `: ${b.modes[m]}` : ""}`);
      }
      printText(out.join("\n"));
    });
}
