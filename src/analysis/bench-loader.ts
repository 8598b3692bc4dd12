// Default BenchmarkLoader: the store keeps questions, options and videos, but not VideoRefer's object masks,
// so only benchmarks with masks are re-loaded from their files (through the runner's benchmark registry).
import type { Sample } from "../benchmarks/types.ts";
import { resolveBenchmark } from "../run/deps.ts";
import type { StoredRun } from "./source-sqlite.ts";

export async function defaultBenchmarkLoader(run: StoredRun): Promise<Sample[] | null> {
  if (!run.benchmark.startsWith("videorefer")) return null;
  const prefix = run.benchSpec.slice(0, run.benchSpec.indexOf(":"));
  // the stored spec may be relative to where eval ran; the config keeps the absolute path
  const path =
    typeof run.config?.benchPath === "string" ? run.config.benchPath : run.benchSpec.slice(prefix.length + 1);
  const rb = await resolveBenchmark(`${prefix}:${path}`);
  return (await rb.benchmark.load(rb.path)).samples;
}
