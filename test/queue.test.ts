// Scale-out on a real Redis: one `kinema eval --queue` coordinator and three `kinema worker`s against a loopback
// model server, one worker and the coordinator SIGKILLed mid-run; the summary equals a one-process run's.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { startRedis, type TestRedis } from "../devkit/redis.ts";
import { queueDeps } from "../src/queue/coordinator.ts";
import { defaultDeps } from "../src/run/deps.ts";
import { evalJson } from "../src/run/report.ts";
import { runEval } from "../src/run/runner.ts";

const cli = join(import.meta.dirname, "..", "src", "cli", "main.ts");
let tmp: string;
let redis: TestRedis;
let server: LoopbackServer;
const children = new Set<ChildProcess>();

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-queue-"));
  redis = await startRedis();
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await server?.close();
  await redis?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function kinema(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: tmp,
    env: { ...process.env, KINEMA_CACHE_DIR: join(tmp, "cache"), OPENAI_API_KEY: "sk-test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (r) =>
      child.on("close", (code, signal) => {
        children.delete(child);
        r({ code, signal, stdout, stderr });
      }),
  );
  return { child, done, out: () => stderr };
}

const until = async (what: string, cond: () => boolean, ms = 240_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

test("1 coordinator + 3 workers, one worker and the coordinator SIGKILLed: same summary, nothing asked twice but in-flight", async () => {
  const N = 36;
  const bench = makeMotionBenchFixture(
    join(tmp, "mb"),
    Array.from({ length: N }, (_, i) => ({
      uid: `u${i}`,
      text: `q${i} gt=${"ABCD"[i % 4]}`,
      answer: "ABCD"[i % 4],
    })),
    4,
  );
  // Right on two questions of three, wrong ("D" or "A") on the third: a summary with something to compare.
  server = await startLoopbackServer({
    latencyMs: 150,
    script: (q) => {
      const i = Number(/q(\d+)/.exec(q.text)![1]);
      const gt = /gt=([A-D])/.exec(q.text)![1];
      return reply.answer(i % 3 === 0 ? (gt === "D" ? "A" : "D") : gt);
    },
  });
  const common = ["--bench", `motionbench:${bench}`, "--model", "openai:loop", "--base-url", server.url];
  const single = await runEval(
    {
      bench: `motionbench:${bench}`,
      model: "openai:loop",
      runDir: join(tmp, "runs-single"),
      modelOptions: { baseUrl: server.url, env: { OPENAI_API_KEY: "sk" } },
    },
    defaultDeps,
  );
  const singleAsked = server.requests.length;
  assert.equal(singleAsked, N);

  const runDir = join(tmp, "runs-queue");
  const coordArgs = ["eval", ...common, "--run-dir", runDir, "--queue", redis.url, "--no-progress", "--json"];
  const workerArgs = ["worker", "--queue", redis.url, "--concurrency", "2", "--stall-ms", "30000"];
  const workers = [kinema(workerArgs), kinema(workerArgs), kinema(workerArgs)];
  let coord = kinema(coordArgs);
  const asked = () => server.requests.length - singleAsked;
  // SIGKILL one worker once a few samples are done (its 2 in-flight jobs return to the queue after the stall timeout)
  await until("some answers", () => asked() >= 6);
  const atKill = asked();
  const tWorkerKill = performance.now();
  workers[0].child.kill("SIGKILL");
  await workers[0].done;
  // then the coordinator; the workers go on, their results wait in Redis for the restarted coordinator
  await until("more answers", () => asked() >= atKill + 8);
  const tCoordKill = performance.now();
  coord.child.kill("SIGKILL");
  await coord.done;
  await new Promise((r) => setTimeout(r, 300));
  coord = kinema(coordArgs);
  const r = await coord.done;
  assert.equal(r.code, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  const want = evalJson(single.summary);
  if (got.counts.failed) {
    const { openStore } = await import("../src/store/index.ts");
    const st = openStore(runDir);
    console.error(
      JSON.stringify(
        st
          .samples(got.run)
          .filter((x) => x.status === "failed")
          .map((x) => x.error),
      ),
    );
    st.close();
  }
  assert.deepEqual(
    { overall: got.overall, categories: got.categories, counts: got.counts },
    { overall: want.overall, categories: want.categories, counts: want.counts },
  );
  // Row for row the same store as the one-process run: request keys, prompts, answers, scores, usage, flags.
  {
    const { openStore } = await import("../src/store/index.ts");
    const rows = (dir: string, run: string) => {
      const st = openStore(dir);
      try {
        return st
          .samples(run)
          .map((x) => [
            x.sampleId,
            x.status,
            x.requestKey,
            x.prompt,
            x.raw,
            x.parsed,
            x.correct,
            x.usage,
            x.flags,
          ]);
      } finally {
        st.close();
      }
    };
    assert.equal(got.run, single.run.id, "the queue run has the one-process run's identity");
    assert.deepEqual(rows(runDir, got.run), rows(join(tmp, "runs-single"), single.run.id));
  }
  // At-least-once: only the killed worker's in-flight jobs (concurrency 2) may have been asked twice.
  const perText = new Map<string, number>();
  for (const q of server.requests.slice(singleAsked)) perText.set(q.text, (perText.get(q.text) ?? 0) + 1);
  assert.equal(perText.size, N);
  const dupes = [...perText.values()].reduce((s, n) => s + n - 1, 0);
  if (dupes > 2)
    console.error(
      JSON.stringify({
        tWorkerKill,
        tCoordKill,
        d: server.requests
          .slice(singleAsked)
          .filter((q) => perText.get(q.text)! > 1)
          .map((q) => [q.text, Math.round(q.at)]),
        w: workers.map((w) => w.out().split("\n").slice(0, 40)),
      }),
    );
  assert.ok(dupes <= 2, `${dupes} duplicate requests`);
  // The same command once more: every sample is stored, nothing is enqueued or asked.
  const before = server.requests.length;
  const again = await kinema(coordArgs).done;
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout).overall, want.overall);
  assert.equal(server.requests.length, before);
  for (const w of workers.slice(1)) w.child.kill("SIGTERM");
  for (const w of workers.slice(1)) {
    const d = await w.done;
    assert.equal(d.code, 0, `worker exits cleanly on SIGTERM: ${d.stderr}`);
    assert.match(d.stdout, /worker stopped after \d+ jobs/);
  }
});

