// Finds ffmpeg/ffprobe (env override → system → npm-shipped static) and runs them with timeouts.
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import { KinemaError } from "../util/errors.ts";

export type ToolName = "ffmpeg" | "ffprobe";
export interface ToolInfo {
  name: ToolName;
  path: string;
  source: "env" | "system" | "npm";
  version: string;
}

const ENV: Record<ToolName, string> = { ffmpeg: "KINEMA_FFMPEG", ffprobe: "KINEMA_FFPROBE" };
const NPM_PKG: Record<ToolName, string> = {
  ffmpeg: "@ffmpeg-installer/ffmpeg",
  ffprobe: "@ffprobe-installer/ffprobe",
};
const cache = new Map<ToolName, ToolInfo>();

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir || dir.includes("node_modules")) continue;
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function npmBinary(name: ToolName): string | undefined {
  try {
    const req = createRequire(import.meta.url);
    const mod = req(NPM_PKG[name]) as { path?: string };
    return mod.path && isExecutable(mod.path) ? mod.path : undefined;
  } catch {
    return undefined;
  }
}

function versionOf(path: string): string {
  const r = spawnSync(path, ["-version"], { encoding: "utf8", timeout: 10_000 });
  const first = (r.stdout ?? "").split("\n")[0] ?? "";
  const m = /version\s+(\S+)/.exec(first);
  return m ? m[1] : "unknown";
}

/** Resolves a tool once per process. Throws `tool_missing` with a fix hint. */
export function resolveTool(name: ToolName): ToolInfo {
  const hit = cache.get(name);
  if (hit) return hit;
  const envPath = process.env[ENV[name]];
  let info: ToolInfo | undefined;
  if (envPath) {
    if (!isExecutable(envPath))
      throw new KinemaError("tool_missing", `${ENV[name]}=${envPath} is not an executable file`, {
        tool: name,
      });
    info = { name, path: envPath, source: "env", version: versionOf(envPath) };
  } else {
    const sys = onPath(name);
    if (sys) info = { name, path: sys, source: "system", version: versionOf(sys) };
    else {
      const npm = npmBinary(name);
      if (npm) info = { name, path: npm, source: "npm", version: versionOf(npm) };
    }
  }
  if (!info)
    throw new KinemaError(
      "tool_missing",
      `${name} not found: install it (apt-get install ffmpeg), set ${ENV[name]}, or run npm install`,
      { tool: name },
    );
  cache.set(name, info);
  return info;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: Buffer;
  /** Called with each stdout chunk; when given, stdout is not accumulated. */
  onStdout?: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

/**
 * Runs a tool; resolves on exit with its output. The child is killed (SIGKILL) on timeout or abort,
 * and the promise settles only after the child has exited, so no process outlives the call.
 */
export function runTool(tool: ToolName, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const { path } = resolveTool(tool);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    let timedOut = false;
    let aborted = false;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (c: Buffer) => (opts.onStdout ? opts.onStdout(c) : out.push(c)));
    child.stderr.on("data", (c: Buffer) => {
      if (err.length < 64_000) err += c.toString("utf8");
    });
    child.stdin.on("error", () => {}); // EPIPE when the tool exits early; reported via exit code
    if (opts.input) child.stdin.end(opts.input);
    else child.stdin.end();
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new KinemaError("tool_missing", `cannot start ${tool}: ${e.message}`, { tool }));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      if (timedOut)
        reject(new KinemaError("timeout", `${tool} did not finish within ${timeoutMs} ms`, { tool }));
      else if (aborted) reject(new KinemaError("timeout", `${tool} was aborted`, { tool }));
      else resolve({ stdout: Buffer.concat(out), stderr: err, code });
    });
  });
}
