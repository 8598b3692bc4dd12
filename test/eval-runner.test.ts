// Runner + store + openai adapter against the loopback server, with an in-memory benchmark and fake frames.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import type { Benchmark, Sample } from "../src/benchmarks/types.ts";
import { createAdapter } from "../src/models/index.ts";
import { createLimiter } from "../src/models/limiter.ts";
import { buildBody, parseRetryAfter } from "../src/models/openai.ts";
import { backoffMs, isRetryable } from "../src/models/retry.ts";
import { evalJson } from "../src/run/report.ts";
import { type EvalDeps, type EvalOptions, evenPick, runEval } from "../src/run/runner.ts";
import { openStore } from "../src/store/index.ts";
import { KinemaError } from "../src/util/errors.ts";

const CATS = ["Motion Recognition", "Camera Motion", "Action Order"];
const LETTERS = "ABCD";

/** kinds[i] decides what the server does for sample i (see script below). */
function fakeBench(kinds: string[]): Benchmark {
  const samples: Sample[] = kinds.map((k, i) => ({
    id: `s${i}`,
    videoId: `v${Math.floor(i / 2)}`,
    video: { path: `/fake/v${Math.floor(i / 2)}.mp4` },
    category: CATS[i % CATS.length],
    question: `${k}-${i} what moves?`,
    options: ["left", "right", "up", "down"],
    answer: i % 5 === 4 ? "NA" : LETTERS[i % 4],
    split: i % 5 === 4 ? "test" : "dev",
  }));
  return {
    name: "fake",
    defaultFrames: "uniform:4",
    load: async () => ({ samples, issues: [] }),
    prompt: (s) => ({ text: `${s.question} [gt:${s.answer === "NA" ? "A" : s.answer}]`, preset: "p" }),
    parse: (raw) =>
      /^[A-D]$/.test(raw.trim()) ? { answer: raw.trim(), ok: true } : { answer: "", ok: false },
  };
}

const deps = (bench: Benchmark, decoded: string[] = []): EvalDeps => ({
  resolveBenchmark: async () => ({ name: "fake", benchmark: bench, path: "/fake" }),
  loadFrames: async (ref) => {
    decoded.push(ref.path);
    return { indices: [0, 5, 10, 15], images: [0, 1, 2, 3].map((i) => Buffer.from(`jpeg${i}`)) };
  },
});

/** ok: right answer; prose: unparsed; r429: one 429 then ok; flaky: one 500 then ok; e500/hang/bad/empty: always. */
function script(req: { text: string; attempt: number }) {
  const kind = req.text.split("-")[0];
  const gt = /\[gt:([A-D])\]/.exec(req.text)?.[1] ?? "A";
  switch (kind) {
    case "r429":
      return req.attempt === 1 ? reply.status(429, "0") : reply.answer(gt);
    case "flaky":
      return req.attempt === 1 ? reply.status(503) : reply.answer(gt);
    case "e500":
      return reply.status(500);
    case "e400":
      return reply.status(400);
    case "hang":
      return reply.hang();
    case "bad":
      return reply.malformed();
    case "empty":
      return reply.emptyChoices();
    case "drop":
      return reply.destroy();
    case "prose":
      return reply.answer("I believe it moves left");
    default:
      return reply.answer(gt);
  }
}

