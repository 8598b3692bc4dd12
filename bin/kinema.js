#!/usr/bin/env node
// Entry point of the `kinema` CLI (`npx kinema`, `npm exec kinema`, `node bin/kinema.js`). kinema runs on the
// Node 24 LTS pinned by the npm `node` package (which strips TypeScript types natively); when started by an
// older system node, this file re-runs itself on the pinned one and stays as a thin wrapper that forwards
// signals and the exit status. The re-run child watches an IPC channel to the wrapper: if the wrapper dies
// (even by SIGKILL) the channel closes and the child stops at once, so no work outlives the user's command.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as nodeModule from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const WRAPPED = "KINEMA_WRAPPED_BY";

const major = Number(process.versions.node.split(".")[0]);
if (major >= 24) {
  if (process.env[WRAPPED] && process.channel) {
    // The channel must not keep this process alive; its close means the wrapper is gone.
    process.channel.unref();
    process.on("disconnect", () => {
      process.stderr.write("kinema: the parent command is gone; stopping\n");
      process.exit(129);
    });
  }
  delete process.env[WRAPPED];
  // V8's code cache for kinema's modules (in the OS temp dir) halves start-up: type stripping and compiling
  // ~150 TypeScript files dominate a short command. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  nodeModule.enableCompileCache?.();
  // Light commands timed as whole processes (caption-metrics) start without the full command table.
  const lean = process.argv[2] === "caption-metrics";
  const { main } = await import(lean ? "../src/cli/lean.ts" : "../src/cli/main.ts");
  process.exitCode = await main(process.argv);
} else {
  const self = fileURLToPath(import.meta.url);
  const root = join(dirname(self), "..");
  const pinned = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(pinned)) {
    process.stderr.write(
      `kinema needs Node >= 24 (this is ${process.version}); run npm install in ${root}\n`,
    );
    process.exit(1);
  }
  const child = spawn(pinned, [self, ...process.argv.slice(2)], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, [WRAPPED]: String(process.pid) },
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("error", (e) => {
    process.stderr.write(`kinema: cannot start ${pinned}: ${e.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