test("a worker that cannot reach its model server records failures, not wrong answers", async () => {
  const bench = makeMotionBenchFixture(
    join(tmp, "mb2"),
    Array.from({ length: 4 }, (_, i) => ({ uid: `f${i}`, text: `f${i}`, answer: "A" })),
    2,
  );
  const w = kinema([
    "worker",
    "--queue",
    redis.url,
    "--base-url",
    "http://127.0.0.1:9/v1",
    "--stall-ms",
    "10000",
  ]);
  const r = await kinema([
    "eval",
    ...["--bench", `motionbench:${bench}`, "--model", "openai:loop", "--base-url", "http://127.0.0.1:9/v1"],
    ...["--retries", "1", "--backoff-ms", "10", "--run-dir", join(tmp, "runs-dead"), "--queue", redis.url],
    ...["--no-progress", "--json"],
  ]).done;
  w.child.kill("SIGTERM");
  await w.done;
  assert.equal(r.code, 4, `every sample failed: exit 4 as in a one-process run\n${r.stderr}`);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.counts, { total: 4, ok: 0, failed: 4, unparsed: 0 });
  assert.equal(j.overall.n, 0, "no failure is scored as a wrong answer");
  // The worker's attempts land in the coordinator's store, with their typed errors (1 + 1 retry each).
  const { openStore } = await import("../src/store/index.ts");
  const st = openStore(join(tmp, "runs-dead"));
  try {
    const rows = st.samples(j.run);
    assert.ok(rows.every((x) => x.status === "failed" && x.error?.code === "network" && x.attempts === 2));
    assert.ok(rows.every((x) => x.parsed === null && x.correct === null));
    const n = (st as any).db
      .prepare("SELECT COUNT(*) AS n FROM attempts WHERE run_id = ? AND ok = 0")
      .get(j.run);
    assert.equal(Number(n.n), 8);
  } finally {
    st.close();
  }
});

