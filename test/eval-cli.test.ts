// `kinema eval` end to end as a child process against the loopback server: exact failure counts, and a
// SIGKILL mid-run followed by the same command, which must not re-ask any completed sample.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, test } from "node:test";
import { type ReceivedRequest, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";

const root = join(import.meta.dirname, "..");
const cli = join(root, "src", "cli", "main.ts");
let tmp: string;
const children = new Set<ChildProcess>();

before(() => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-evalcli-"));
});
after(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
});

function kinema(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: tmp,
    env: { ...process.env, KINEMA_CACHE_DIR: join(tmp, "cache"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (r) =>
      child.on("close", (code, signal) => {
        children.delete(child);
        r({ code, signal, stdout, stderr });
      }),
  );
  return { child, done };
}

const gtOf = (q: ReceivedRequest) => /gt=([A-D])/.exec(q.text)?.[1] ?? "A";

test("eval end to end: scripted failures give exact counts", async () => {
  const kinds = [
    "ok",
    "ok",
    "ok",
    "ok",
    "ok",
    "ok",
    "r429",
    "flaky",
    "e500",
    "hang",
    "bad",
    "prose",
    "empty",
    "ok",
  ];
  // 12 dev questions, 2 test questions (answer NA).
  const qs = kinds.map((k, i) => ({
    uid: `u${i}`,
    text: `${k}-${i} gt=${"ABCD"[i % 4]} what moves?`,
    answer: i >= 12 ? "NA" : "ABCD"[i % 4],
  }));
  const bench = makeMotionBenchFixture(join(tmp, "mb1"), qs, 2);
  const server = await startLoopbackServer({
    script: (q) => {
      const kind = q.text.split("-")[0];
      if (kind === "r429") return q.attempt === 1 ? reply.status(429, "1") : reply.answer(gtOf(q));
      if (kind === "flaky") return q.attempt === 1 ? reply.status(500) : reply.answer(gtOf(q));
      if (kind === "e500") return reply.status(500);
      if (kind === "hang") return reply.hang();
      if (kind === "bad") return reply.malformed();
      if (kind === "empty") return reply.emptyChoices();
      if (kind === "prose") return reply.answer("The answer is B");
      return reply.answer(gtOf(q));
    },
  });
  try {
    const args = [
      "eval",
      ...["--bench", `motionbench:${bench}`, "--model", "openai:loop-1", "--base-url", server.url],
      ...[
        "--frames",
        "uniform:2",
        "--size",
        "32",
        "--concurrency",
        "4",
        "--retries",
        "2",
        "--backoff-ms",
        "5",
      ],
      // 1.5 s: long enough that a loaded machine does not time out the 429 reply (its Retry-After is then lost)
      ...["--timeout-ms", "1500", "--run-dir", join(tmp, "runs1"), "--json"],
    ];
    const r = await kinema(args, { OPENAI_API_KEY: "sk-e2e-secret" }).done;
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j), ["run", "benchmark", "model", "overall", "categories", "counts"]);
    assert.deepEqual(j.counts, { total: 14, ok: 9, failed: 4, unparsed: 1 });
    // "The answer is B" parses to "T" under the official rule: unparsed, and counted wrong.
    // Dev (u0–u11) not failed: 12 - 3 = 9; right: the 6 "ok" + r429 + flaky.
    assert.equal(j.overall.n, 9);
    assert.equal(j.overall.acc, 8 / 9);
    assert.equal(j.model, "openai:loop-1");
    assert.ok(Array.isArray(j.overall.ci95) && j.overall.ci95.length === 2);
    // Retry-After: 1 was honoured: the second attempt came ≥ 1 s after the first.
    const r429 = server.requests.filter((q) => q.text.startsWith("r429"));
    assert.equal(r429.length, 2);
    assert.ok(r429[1].at - r429[0].at >= 950, `waited ${r429[1].at - r429[0].at} ms`);
    assert.equal(server.count("e500"), 3);
    assert.equal(server.count("hang"), 3);
    assert.equal(server.count("bad"), 3);
    assert.equal(server.count("empty"), 3);
    // Each request carried 2 JPEG frames before the text.
    assert.ok(server.requests.every((q) => q.images === 2));
    const samples = readFileSync(join(tmp, "runs1", j.run, "samples.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(samples.length, 14);
    const errs = Object.fromEntries(
      samples.filter((s) => s.status === "failed").map((s) => [s.question.split("-")[0], s.error.code]),
    );
    assert.deepEqual(errs, {
      e500: "http_status",
      hang: "timeout",
      bad: "bad_response",
      empty: "bad_response",
    });
    assert.ok(
      !readFileSync(join(tmp, "runs1", "kinema.db"))
        .toString("latin1")
        .includes("sk-e2e-secret"),
    );
    const summary = JSON.parse(readFileSync(join(tmp, "runs1", j.run, "summary.json"), "utf8"));
    assert.deepEqual(summary.servedModels, ["loop-1"]);
    assert.equal(summary.usage.promptTokens, 10 * (10 + 2 * 85)); // 10 answered samples, 2 images each
    assert.equal(summary.failureRate, 4 / 14);
    assert.equal(summary.config.frames, "uniform:2");
    assert.equal(summary.config.size, 32);
    assert.equal(summary.config.prompt, "lmms-eval");
    assert.equal(summary.config.parse, "official");
    assert.match(summary.config.benchHash, /^[0-9a-f]{64}$/);

    // --no-retry-failed asks nothing; the same command asks exactly the 4 failed ones again (3 attempts
    // each, the server still failing), says so, and never a completed one; once fixed, they are answered.
    const n = server.count();
    const kept = await kinema([...args, "--no-retry-failed"], { OPENAI_API_KEY: "x" }).done;
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(server.count(), n);
    assert.deepEqual(JSON.parse(kept.stdout), j);
    const again = await kinema(args, { OPENAI_API_KEY: "x" }).done;
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /asking again the 4 samples that failed before/);
    assert.equal(server.count(), n + 4 * 3);
    assert.deepEqual(JSON.parse(again.stdout).counts, j.counts);
    server.setScript((q) => reply.answer(gtOf(q)));
    const retried = await kinema(args).done;
    assert.equal(server.count(), n + 4 * 3 + 4);
    assert.deepEqual(JSON.parse(retried.stdout).counts, { total: 14, ok: 13, failed: 0, unparsed: 1 });

    // runs / show / submit read the same store.
    const runs = JSON.parse((await kinema(["runs", "--run-dir", join(tmp, "runs1"), "--json"]).done).stdout);
    assert.equal(runs[0].run, j.run);
    const shown = JSON.parse(
      (await kinema(["show", j.run, "--run-dir", join(tmp, "runs1"), "--json"]).done).stdout,
    );
    assert.deepEqual(shown.counts, { total: 14, ok: 13, failed: 0, unparsed: 1 });
    const out = join(tmp, "sub.json");
    const sub = await kinema([
      "submit",
      "motionbench",
      "--run",
      j.run,
      "--run-dir",
      join(tmp, "runs1"),
      "--out",
      out,
    ]).done;
    assert.equal(sub.code, 0, sub.stderr);
    assert.deepEqual(JSON.parse(readFileSync(out, "utf8")), { u12: "A", u13: "B" });
  } finally {
    await server.close();
  }
});

