#!/usr/bin/env node
// Entry point of the `kinema` CLI. kinema runs on the Node 24 LTS pinned by the npm `node` package (which strips
// TypeScript types natively); when started by an older system node, re-run the same command on the pinned one.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const major = Number(process.versions.node.split(".")[0]);
if (major >= 24) {
  // Imported, main.ts is not the entry module (import.meta.main is false there), so run it from here.
  const { main } = await import("../src/cli/main.ts");
  process.exitCode = await main(process.argv);
} else {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const pinned = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(pinned)) {
    process.stderr.write(
      `kinema needs Node >= 24 (this is ${process.version}); run npm install in ${root}\n`,
    );
    process.exit(1);
  }
  const child = spawn(pinned, [join(root, "src", "cli", "main.ts"), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