test("a job that fails on every worker (the run's API key missing there) is recorded as failed with its error", async () => {
  const bench = makeMotionBenchFixture(
    join(tmp, "mb3"),
    Array.from({ length: 2 }, (_, i) => ({ uid: `k${i}`, text: `k${i}`, answer: "A" })),
    1,
  );
  const w = kinema(["worker", "--queue", redis.url, "--quiet"]);
  const r = await kinema(
    [
      ...["eval", "--bench", `motionbench:${bench}`, "--model", "openai:loop", "--frames", "none"],
      ...["--base-url", "http://127.0.0.1:9/v1", "--api-key-env", "KINEMA_TEST_KEY"],
      ...["--run-dir", join(tmp, "runs-nokey"), "--queue", redis.url, "--no-progress", "--json"],
    ],
    { KINEMA_TEST_KEY: "sk-coordinator-only" },
  ).done;
  w.child.kill("SIGTERM");
  await w.done;
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.counts, { total: 2, ok: 0, failed: 2, unparsed: 0 });
  const { openStore } = await import("../src/store/index.ts");
  const st = openStore(join(tmp, "runs-nokey"));
  try {
    for (const x of st.samples(j.run)) {
      assert.equal(x.error?.code, "worker_failed");
      assert.equal(x.error?.attempts, 3, "BullMQ tried the job JOB_ATTEMPTS times");
      assert.match(String(x.error?.message), /KINEMA_TEST_KEY/);
    }
  } finally {
    st.close();
  }
});

test("a 429 with Retry-After seen by one worker pauses every worker for that long", async () => {
  const bench = makeMotionBenchFixture(
    join(tmp, "mb4"),
    Array.from({ length: 40 }, (_, i) => ({ uid: `r${i}`, text: `r${i}`, answer: "A" })),
    1,
  );
  let first = true;
  const s429 = await startLoopbackServer({
    latencyMs: 100,
    script: () => {
      if (!first) return reply.answer("A");
      first = false;
      return reply.status(429, "3");
    },
  });
  try {
    const args = ["worker", "--queue", redis.url, "--concurrency", "1"];
    const ws = [kinema(args), kinema(args)];
    await until("workers ready", () => ws.every((w) => /worker ready/.test(w.out())));
    const r = await kinema([
      ...["eval", "--bench", `motionbench:${bench}`, "--model", "openai:loop", "--frames", "none"],
      ...["--base-url", s429.url, "--run-dir", join(tmp, "runs-429"), "--queue", redis.url],
      ...["--no-progress", "--json"],
    ]).done;
    for (const w of ws) w.child.kill("SIGTERM");
    await Promise.all(ws.map((w) => w.done));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).counts.ok, 40);
    // Only a request already on its way when the 429 came may follow it at once; then nobody asks for
    // the Retry-After (3 s). Without the shared pause the other worker asks about every 100 ms.
    const t429 = s429.requests[0].at;
    const inPause = s429.requests.filter((q) => q.at > t429 + 1000 && q.at < t429 + 2700);
    assert.deepEqual(
      inPause.map((q) => q.text),
      [],
      "no worker sends during another worker's Retry-After",
    );
    assert.ok(s429.requests.length >= 41);
  } finally {
    await s429.close();
  }
});

