// `kinema doctor`: what this machine has for kinema, each check with a fix hint.
import { spawnSync } from "node:child_process";
import { statfsSync } from "node:fs";
import { createRequire } from "node:module";
import type { Command } from "commander";
import { resolveTool } from "../../video/tools.ts";
import { printJson, printText } from "../output.ts";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
  [k: string]: unknown;
}

export function pythonCommand(): string {
  return process.env.KINEMA_PYTHON ?? "/usr/bin/python3";
}

export async function doctor(
  cwd = process.cwd(),
  opts: { queue?: string } = {},
): Promise<{ ok: boolean; checks: Check[] }> {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split(".")[0]);
  checks.push({
    name: "node",
    ok: major >= 24,
    detail: `v${process.versions.node} (${process.execPath})`,
    version: process.versions.node,
    hint: major >= 24 ? undefined : "run through npm scripts/npx so the pinned node@24 package is used",
  });
  for (const tool of ["ffmpeg", "ffprobe"] as const) {
    try {
      const t = resolveTool(tool);
      checks.push({
        name: tool,
        ok: true,
        detail: `${t.version} from ${t.source} (${t.path})`,
        path: t.path,
        source: t.source,
        version: t.version,
      });
    } catch (e) {
      checks.push({
        name: tool,
        ok: false,
        detail: (e as Error).message,
        hint: `apt-get install ffmpeg, or set KINEMA_${tool.toUpperCase()}`,
      });
    }
  }
  try {
    const req = createRequire(import.meta.url);
    const ort = req("onnxruntime-node/package.json") as { version: string };
    await import("onnxruntime-node");
    checks.push({ name: "onnxruntime-node", ok: true, detail: ort.version, version: ort.version });
  } catch (e) {
    checks.push({
      name: "onnxruntime-node",
      ok: false,
      detail: (e as Error).message.split("\n")[0],
      hint: "npm ci (with ONNXRUNTIME_NODE_INSTALL=skip)",
    });
  }
  const py = pythonCommand();
  const probe = spawnSync(
    py,
    [
      "-c",
      "import json,sys\nr={'python':sys.version.split()[0]}\ntry:\n import torch\n r['torch']=torch.__version__\n cfg=torch.__config__.show()\n r['blas']='openblas' if 'openblas' in cfg.lower() else 'other'\n import os,glob\n libs=glob.glob('/usr/lib/*/libblas.so.3')+glob.glob('/usr/lib/libblas.so.3')\n r['openblas_lib']=any('openblas' in os.path.realpath(l) for l in libs) or 'openblas' in cfg.lower()\nexcept Exception as e:\n r['torch_error']=str(e)\nprint(json.dumps(r))",
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  let pyInfo: Record<string, unknown> = {};
  try {
    pyInfo = JSON.parse(probe.stdout);
  } catch {
    /* reported below */
  }
  checks.push({
    name: "python",
    ok: typeof pyInfo.python === "string",
    detail: typeof pyInfo.python === "string" ? `${pyInfo.python} (${py})` : `cannot run ${py}`,
    hint: pyInfo.python ? undefined : "apt-get install python3, or set KINEMA_PYTHON",
  });
  const torchOk = typeof pyInfo.torch === "string";
  checks.push({
    name: "pytorch",
    ok: torchOk,
    detail: torchOk ? `${pyInfo.torch}` : String(pyInfo.torch_error ?? "not importable"),
    hint: torchOk
      ? undefined
      : "apt-get install python3-torch libopenblas0-pthread (only needed for training)",
  });
  const openblas = pyInfo.openblas_lib === true;
  checks.push({
    name: "openblas",
    ok: openblas,
    detail: openblas
      ? "libopenblas found (fast matmul)"
      : "OpenBLAS not found: PyTorch uses the slow reference BLAS",
    hint: openblas ? undefined : "apt-get install libopenblas0-pthread",
  });
  try {
    const s = statfsSync(cwd);
    const free = s.bavail * s.bsize;
    checks.push({
      name: "disk",
      ok: free > 2e9,
      detail: `${(free / 1e9).toFixed(1)} GB free in ${cwd}`,
      free_bytes: free,
      hint: free > 2e9 ? undefined : "free some disk space (kinema cache clear)",
    });
  } catch (e) {
    checks.push({ name: "disk", ok: false, detail: (e as Error).message });
  }
  // Scale-out: the Redis a --queue URL names (default: the local redis-server port), and redis-server itself.
  const { parseRedisUrl, pingRedis } = await import("../../queue/redis.ts");
  const queueUrl = opts.queue ?? process.env.KINEMA_QUEUE ?? "redis://127.0.0.1:6379";
  const ping = await pingRedis(parseRedisUrl(queueUrl));
  checks.push({
    name: "redis",
    ok: ping.ok,
    detail: `${queueUrl}: ${ping.detail}`,
    url: queueUrl,
    hint: ping.ok
      ? undefined
      : "start redis-server (apt-get install redis-server) or pass --queue redis://HOST:PORT",
  });
  const required = new Set([
    "node",
    "ffmpeg",
    "ffprobe",
    "onnxruntime-node",
    ...(opts.queue ? ["redis"] : []),
  ]);
  return { ok: checks.every((c) => c.ok || !required.has(c.name)), checks };
}

export function register(program: Command): void {
  program
    .command("doctor")
    .description("check what this machine has for kinema (node, ffmpeg, onnxruntime, python, torch, disk)")
    .option("--queue <url>", "also require this Redis (redis://HOST:PORT[/DB]) to answer")
    .option("--json", "print the checks as JSON")
    .action(async (opts: { json?: boolean; queue?: string }) => {
      const r = await doctor(process.cwd(), { queue: opts.queue });
      if (opts.json) printJson(r);
      else {
        for (const c of r.checks)
          printText(
            `${c.ok ? "ok  " : "FAIL"} ${c.name.padEnd(17)} ${c.detail}${c.hint ? `\n     fix: ${c.hint}` : ""}`,
          );
      }
      if (!r.ok) process.exitCode = 1;
    });
}