describe("runner against a loopback server", () => {
  let server: LoopbackServer;
  let dir: string;
  before(async () => {
    server = await startLoopbackServer({ script });
    dir = mkdtempSync(join(tmpdir(), "kinema-runner-"));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kinds = [
    ...Array(10).fill("ok"),
    "r429",
    "flaky",
    "e500",
    "e400",
    "hang",
    "bad",
    "empty",
    "drop",
    "prose",
    "prose",
  ];
  const opts = (): EvalOptions => ({
    bench: "fake:/fake",
    model: "openai:test-model",
    runDir: dir,
    concurrency: 4,
    retries: 2,
    backoffMs: 5,
    timeoutMs: 300,
    modelOptions: { baseUrl: server.url, env: { OPENAI_API_KEY: "sk-secret-123" } },
  });

  test("exact counts, typed errors, attempts and outputs", async () => {
    const bench = fakeBench(kinds);
    const r = await runEval(opts(), deps(bench));
    const s = r.summary;
    assert.deepEqual(s.counts, { total: 20, ok: 12, failed: 6, unparsed: 2 });
    assert.equal(s.pending, 0);
    assert.equal(s.failureRate, 6 / 20);
    // Dev questions only, failed excluded: ok (8 dev of 10 + r429 + flaky...) — recompute from the fixture.
    const rows = openStore(dir).samples(r.run.id);
    const byKind = (k: string) => rows.find((x) => x.question.startsWith(`${k}-`))!;
    assert.equal(byKind("e500").error?.code, "http_status");
    assert.equal(byKind("e500").attempts, 3);
    assert.equal(byKind("e400").attempts, 1, "4xx is not retried");
    assert.equal(byKind("hang").error?.code, "timeout");
    assert.equal(byKind("bad").error?.code, "bad_response");
    assert.equal(byKind("empty").error?.code, "bad_response");
    assert.equal(byKind("drop").error?.code, "network");
    assert.equal(byKind("r429").status, "ok");
    assert.equal(byKind("r429").attempts, 2);
    assert.equal(byKind("flaky").attempts, 2);
    assert.equal(byKind("prose").status, "unparsed");
    assert.deepEqual(byKind("ok").frameIndices, [0, 5, 10, 15]);
    // Requests at the server: 1 per ok/prose, 2 for r429/flaky, 3 for each always-failing retryable, 1 for 400.
    assert.equal(server.count(), 10 + 2 + 2 + 2 + 3 + 1 + 3 + 3 + 3 + 3);
    // Images come before the text, as base64 JPEG data URLs; the key is sent but never stored.
    const first = server.requests[0].body.messages.at(-1).content;
    assert.equal(first[0].type, "image_url");
    assert.match(first[0].image_url.url, /^data:image\/jpeg;base64,/);
    assert.equal(first.at(-1).type, "text");
    assert.equal(server.requests[0].headers.authorization, "Bearer sk-secret-123");
    assert.equal(server.requests[0].body.temperature, 0);
    const db = readFileSync(join(dir, "kinema.db")).toString("latin1");
    assert.ok(!db.includes("sk-secret-123"), "API key must never reach the store");
    const jsonl = readFileSync(join(r.outDir, "samples.jsonl"), "utf8").trim().split("\n");
    assert.equal(jsonl.length, 20);
    assert.ok(!jsonl.join("").includes("sk-secret"));
    const j = evalJson(s);
    assert.deepEqual(Object.keys(j), ["run", "benchmark", "model", "overall", "categories", "counts"]);
    // overall: dev rows with status ok/unparsed; unparsed count as wrong.
    const dev = rows.filter((x) => x.split !== "test" && x.status !== "failed");
    assert.equal(j.overall.n, dev.length);
    assert.equal(j.overall.acc, dev.filter((x) => x.correct).length / dev.length);

    // Again, keeping failures (retryFailed false): nothing is re-asked, nothing decoded, same summary.
    const before = server.count();
    const decoded: string[] = [];
    const r2 = await runEval({ ...opts(), retryFailed: false }, deps(bench, decoded));
    assert.equal(server.count(), before);
    assert.equal(r2.run.id, r.run.id);
    assert.equal(decoded.length, 0);
    assert.deepEqual(evalJson(r2.summary), j);

    // By default (the same command) only the 6 failed samples are asked again (the server now answers them).
    server.setScript((q) => reply.answer(/\[gt:([A-D])\]/.exec(q.text)?.[1] ?? "A"));
    const r3 = await runEval(opts(), deps(bench));
    assert.equal(server.count(), before + 6);
    assert.deepEqual(r3.summary.counts, { total: 20, ok: 18, failed: 0, unparsed: 2 });
    assert.equal(r3.asked, 6);
    assert.equal(r3.reasked, 6);
    server.setScript(script);
  });

  test("--resume RUN continues with the stored settings; a larger --limit extends the run", async () => {
    const bench = fakeBench(Array(12).fill("ok"));
    const o = { ...opts(), runDir: join(dir, "b"), limit: 5 };
    const r = await runEval(o, deps(bench));
    assert.equal(r.summary.counts.total, 5);
    const before = server.count();
    const r2 = await runEval(
      { runDir: o.runDir, resume: r.run.id, limit: 8, modelOptions: o.modelOptions },
      deps(bench),
    );
    assert.equal(r2.run.id, r.run.id);
    assert.equal(server.count() - before, 3);
    assert.equal(r2.summary.counts.ok, 8);
    await assert.rejects(runEval({ runDir: o.runDir, resume: "nope" }, deps(bench)), /no run "nope"/);
  });

  test("request cache: a second run with another parse mode asks nothing", async () => {
    const bench = { ...fakeBench(Array(4).fill("ok")), parseModes: ["a", "b"] };
    const o = { ...opts(), runDir: join(dir, "c") };
    const r1 = await runEval({ ...o, parse: "a" }, deps(bench));
    const before = server.count();
    const r2 = await runEval({ ...o, parse: "b" }, deps(bench));
    assert.notEqual(r1.run.id, r2.run.id);
    assert.equal(server.count(), before);
    assert.equal(r2.summary.counts.ok, 4);
  });

  test("max frames: subsample records the indices sent; error fails the sample", async () => {
    const bench = fakeBench(Array(2).fill("ok"));
    const o = { ...opts(), runDir: join(dir, "d") };
    const r = await runEval(
      { ...o, modelOptions: { ...o.modelOptions, maxImages: 2, maxImagesPolicy: "subsample" } },
      deps(bench),
    );
    const rows = openStore(o.runDir).samples(r.run.id);
    assert.deepEqual(rows[0].frameIndices, [5, 15]); // evenly spaced, centred
    assert.equal(server.requests.at(-1)!.images, 2);
    const r2 = await runEval(
      { ...o, modelOptions: { ...o.modelOptions, maxImages: 2, maxImagesPolicy: "error" } },
      deps(bench),
    );
    assert.equal(r2.summary.counts.failed, 2);
    assert.equal(openStore(o.runDir).samples(r2.run.id)[0].error?.code, "bad_input");
  });

  test("benchmark hooks: per-sample frame spec and marks drawn before encoding", async () => {
    const bench = {
      ...fakeBench(Array(2).fill("ok")),
      framesFor: (s: Sample) => `indices:${s.id.slice(1)}`,
      markFrames: (_s: Sample, _p: string | undefined, rgb: any) => ({
        ...rgb,
        frames: rgb.frames.map(() => Buffer.from("marked")),
      }),
    };
    const specs: string[] = [];
    const d: EvalDeps = {
      resolveBenchmark: async () => ({ name: "fake", benchmark: bench, path: "/fake" }),
      loadFrames: async (_ref, spec, o) => {
        specs.push(`${spec}:${o.images}`);
        return { indices: [7], rgb: { width: 1, height: 1, frames: [Buffer.alloc(3)], indices: [7] } };
      },
      encodeImages: async (rgb) => rgb.frames.map((f) => Buffer.from(`jpeg(${f})`)),
    };
    const r = await runEval({ ...opts(), runDir: join(dir, "f") }, d);
    assert.equal(r.summary.counts.ok, 2);
    assert.deepEqual(specs.sort(), ["indices:0:false", "indices:1:false"]);
    const url = server.requests.at(-1)!.body.messages.at(-1).content[0].image_url.url;
    assert.equal(Buffer.from(url.split(",")[1], "base64").toString(), "jpeg(marked)");
  });

  test("--adaptive settles under a server that rate-limits above 2 requests in flight", async () => {
    let inFlight = 0;
    let limited = 0;
    const s = await startLoopbackServer({
      script: () => {
        if (inFlight >= 2) {
          limited++;
          return reply.status(429, "0");
        }
        inFlight++;
        setTimeout(() => inFlight--, 20);
        return reply.answer("A", { delayMs: 20 });
      },
    });
    try {
      const bench = fakeBench(Array(40).fill("ok"));
      const r = await runEval(
        {
          ...opts(),
          runDir: join(dir, "g"),
          concurrency: 8,
          adaptive: true,
          retries: 8,
          modelOptions: { baseUrl: s.url, env: {} },
        },
        deps(bench),
      );
      assert.equal(r.summary.counts.failed, 0);
      assert.equal(r.summary.counts.ok, 40);
      assert.ok(limited < 40, `429s: ${limited}`);
    } finally {
      await s.close();
    }
  });

  test("--frames none sends text only and decodes nothing", async () => {
    const bench = fakeBench(Array(3).fill("ok"));
    const decoded: string[] = [];
    const r = await runEval({ ...opts(), runDir: join(dir, "e"), frames: "none" }, deps(bench, decoded));
    assert.equal(decoded.length, 0);
    assert.equal(typeof server.requests.at(-1)!.body.messages.at(-1).content, "string");
    assert.equal(r.summary.counts.ok, 3);
  });
});

describe("models", () => {
  test("random is uniform over options and deterministic per (seed, sample)", async () => {
    const a = await createAdapter("random:7");
    const b = await createAdapter("random:7");
    const c = await createAdapter("random:8");
    const counts: Record<string, number> = {};
    let differ = 0;
    for (let i = 0; i < 2000; i++) {
      const req = {
        messages: [],
        images: [],
        params: {},
        sampleId: `s${i}`,
        question: { text: "q", options: ["a", "b", "c"], category: "x" },
      };
      const x = (await a.generate(req)).text;
      assert.equal((await b.generate(req)).text, x);
      if ((await c.generate(req)).text !== x) differ++;
      counts[x] = (counts[x] ?? 0) + 1;
    }
    assert.deepEqual(Object.keys(counts).sort(), ["A", "B", "C"]);
    for (const n of Object.values(counts)) assert.ok(n > 580 && n < 760, `uniform: ${n}`);
    assert.ok(differ > 1000);
    assert.equal((await createAdapter("random")).spec, "random:0");
    await assert.rejects(createAdapter("random:x"), /seed/);
    await assert.rejects(createAdapter("nope:x"), /unknown model/);
  });

  test("openai: body, describe() without secrets, Retry-After forms", async () => {
    const m = await createAdapter("openai:gpt-x", {
      baseUrl: "http://127.0.0.1:1/v1/",
      headers: { "x-team": "secret-header" },
      env: { OPENAI_API_KEY: "sk-1" },
    });
    const d = JSON.stringify(m.describe());
    assert.ok(!d.includes("sk-1") && !d.includes("secret-header") && d.includes("x-team"));
    const body = buildBody("gpt-x", {
      messages: [
        { role: "system", content: "sys" },
        { role: "user", content: "hi" },
      ],
      images: [{ data: Buffer.from("abc"), mime: "image/jpeg" }],
      params: { temperature: 0.5, maxTokens: 9, seed: 3 },
    }) as any;
    assert.equal(body.messages[0].content, "sys");
    assert.deepEqual(body.messages[1].content, [
      { type: "image_url", image_url: { url: "data:image/jpeg;base64,YWJj" } },
      { type: "text", text: "hi" },
    ]);
    assert.deepEqual([body.temperature, body.max_tokens, body.seed], [0.5, 9, 3]);
    assert.equal(parseRetryAfter("7"), 7);
    assert.equal(
      parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1)),
      30,
    );
    assert.equal(parseRetryAfter("soon"), undefined);
    await assert.rejects(
      createAdapter("openai:x", { apiKeyEnv: "KINEMA_NO_SUCH_VAR", env: {} }),
      /KINEMA_NO_SUCH_VAR/,
    );
    // Connection refused → network.
    await assert.rejects(
      m.generate({ messages: [{ role: "user", content: "q" }], images: [], params: {} }),
      (e: unknown) => e instanceof KinemaError && e.code === "network",
    );
  });

  test("429 carries retryAfter; usage and served model are recorded", async () => {
    const s = await startLoopbackServer({
      script: (q) =>
        q.index === 0
          ? { kind: "status", status: 429, retryAfter: "3" }
          : reply.answer("B", {
              model: "snap-2024",
              usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
            }),
    });
    try {
      const m = await createAdapter("openai:x", { baseUrl: s.url, env: {} });
      const req = { messages: [{ role: "user" as const, content: "q" }], images: [], params: {} };
      await assert.rejects(
        m.generate(req),
        (e: any) => e.code === "rate_limited" && e.fields.retryAfter === 3,
      );
      const r = await m.generate(req);
      assert.deepEqual(r, {
        text: "B",
        servedModel: "snap-2024",
        usage: { promptTokens: 5, completionTokens: 1, totalTokens: 6 },
        finishReason: "stop",
        systemFingerprint: "fp_loopback",
      });
      assert.equal(s.requests[1].headers.authorization, undefined);
    } finally {
      await s.close();
    }
  });
});