test("kinema audit through the queue: the worker decodes from its own copy (--bench-root); same runs, rows and numbers", async () => {
  const bench = makeMotionBenchFixture(
    join(tmp, "mb5"),
    Array.from({ length: 8 }, (_, i) => ({
      uid: `a${i}`,
      text: `a${i} gt=${"ABCD"[i % 4]}`,
      answer: "ABCD"[i % 4],
      video: i % 2,
    })),
    2,
  );
  // Right with both frames; "D" with one, "B" with none: conditions that score differently.
  const srv = await startLoopbackServer({
    script: (q) => reply.answer(q.images === 2 ? /gt=([A-D])/.exec(q.text)![1] : q.images === 1 ? "D" : "B"),
  });
  const { runAudit } = await import("../src/audit/index.ts");
  const { openStore } = await import("../src/store/index.ts");
  const opts = {
    bench: `motionbench:${bench}`,
    model: "openai:loop",
    frames: "uniform:2",
    conditions: ["ordered", "first", "none"] as ("ordered" | "first" | "none")[],
    modelOptions: { baseUrl: srv.url, env: { OPENAI_API_KEY: "sk" } },
  };
  const rows = (dir: string, run: string) => {
    const st = openStore(dir);
    try {
      return st.samples(run).map((x) => [x.sampleId, x.requestKey, x.frameIndices, x.parsed, x.correct]);
    } finally {
      st.close();
    }
  };
  try {
    const local = await runAudit({ ...opts, runDir: join(tmp, "audit-local") }, defaultDeps);
    const asked = srv.requests.length;
    // The worker reads its own copy (--bench-root); the coordinator's clips are spoiled, so reading them fails.
    const { cpSync, writeFileSync } = await import("node:fs");
    const copy = join(tmp, "mb5-copy");
    cpSync(bench, copy, { recursive: true });
    for (const v of ["v0.mp4", "v1.mp4"]) writeFileSync(join(bench, "videos", v), "not a video");
    const w = kinema(["worker", "--queue", redis.url, "--bench-root", copy, "--quiet"]);
    let queued: Awaited<ReturnType<typeof runAudit>>;
    try {
      queued = await runAudit({ ...opts, runDir: join(tmp, "audit-queue"), queue: redis.url }, queueDeps);
    } finally {
      w.child.kill("SIGTERM");
      await w.done;
    }
    assert.equal(srv.requests.length - asked, 24, "8 questions × 3 conditions, each asked once");
    for (const k of opts.conditions) {
      const a = local.conditions[k]!;
      const b = queued.conditions[k]!;
      assert.equal(b.run, a.run);
      assert.deepEqual([b.acc, b.counts, b.retained], [a.acc, a.counts, a.retained]);
      assert.deepEqual(rows(join(tmp, "audit-queue"), b.run), rows(join(tmp, "audit-local"), a.run));
    }
    assert.equal(queued.conditions.ordered!.acc, 1);
  } finally {
    await srv.close();
  }
});

test("a judged benchmark through the queue: answers from the workers, judgements by the coordinator, same judged summary", async () => {
  const anet = join(tmp, "anet");
  const { mkdirSync, writeFileSync } = await import("node:fs");
  mkdirSync(join(anet, "videos"), { recursive: true });
  makeMotionBenchFixture(join(tmp, "anet-src"), [{ uid: "x", text: "x", answer: "A" }], 1);
  const { cpSync } = await import("node:fs");
  for (const n of ["a1", "a2"])
    cpSync(join(tmp, "anet-src", "videos", "v0.mp4"), join(anet, "videos", `v_${n}.mp4`));
  const QA = [
    ["what is shown in j1", "a dog"],
    ["what colour in j2", "red"],
    ["how many in j3", "two"],
    ["who is in j4", "a man"],
  ];
  writeFileSync(
    join(anet, "test_q.json"),
    JSON.stringify(
      QA.map(([q], i) => ({ video_name: ["a1", "a2"][i % 2], question: q, question_id: `j${i}` })),
    ),
  );
  writeFileSync(
    join(anet, "test_a.json"),
    JSON.stringify(QA.map(([, a], i) => ({ answer: a, type: i % 2, question_id: `j${i}` }))),
  );
  const model = await startLoopbackServer({
    script: (q) => reply.answer(/j1|j3/.test(q.text) ? "a dog" : "red"),
  });
  const judge = await startLoopbackServer({
    script: (q) =>
      reply.answer(
        /Predicted Answer: a dog/.test(q.text) ? "{'pred': 'yes', 'score': 4}" : "{'pred': 'no', 'score': 1}",
      ),
  });
  const opts = {
    bench: `activitynet-qa:${anet}`,
    model: "openai:loop",
    frames: "uniform:2",
    modelOptions: { baseUrl: model.url, env: { OPENAI_API_KEY: "sk" } },
    judge: { spec: "openai:judge", baseUrl: judge.url },
  };
  try {
    const local = await runEval({ ...opts, runDir: join(tmp, "judged-local") }, defaultDeps);
    const modelAsked = model.requests.length;
    const w = kinema(["worker", "--queue", redis.url, "--base-url", model.url, "--quiet"]);
    let queued: Awaited<ReturnType<typeof runEval>>;
    try {
      queued = await runEval({ ...opts, runDir: join(tmp, "judged-queue"), queue: redis.url }, queueDeps);
    } finally {
      w.child.kill("SIGTERM");
      await w.done;
    }
    assert.equal(model.requests.length - modelAsked, 4, "the workers answered every question once");
    assert.equal(queued.run.id, local.run.id);
    assert.ok(local.summary.judged, "the local run was judged");
    assert.deepEqual(queued.summary.judged, local.summary.judged);
    assert.deepEqual(queued.tokens, local.tokens, "token totals as in a one-process run");
  } finally {
    await model.close();
    await judge.close();
  }
});

