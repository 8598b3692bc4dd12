// Hostile servers against `kinema eval`: a server that echoes the API key (in an error body, in an answer,
// as its model name) never gets the key into the run store, the output files or the console; 10 MB replies
// are cut to 64 KiB (the cut recorded) and neither the store nor the process grows with them.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import type { Benchmark, Sample } from "../src/benchmarks/types.ts";
import { createAdapter } from "../src/models/index.ts";
import { MAX_REPLY_BYTES } from "../src/models/openai.ts";
import { runEval } from "../src/run/runner.ts";
import { cliRunner } from "./helpers/cli.ts";

let tmp: string;
let bench: string;
let server: LoopbackServer;
const { kinema, children } = cliRunner(() => tmp);
const KEY = "sk-live-4f9a8e7d6c5b4a39";

/** Every file under `dir`, recursively, as bytes (the SQLite database and its WAL included). */
function allBytes(dir: string): { file: string; data: Buffer }[] {
  const out: { file: string; data: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...allBytes(p));
    else out.push({ file: p, data: readFileSync(p) });
  }
  return out;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-limits-"));
  bench = makeMotionBenchFixture(
    join(tmp, "mb"),
    Array.from({ length: 4 }, (_, i) => ({ uid: `u${i}`, text: `question ${i}`, answer: "A" })),
    1,
  );
  server = await startLoopbackServer();
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test("an API key echoed by the server is redacted before anything is stored or printed", async () => {
  process.env.KINEMA_TEST_KEY = KEY;
  server.setScript((r) => {
    const auth = String(r.headers.authorization ?? "");
    const base64 = Buffer.from(KEY).toString("base64");
    // first attempt of each question: a 500 whose body echoes the header; then an answer quoting it
    if (r.attempt === 1)
      return { kind: "status", status: 500, body: `{"error": "bad request with ${auth} (${base64})"}` };
    if (r.text.includes("question 3")) return { kind: "status", status: 401, body: `invalid key ${auth}` };
    return reply.answer(`A (you sent ${auth})`, { model: `m-${KEY}` });
  });
  const runDir = join(tmp, "runs-redact");
  const r = await kinema([
    "eval",
    ...["--bench", `motionbench:${bench}`, "--model", "openai:loop", "--base-url", server.url],
    ...["--api-key-env", "KINEMA_TEST_KEY", "--retries", "1", "--backoff-ms", "1", "--concurrency", "1"],
    ...["--run-dir", runDir, "--no-progress", "--json"],
  ]);
  delete process.env.KINEMA_TEST_KEY;
  assert.ok(
    server.requests.some((q) => String(q.headers.authorization) === `Bearer ${KEY}`),
    "the key was sent",
  );
  const files = allBytes(runDir);
  assert.ok(files.some((f) => f.file.endsWith("samples.jsonl")));
  const samples = files.find((f) => f.file.endsWith("samples.jsonl"))!.data.toString();
  assert.match(samples, /\[redacted\]/);
  for (const f of files) {
    assert.equal(f.data.includes(KEY), false, `${f.file} holds the key`);
    assert.equal(f.data.includes(Buffer.from(KEY).toString("base64")), false, `${f.file} holds it in base64`);
  }
  assert.equal(r.stdout.includes(KEY), false, "stdout holds the key");
  assert.equal(r.stderr.includes(KEY), false, "stderr holds the key");
});

test("10 MB replies: 64 KiB kept with the cut recorded; memory and store stay small", async () => {
  const n = 30;
  const samples: Sample[] = Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    videoId: `v${i}`,
    video: { path: "/none.mp4" },
    category: "c",
    question: `q${i}`,
    options: ["a", "b"],
    answer: "A",
  }));
  const bench: Benchmark = {
    name: "big",
    defaultFrames: "none",
    load: async () => ({ samples, issues: [] }),
    prompt: (s) => ({ text: s.question, preset: "p" }),
    parse: (raw) => ({ answer: raw[0], ok: raw[0] === "A" }),
  };
  // one shared 10 MB body (multi-byte characters, so the cut must respect UTF-8)
  const content = `A${"é".repeat(5 * 2 ** 20)}`;
  const body = JSON.stringify({
    id: "x",
    object: "chat.completion",
    model: "loop",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
  });
  server.setScript(() => ({ kind: "raw", body }));
  const runDir = join(tmp, "runs-big");
  const before = process.resourceUsage().maxRSS * 1024;
  const r = await runEval(
    { bench: "big", model: "openai:loop", runDir, concurrency: 4, modelOptions: { baseUrl: server.url } },
    {
      resolveBenchmark: async () => ({ name: "big", benchmark: bench, path: "/big" }),
      loadFrames: async () => ({ indices: [] }),
      createAdapter,
    },
  );
  const grew = process.resourceUsage().maxRSS * 1024 - before;
  assert.equal(r.summary.counts.ok, n);
  const lines = readFileSync(join(r.outDir, "samples.jsonl"), "utf8").trim().split("\n");
  for (const l of lines) {
    const s = JSON.parse(l);
    assert.ok(Buffer.byteLength(s.raw, "utf8") <= MAX_REPLY_BYTES);
    assert.ok(Buffer.byteLength(s.raw, "utf8") > MAX_REPLY_BYTES - 2);
    assert.deepEqual(s.flags, {
      truncated: { bytes: Buffer.byteLength(content, "utf8"), kept: Buffer.byteLength(s.raw, "utf8") },
    });
  }
  // A second run (another parse mode: another run, the same requests) is served from the cache and keeps the flag.
  const r2 = await runEval(
    {
      bench: "big",
      model: "openai:loop",
      runDir,
      concurrency: 4,
      parse: "other",
      modelOptions: { baseUrl: server.url },
    },
    {
      resolveBenchmark: async () => ({
        name: "big",
        benchmark: { ...bench, parseModes: ["official", "other"] },
        path: "/big",
      }),
      loadFrames: async () => ({ indices: [] }),
      createAdapter,
    },
  );
  assert.notEqual(r2.outDir, r.outDir);
  assert.equal(r2.requested, 0, "second run asked the server");
  for (const l of readFileSync(join(r2.outDir, "samples.jsonl"), "utf8").trim().split("\n")) {
    const s = JSON.parse(l);
    assert.deepEqual(s.flags, {
      truncated: { bytes: Buffer.byteLength(content, "utf8"), kept: Buffer.byteLength(s.raw, "utf8") },
    });
  }
  const stored = allBytes(runDir).reduce((a, f) => a + f.data.length, 0);
  assert.ok(stored < 30 * 2 ** 20, `run dir holds ${stored} bytes`);
  console.log(`peak RSS grew by ${(grew / 2 ** 20).toFixed(0)} MiB, run dir ${stored} bytes`);
  assert.ok(grew < 400 * 2 ** 20, `peak memory grew by ${(grew / 2 ** 20).toFixed(0)} MiB`);
});
