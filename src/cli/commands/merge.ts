// `kinema merge RUN_DIR... --out DIR`: static shards of one run (eval --shard i/N) into one run store.
import type { Command } from "commander";
import { mergeRuns } from "../../run/merge.ts";
import { printJson, printText } from "../output.ts";
import { showRun } from "./show.ts";

export async function mergeCommand(runDirs: string[], o: { out: string }) {
  const merged = mergeRuns(runDirs, o.out);
  // The summary is rebuilt from the merged rows exactly as `kinema show` does for any stored run.
  const summary = await showRun(merged.run, { runDir: o.out });
  return { ...merged, summary };
}

export function register(program: Command): void {
  program
    .command("merge")
    .description(
      "merge the shards of one run (kinema eval --shard i/N, one run store each) into one run store",
    )
    .argument("<runDirs...>", "the shards' run dirs (all N of them)")
    .requiredOption("--out <dir>", "run store to write the merged run into")
    .option("--json", "print the merge and the merged summary as JSON")
    .action(async (runDirs: string[], o: { out: string; json?: boolean }) => {
      const r = await mergeCommand(runDirs, o);
      if (o.json) printJson({ run: r.run, out: r.out, shards: r.shards, summary: r.summary });
      else
        printText(
          [
            `merged ${r.shards.length} shards into run ${r.run} in ${r.out}`,
            ...r.shards.map((s) => `  ${s.shard}: ${s.run} (${s.samples} samples) from ${s.runDir}`),
            `outputs: ${r.summary.outputs}`,
          ].join("\n"),
        );
    });
}