test("--rate 4/s on both workers: jobs start at most 4 per second over the whole queue", async () => {
  const bench = makeMotionBenchFixture(
    join(tmp, "mb-rate"),
    Array.from({ length: 12 }, (_, i) => ({ uid: `t${i}`, text: `t${i}`, answer: "A" })),
    1,
  );
  const fast = await startLoopbackServer({ script: () => reply.answer("A") });
  try {
    const args = ["worker", "--queue", redis.url, "--concurrency", "4", "--rate", "4/s"];
    const ws = [kinema(args), kinema(args)];
    await until("workers ready", () => ws.every((w) => /worker ready/.test(w.out())));
    const r = await kinema([
      ...["eval", "--bench", `motionbench:${bench}`, "--model", "openai:loop", "--frames", "none"],
      ...["--base-url", fast.url, "--run-dir", join(tmp, "runs-rate"), "--queue", redis.url],
      ...["--no-progress", "--json"],
    ]).done;
    for (const w of ws) w.child.kill("SIGTERM");
    await Promise.all(ws.map((w) => w.done));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).counts.ok, 12);
    const at = fast.requests.map((q) => q.at).sort((x, y) => x - y);
    assert.equal(at.length, 12);
    // BullMQ's limiter is a fixed window opened by the first job: 4 in the first second, 4 in the next...
    // Eight slots and an instant server would ask all 12 within a few ms without it.
    const firstSecond = at.filter((t) => t < at[0]! + 900).length;
    assert.ok(firstSecond <= 4, `${firstSecond} requests in the first 0.9 s at 4/s`);
    assert.ok(at.at(-1)! - at[0]! >= 1800, `12 requests at 4/s took only ${at.at(-1)! - at[0]!} ms`);
  } finally {
    await fast.close();
  }
});

test("kinema sweep through the queue: the same linked runs and accuracies as in one process", async () => {
  const bench = makeMotionBenchFixture(
    join(tmp, "mb-sweep"),
    Array.from({ length: 6 }, (_, i) => ({ uid: `s${i}`, text: `s${i}`, answer: "A", video: i % 2 })),
    2,
  );
  // Answers depend on how many images came, so a sweep point that got the wrong frames scores differently.
  const sv = await startLoopbackServer({
    script: (q) => reply.answer(q.images >= 2 && /s[024]/.test(q.text) ? "A" : "B"),
  });
  try {
    const sweepArgs = (dir: string) => [
      ...[
        "sweep",
        "--bench",
        `motionbench:${bench}`,
        "--model",
        "openai:loop",
        "--frames",
        "uniform:1",
        "uniform:2",
      ],
      ...["--base-url", sv.url, "--run-dir", join(tmp, dir), "--no-progress", "--json"],
    ];
    const local = await kinema(sweepArgs("runs-sweep-local")).done;
    assert.equal(local.code, 0, local.stderr);
    const asked = sv.requests.length;
    const w = kinema(["worker", "--queue", redis.url, "--quiet"]);
    const q = await kinema([...sweepArgs("runs-sweep-queue"), "--queue", redis.url]).done;
    w.child.kill("SIGTERM");
    await w.done;
    assert.equal(q.code, 0, q.stderr);
    const pts = (o: string) =>
      JSON.parse(o).points.map((p: { frames: string; overall: { acc: number }; counts: unknown }) => [
        p.frames,
        p.overall.acc,
        p.counts,
      ]);
    assert.deepEqual(pts(q.stdout), pts(local.stdout));
    assert.deepEqual(
      pts(local.stdout).map((p: unknown[]) => p[1]),
      [0, 0.5],
      "uniform:1 gets one image (every answer B), uniform:2 two (s0, s2, s4 right)",
    );
    assert.equal(sv.requests.length - asked, 12, "the queued sweep asked each of its 2 × 6 samples once");
  } finally {
    await sv.close();
  }
});