test("SIGKILL mid-run, then the same command: no completed sample is asked again", async () => {
  const N = 40;
  const qs = Array.from({ length: N }, (_, i) => ({
    uid: `k${i}`,
    text: `q${i} gt=${"ABCD"[i % 4]} which way?`,
    answer: i % 10 === 9 ? "NA" : "ABCD"[i % 4],
  }));
  const bench = makeMotionBenchFixture(join(tmp, "mb2"), qs, 3);
  // Deterministic answers (right for even i): the interrupted and the clean run must agree exactly.
  const answer = (q: ReceivedRequest) => {
    const i = Number(/^q(\d+)/.exec(q.text)![1]);
    return reply.answer(i % 2 === 0 ? gtOf(q) : "D", { delayMs: 40 });
  };
  const server = await startLoopbackServer({ script: answer });
  const args = (dir: string) => [
    "eval",
    ...["--bench", `motionbench:${bench}`, "--model", "openai:loop-2", "--base-url", server.url],
    ...["--frames", "uniform:2", "--size", "32", "--concurrency", "3", "--run-dir", dir, "--json"],
  ];
  try {
    const killedDir = join(tmp, "runs-killed");
    const first = kinema(args(killedDir));
    while (server.answered < 12) await new Promise((r) => setTimeout(r, 5));
    first.child.kill("SIGKILL");
    const k = await first.done;
    assert.equal(k.signal, "SIGKILL");
    // What the killed process had committed.
    const db = new DatabaseSync(join(killedDir, "kinema.db"), { readOnly: true });
    const done = db.prepare("SELECT prompt FROM samples WHERE status != 'pending'").all() as {
      prompt: string;
    }[];
    db.close();
    assert.ok(done.length >= 8 && done.length < N, `completed before the kill: ${done.length}`);
    const before = new Map<string, number>();
    for (const q of server.requests) before.set(q.text, (before.get(q.text) ?? 0) + 1);

    const resumed = await kinema(args(killedDir)).done;
    assert.equal(resumed.code, 0, resumed.stderr);
    for (const { prompt } of done) {
      const asked = server.requests.filter((q) => q.text === prompt).length;
      assert.equal(asked, 1, `completed sample asked ${asked} times: ${prompt.slice(0, 20)}`);
    }
    // Every sample was asked at least once, and only in-flight ones at the kill could be asked twice.
    const texts = new Set(server.requests.map((q) => q.text));
    assert.equal(texts.size, N);
    assert.ok(server.count() - N <= 3, `re-asked ${server.count() - N} (at most the 3 in flight)`);

    const clean = await kinema(args(join(tmp, "runs-clean"))).done;
    assert.equal(clean.code, 0, clean.stderr);
    assert.deepEqual(JSON.parse(resumed.stdout), JSON.parse(clean.stdout));
  } finally {
    await server.close();
  }
});
