// A loopback model server in its own process (so its CPU is not the measured process's), answering "A" after
// a fixed latency: `startServer(ms)` from a perf script, or `node perf/loopback.ts MS` as the child itself.
import { type ChildProcess, spawn } from "node:child_process";
import { reply, startLoopbackServer } from "../devkit/loopback-server.ts";

/** Starts the child server; resolves with its URL once it listens. */
export function startServer(latencyMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [import.meta.filename, String(latencyMs)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (d) => resolve({ url: String(d).trim(), child }));
    child.once("exit", (c) => reject(new Error(`server exited ${c}`)));
  });
}

if (import.meta.main) {
  const s = await startLoopbackServer({
    latencyMs: Number(process.argv[2]),
    script: () => reply.answer("A"),
  });
  process.stdout.write(`${s.url}\n`);
  process.on("SIGTERM", () => s.close().then(() => process.exit(0)));
}