test("a work item of another version is refused by name; the coordinator's kind of failure, never an answer", async () => {
  const { Queue } = await import("bullmq");
  const { QUEUE_NAME } = await import("../src/queue/redis.ts");
  const queue = new Queue(QUEUE_NAME, { connection: { url: redis.url, maxRetriesPerRequest: null } });
  const w = kinema(["worker", "--queue", redis.url]);
  try {
    await until("worker ready", () => /worker ready/.test(w.out()));
    const job = await queue.add("sample", { v: 1, runId: "old-run", sample: { id: "x" } }, { attempts: 1 });
    for (let i = 0; i < 400 && !(await job.isFailed()); i++) await new Promise((r) => setTimeout(r, 25));
    const failed = await queue.getJob(job.id!);
    assert.match(String(failed?.failedReason), /work item version 1, this kinema worker reads version 2/);
  } finally {
    w.child.kill("SIGTERM");
    await w.done;
    await queue.remove("old-run").catch(() => {});
    await queue.close();
  }
});

test("a restarted coordinator stores the answers an earlier one left in the results list, and asks their failures again", async () => {
  const bench = makeMotionBenchFixture(
    join(tmp, "mb-left"),
    Array.from({ length: 3 }, (_, i) => ({ uid: `left${i}`, text: `left${i}`, answer: "A" })),
    1,
  );
  const sv = await startLoopbackServer({ script: () => reply.answer("A") });
  const runDir = join(tmp, "runs-left");
  const evalArgs = [
    ...["eval", "--bench", `motionbench:${bench}`, "--model", "openai:loop", "--frames", "none"],
    ...["--base-url", sv.url, "--run-dir", runDir, "--queue", redis.url, "--no-progress", "--json"],
  ];
  const w = kinema(["worker", "--queue", redis.url, "--quiet"]);
  try {
    const first = await kinema(evalArgs).done;
    assert.equal(first.code, 0, first.stderr);
    const runId = JSON.parse(first.stdout).run as string;
    // As if a coordinator had read two results from the list and died before storing them.
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(join(runDir, "kinema.db"));
    const ids = (
      db.prepare("SELECT sample_id FROM samples WHERE run_id = ? ORDER BY idx").all(runId) as {
        sample_id: string;
      }[]
    ).map((r) => r.sample_id);
    db.prepare(
      "UPDATE samples SET status = 'pending', raw = NULL, parsed = NULL, correct = NULL WHERE run_id = ? AND sample_id IN (?, ?)",
    ).run(runId, ids[0]!, ids[1]!);
    db.close();
    const { Redis } = await import("ioredis");
    const r = new Redis(redis.url);
    const { resultsKey } = await import("../src/queue/item.ts");
    const left = (sampleId: string, result: object) =>
      JSON.stringify({ runId, sampleId, result, fresh: true, attempts: [], worker: "gone:1" });
    await r.rpush(
      resultsKey(runId),
      left(ids[0]!, { status: "ok", raw: "B", parsed: "B", correct: false, attempts: 1 }),
      left(ids[1]!, { status: "failed", error: { code: "network", message: "reset" }, attempts: 3 }),
    );
    r.disconnect();
    const before = sv.requests.length;
    const second = await kinema(evalArgs).done;
    assert.equal(second.code, 0, second.stderr);
    const asked = sv.requests.slice(before).map((q) => q.text);
    assert.equal(asked.length, 1, `asked again: ${asked.join(" | ")}`);
    assert.match(asked[0]!, /left1/, "the leftover failure is asked again");
    const j = JSON.parse(second.stdout);
    assert.equal(j.run, runId);
    assert.deepEqual(j.counts, { total: 3, ok: 3, failed: 0, unparsed: 0 });
    assert.equal(j.overall.acc, 2 / 3, "the leftover answer (B, wrong) is stored, not asked again");
  } finally {
    w.child.kill("SIGTERM");
    await w.done;
    await sv.close();
  }
});
