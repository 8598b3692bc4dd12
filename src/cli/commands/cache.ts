// `kinema cache info|clear|warm`: inspect, empty or fill the decoded-frame cache.
import type { Command } from "commander";
import { warmCache, warmProgress } from "../../run/warm.ts";
import { KinemaError } from "../../util/errors.ts";
import { cacheInfo, clearCache, type Fit } from "../../video/index.ts";
import { printJson, printText } from "../output.ts";

function int(flag: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min)
      throw new KinemaError("bad_spec", `${flag} must be an integer ≥ ${min}, got "${v}"`, { field: flag });
    return n;
  };
}

const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

export function register(program: Command): void {
  const cache = program
    .command("cache")
    .description(
      "the decoded-frame cache ($KINEMA_CACHE_DIR or ~/.cache/kinema/frames; cap $KINEMA_CACHE_MAX_MB)",
    );
  cache
    .command("info")
    .description("show the cache folder, entry count and size")
    .option("--json", "print as JSON")
    .action(async (o: { json?: boolean }) => {
      const r = await cacheInfo();
      if (o.json) printJson(r);
      else printText(`${r.dir}: ${r.entries} entries, ${mib(r.bytes)} of ${mib(r.maxBytes)}`);
    });
  cache
    .command("clear")
    .description("delete every cached entry")
    .option("--json", "print as JSON")
    .action(async (o: { json?: boolean }) => {
      const r = await clearCache();
      if (o.json) printJson(r);
      else printText(`removed ${r.removed} entries (${mib(r.bytes)}) from ${r.dir}`);
    });
  cache
    .command("warm")
    .description("decode every clip of a benchmark into the cache ahead of a run (same keys as kinema eval)")
    .requiredOption("--bench <spec>", "benchmark, as for kinema eval (motionbench:PATH, synth:DIR, ...)")
    .requiredOption("--frames <spec>", "frame sampling spec the run will use (uniform:16, fps:1, ...)")
    .option("--size <n>", "frame size the run will use", int("--size", 2))
    .option("--fit <fit>", "fit the run will use (stretch | pad | crop | max-side)")
    .option("--workers <n>", "decodes at once (default: one per core)", int("--workers", 1))
    .option("--json", "print the result as JSON")
    .action(
      async (o: {
        bench: string;
        frames: string;
        size?: number;
        fit?: Fit;
        workers?: number;
        json?: boolean;
      }) => {
        const r = await warmCache({ ...o, progress: warmProgress(o.bench) });
        if (o.json) printJson(r);
        else {
          printText(
            `${r.clips} clips (${r.samples} questions): ${r.decoded} decoded, ${r.cached} already cached, ${r.failed} failed` +
              ` in ${r.seconds.toFixed(1)} s (${r.clipsPerSecond.toFixed(1)} clips/s, ${r.workers} workers)`,
          );
          for (const e of r.errors) process.stderr.write(`kinema: ${e.video}: ${e.message}\n`);
        }
        if (r.failed > 0) process.exitCode = 1;
      },
    );
}
