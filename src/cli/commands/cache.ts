// `kinema cache info|clear`: inspect or empty the decoded-frame cache.
import type { Command } from "commander";
import { cacheInfo, clearCache } from "../../video/index.ts";
import { printJson, printText } from "../output.ts";

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
}