describe("retry policy and limiter", () => {
  test("retryable codes and backoff", () => {
    const e = (code: any, f = {}) => new KinemaError(code, "x", f);
    assert.ok(isRetryable(e("rate_limited")));
    assert.ok(isRetryable(e("http_status", { status: 502 })));
    assert.ok(!isRetryable(e("http_status", { status: 401 })));
    assert.ok(!isRetryable(e("bad_input")));
    const p = { retries: 3, baseMs: 100, capMs: 1000 };
    assert.equal(backoffMs(1, e("rate_limited", { retryAfter: 2 }), p), 1000, "Retry-After is capped");
    assert.equal(backoffMs(1, e("rate_limited", { retryAfter: 0.5 }), p), 500);
    assert.equal(
      backoffMs(3, e("timeout"), p, () => 1),
      400,
    );
    assert.equal(
      backoffMs(9, e("timeout"), p, () => 1),
      1000,
    );
    assert.equal(
      backoffMs(9, e("timeout"), p, () => 0),
      0,
    );
    assert.deepEqual(evenPick(16, 4), [2, 6, 10, 14]);
  });

  test("AIMD: halves on 429, grows back by one per window", async () => {
    const l = createLimiter(8, true);
    assert.equal(l.limit, 2);
    for (let i = 0; i < 2; i++) {
      await l.acquire();
      l.release("ok");
    }
    assert.equal(l.limit, 3);
    await l.acquire();
    l.release("rate_limited");
    assert.equal(l.limit, 1);
    const fixed = createLimiter(2);
    await fixed.acquire();
    await fixed.acquire();
    let got = false;
    const p = fixed.acquire().then(() => (got = true));
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(got, false);
    fixed.release("ok");
    await p;
    assert.equal(fixed.inFlight, 2);
  });
});
