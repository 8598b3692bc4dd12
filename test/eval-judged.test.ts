// Judged benchmarks through `kinema eval --judge` end to end against two loopback servers (the model and the
// judge): an ActivityNet-QA-layout fixture with ffmpeg testsrc videos, a judge 429, a malformed and a failing
// judge reply, exact aggregates and counts; a re-run asks nothing again; `kinema judge vcgpt-qa --run` with
// a second judge gives its own numbers; VideoRefer-Bench-D and a caption-ref set on a synthetic videorefer set.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, test } from "node:test";
import { type LoopbackServer, type Reply, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { openSqliteSource } from "../src/analysis/source-sqlite.ts";
import { captionMetrics } from "../src/metrics/caption/index.ts";
import { acquireLock, runLockPath } from "../src/util/lock.ts";
import { runTool } from "../src/video/tools.ts";
import { cliRunner } from "./helpers/cli.ts";

let tmp: string;
let model: LoopbackServer;
let judge: LoopbackServer;

const { kinema, children } = cliRunner(() => tmp);

// The model's answer per question; q6's model call always fails (a model failure, never judged).
const QA = [
  { q: "what is shown in q1", a: "a dog", pred: "a dog" },
  { q: "what is shown in q2", a: "a bird", pred: "a cat" },
  { q: "what colour in q3", a: "red", pred: "red" },
  { q: "how many in q4", a: "two", pred: "two" },
  { q: "what happens in q5", a: "running", pred: "running fast" },
  { q: "who is in q6", a: "a man", pred: "" },
];

/** Judge replies by prediction: yes/4, no/1, a 429 then yes/5, malformed, always 500. */
function judgeScript(req: { text: string; attempt: number; body: any }): Reply {
  const pred = /Predicted Answer: (.*)\n/.exec(req.text)?.[1];
  if (req.body?.model === "judge2")
    return reply.answer("{'pred': 'no', 'score': 2}", { model: "judge2-0601" });
  switch (pred) {
    case "a dog":
      return reply.answer("{'pred': 'yes', 'score': 4}", { model: "judge-0513" });
    case "a cat":
      return reply.answer("{'pred': 'no', 'score': 1}", { model: "judge-0513" });
    case "red":
      return req.attempt === 1
        ? reply.status(429, "0")
        : reply.answer("{'pred': 'yes', 'score': 5}", { model: "judge-0513" });
    case "two":
      return reply.answer("The answer is correct, score 3", { model: "judge-0513" });
    default:
      return reply.status(500);
  }
}

async function testsrc(out: string) {
  const r = await runTool("ffmpeg", [
    ...["-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=8:duration=1"],
    ...["-pix_fmt", "yuv420p", "-y", out],
  ]);
  assert.equal(r.code, 0, r.stderr);
}

let anet: string;
let vr: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-judged-"));
  anet = join(tmp, "anet");
  mkdirSync(join(anet, "videos"), { recursive: true });
  const names = ["a1", "a2", "a3"];
  const made = Promise.all(names.map((n) => testsrc(join(anet, "videos", `v_${n}.mp4`))));
  writeFileSync(
    join(anet, "test_q.json"),
    JSON.stringify(QA.map((x, i) => ({ video_name: names[i % 3], question: x.q, question_id: `q${i + 1}` }))),
  );
  writeFileSync(
    join(anet, "test_a.json"),
    JSON.stringify(QA.map((x, i) => ({ answer: x.a, type: i < 3 ? 0 : 1, question_id: `q${i + 1}` }))),
  );
  vr = join(tmp, "vr");
  const synth = kinema(["synth", "--kind", "videorefer", "--n", "2", "--seed", "3", "--out", vr]);
  model = await startLoopbackServer({
    script: (req) => {
      const x = QA.find((e) => req.text.includes(e.q));
      if (x?.q.includes("q6")) return reply.status(500);
      return reply.answer(x ? x.pred : "A person walks to the left.");
    },
  });
  judge = await startLoopbackServer({ script: judgeScript });
  await made;
  const g = await synth;
  assert.equal(g.code, 0, g.stderr);
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await model?.close();
  await judge?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const runDir = () => join(tmp, "runs");
const evalArgs = () => [
  "eval",
  ...["--bench", `activitynet-qa:${anet}`, "--model", "openai:loop", "--base-url", model.url],
  ...["--frames", "uniform:2", "--retries", "0", "--backoff-ms", "1", "--concurrency", "3"],
  ...["--judge", "openai:judge", "--judge-base-url", judge.url, "--judge-retries", "2", "--judge-seed", "7"],
  ...["--run-dir", runDir(), "--no-progress", "--json"],
];

test("activitynet-qa evaluated and judged end to end; a re-run asks nothing; a second judge via kinema judge --run", async () => {
  const r = await kinema(evalArgs());
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.benchmark, "activitynet-qa");
  // Model side: q6 failed (500, no retries); the others answered.
  assert.deepEqual(j.counts, { total: 6, ok: 5, failed: 1, unparsed: 0 });
  assert.equal(model.requests.length, 6);
  assert.ok(model.requests.every((q) => q.images === 2));
  // Judge side: 5 items; q3 answered after a 429; q4 unparsed; q5 failed after 1 + 2 retries.
  const g = j.judged;
  assert.equal(g.kind, "vcgpt-qa");
  for (const k of ["accuracy", "average_score", "n", "yes", "no", "failed", "unparsed"]) assert.ok(k in g, k);
  assert.equal(g.n, 5);
  assert.equal(g.yes, 2);
  assert.equal(g.no, 1);
  assert.equal(g.accuracy, 2 / 3);
  assert.equal(g.average_score, (4 + 1 + 5) / 3);
  assert.equal(g.judged, 3);
  assert.equal(g.failed, 1);
  assert.equal(g.unparsed, 1);
  assert.equal(g.unanswered, 1);
  assert.deepEqual(
    g.failed_items.map((x: { id: string }) => x.id),
    ["q5"],
  );
  assert.deepEqual(
    g.unparsed_items.map((x: { id: string }) => x.id),
    ["q4"],
  );
  assert.equal(g.judge.spec, "openai:judge");
  assert.equal(g.judge.servedModel, "judge-0513");
  assert.equal(g.judge.seed, 7);
  assert.equal(g.judge.temperature, null);
  assert.match(g.judge.promptSha256.open_ended_qa, /^[0-9a-f]{64}$/);
  assert.equal(judge.requests.length, 1 + 1 + 2 + 1 + 3);
  // The judge got the upstream prompt with the model's raw answer; the seed was sent.
  const q1 = judge.requests.find((q) => q.text.includes("Predicted Answer: a dog"))!;
  assert.match(
    q1.text,
    /^Please evaluate the following video-based question-answer pair:\n\nQuestion: what is shown in q1\nCorrect Answer: a dog\n/,
  );
  assert.equal(q1.body.seed, 7);
  assert.equal(q1.body.temperature, undefined);

  // Stored: one judgement per item with reply, verdict, score and the judge record; digest on the sample row.
  const db = new DatabaseSync(join(runDir(), "kinema.db"), { readOnly: true });
  const rows = db.prepare("SELECT item_id, status, reply FROM judgements ORDER BY item_id").all() as any[];
  assert.deepEqual(
    rows.map((x) => [x.item_id, x.status]),
    [
      ["q1", "ok"],
      ["q2", "ok"],
      ["q3", "ok"],
      ["q4", "unparsed"],
      ["q5", "failed"],
    ],
  );
  const d1 = JSON.parse((db.prepare("SELECT judge FROM samples WHERE sample_id = 'q1'").get() as any).judge);
  assert.equal(d1.reply, "{'pred': 'yes', 'score': 4}");
  assert.equal(d1.score, 4);
  assert.equal(d1.verdict, "yes");
  assert.equal(d1.judge.servedModel, "judge-0513");
  assert.equal((db.prepare("SELECT judge FROM samples WHERE sample_id = 'q6'").get() as any).judge, null);
  assert.equal((db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as any).value, "5");
  db.close();

  // The same command with --no-retry-failed: nothing asked of either server, the same summary.
  const again = await kinema([...evalArgs(), "--no-retry-failed"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(model.requests.length, 6);
  assert.equal(judge.requests.length, 8);
  assert.deepEqual(JSON.parse(again.stdout), j);

  // One writer per run: while another kinema holds the run (an eval, another judge), `judge --run` refuses.
  const hash = (
    new DatabaseSync(join(runDir(), "kinema.db"), { readOnly: true })
      .prepare("SELECT config_hash FROM runs WHERE id = ?")
      .get(j.run) as any
  ).config_hash as string;
  const release = acquireLock(runLockPath(runDir(), hash), `run ${j.run}`);
  const busy = await kinema([
    ...["judge", "vcgpt-qa", "--run", j.run, "--run-dir", runDir()],
    ...["--judge", "openai:judge2", "--judge-base-url", judge.url, "--json"],
  ]);
  release();
  assert.notEqual(busy.code, 0);
  assert.match(busy.stderr, /is being written by another kinema \(pid \d+/);
  assert.equal(judge.requests.length, 8, "the refused judge asked nothing");

  // Another judge on the stored predictions: its own numbers, no model calls.
  const rj = await kinema([
    ...["judge", "vcgpt-qa", "--run", j.run, "--run-dir", runDir()],
    ...["--judge", "openai:judge2", "--judge-base-url", judge.url, "--json"],
  ]);
  assert.equal(rj.code, 0, rj.stderr);
  const k = JSON.parse(rj.stdout);
  assert.equal(k.accuracy, 0);
  assert.equal(k.average_score, 2);
  assert.equal(k.n, 5);
  assert.equal(k.no, 5);
  assert.equal(k.failed, 0);
  assert.equal(k.judge.servedModel, "judge2-0601");
  assert.deepEqual(
    k.load_issues.map((x: { id: string }) => x.id),
    ["q6"],
  );
  assert.equal(model.requests.length, 6);
  assert.equal(judge.requests.length, 8 + 5);

  // The explorer shows the latest judge's reply per sample.
  const src = openSqliteSource(runDir());
  try {
    const s = src.runSamples(j.run).find((x) => x.id === "q1")!;
    assert.equal(s.judge?.reply, "{'pred': 'no', 'score': 2}");
    assert.equal(s.judge?.score, 2);
  } finally {
    src.close();
  }
  // The first judge's numbers are still there: re-running eval with it asks nothing and prints them again.
  const third = await kinema([...evalArgs(), "--no-retry-failed"]);
  assert.equal(third.code, 0, third.stderr);
  assert.deepEqual(JSON.parse(third.stdout).judged, g);
  assert.equal(judge.requests.length, 13);
  // The same command (retrying failures is the default; --retry-failed says so) asks again only the failures: the model's q6 (fails again) and the judge's q5 (1 + 2 retries).
  const retry = await kinema([...evalArgs(), "--retry-failed"]);
  assert.equal(retry.code, 0, retry.stderr);
  assert.equal(model.requests.length, 7);
  assert.equal(judge.requests.length, 16);
  assert.deepEqual(JSON.parse(retry.stdout).judged, g);
});

test("videorefer-d on a synthetic videorefer set: set-of-mark frames, Bench-D judge, exact per-dimension means", async () => {
  const records = JSON.parse(readFileSync(join(vr, "VideoRefer-Bench-D.json"), "utf8")) as {
    id: number;
    caption: string;
    frame_idx: string;
  }[];
  assert.ok(records.length >= 3);
  const bad = records[0].caption;
  judge.setScript((req) => {
    const caption = /##Correct answer: (.*)\n/.exec(req.text)?.[1];
    if (caption === bad)
      return reply.answer(
        "1. Subject Correspondence: 1\nExplanation: x\n2. Appearance Description: 2\n3. Temporal Description: 1",
      );
    return reply.answer(
      "1. Subject Correspondence: 5\\nExplanation: ok\n2. Appearance Description: 4\n3. Temporal Description: 3\n4. Hallucination Detection: 2",
    );
  });
  const before = judge.requests.length;
  const dir = join(tmp, "runs-d");
  const r = await kinema([
    "eval",
    ...["--bench", `videorefer-d:${vr}`, "--model", "openai:loop", "--base-url", model.url],
    ...["--frames", "uniform:4", "--size", "96", "--prompt", "som-contour"],
    ...[
      "--judge",
      "openai:judge",
      "--judge-base-url",
      judge.url,
      "--run-dir",
      dir,
      "--no-progress",
      "--json",
    ],
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const n = records.length;
  assert.deepEqual(j.counts, { total: n, ok: n, failed: 0, unparsed: 0 });
  assert.equal(judge.requests.length - before, n);
  const g = j.judged;
  assert.equal(g.kind, "videorefer-d");
  assert.equal(g.n, n);
  assert.equal(g.unparsed, 1);
  assert.equal(g.failed, 0);
  assert.equal(g["Subject Correspondence"], (1 + 5 * (n - 1)) / n);
  assert.equal(g["Appearance Description"], (2 + 4 * (n - 1)) / n);
  assert.equal(g["Temporal Description"], (1 + 3 * (n - 1)) / n);
  assert.equal(g["Hallucination Detection"], 2);
  const four = [(1 + 5 * (n - 1)) / n, (2 + 4 * (n - 1)) / n, (1 + 3 * (n - 1)) / n, 2];
  assert.equal(g.Avg, four.reduce((a, b) => a + b, 0) / 4);
  // The judge saw the synthetic reference description and the model's description, in upstream's layout.
  const q = judge.requests.at(-1)!;
  assert.equal(q.body.messages[0].role, "system");
  assert.match(q.text, /^##Correct answer: .+\n##Predicted answer: A person walks to the left\.\n$/);
  // Frames: the annotated frame merged into uniform:4, marked (set-of-mark prompt).
  const samples = readFileSync(join(dir, j.run, "samples.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  for (const s of samples) {
    const rec = records.find((x) => String(x.id) === s.id)!;
    assert.ok(s.frame_indices.includes(Number(rec.frame_idx)), `${s.id} sends its annotated frame`);
    assert.equal(s.frame_indices.length, 4);
    assert.equal(typeof s.judge.reply, "string");
  }
  assert.match(samples[0].prompt, /^I have outlined an object with a red contour/);
});

test("caption-ref scores with the COCO caption metrics, no judge", async () => {
  const records = JSON.parse(readFileSync(join(vr, "VideoRefer-Bench-D.json"), "utf8")) as {
    id: number;
    video: string;
    caption: string;
  }[];
  writeFileSync(
    join(vr, "captions.json"),
    JSON.stringify({
      videos: records.map((x) => ({ id: String(x.id), video: join("videos", x.video) })),
      annotations: records.flatMap((x) => [
        { image_id: String(x.id), caption: x.caption },
        { image_id: String(x.id), caption: "A person walks to the left." },
      ]),
    }),
  );
  const dir = join(tmp, "runs-c");
  const r = await kinema([
    "eval",
    ...[
      "--bench",
      `caption-ref:${join(vr, "captions.json")}`,
      "--model",
      "openai:loop",
      "--base-url",
      model.url,
    ],
    ...["--frames", "uniform:2", "--size", "64", "--run-dir", dir, "--no-progress", "--json"],
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.judged, undefined);
  const want = captionMetrics({
    ids: records.map((x) => String(x.id)),
    refs: records.map((x) => [x.caption, "A person walks to the left."]),
    hyps: records.map(() => "A person walks to the left."),
  });
  for (const k of ["Bleu_1", "Bleu_4", "ROUGE_L", "CIDEr"]) assert.equal(j.caption[k], want[k as "CIDEr"], k);
  assert.equal(j.caption.METEOR, null);
  assert.equal(j.caption.n, records.length);
  assert.equal(j.caption.failed, 0);
});

test("vcgpt-gen: each set judged on its own metrics; consistency pairs in one call", async () => {
  const gen = join(tmp, "gen");
  mkdirSync(gen, { recursive: true });
  writeFileSync(
    join(gen, "generic_qa.json"),
    JSON.stringify([{ video_name: "v_a1", Q: "what is shown in q1", A: "a dog" }]),
  );
  writeFileSync(
    join(gen, "consistency_qa.json"),
    JSON.stringify([{ video_name: "v_a2", Q1: "what is shown in q2", Q2: "what colour in q3", A: "a bird" }]),
  );
  for (const v of ["v_a1", "v_a2"]) await testsrc(join(gen, `${v}.mp4`));
  // Score by judge system prompt: correctness 5, detail 4, context 3, consistency 2 (temporal would be 1).
  judge.setScript((req) => {
    const sys: string = req.body.messages[0].content;
    const score = /factual accuracy/.test(sys)
      ? 5
      : /detail orientation|level of detail/.test(sys)
        ? 4
        : /contextual/.test(sys)
          ? 3
          : /consistency/.test(sys)
            ? 2
            : 1;
    return reply.answer(`{'score': ${score}}`);
  });
  const before = judge.requests.length;
  const r = await kinema([
    "eval",
    ...[
      "--bench",
      `vcgpt-gen:${gen}`,
      "--model",
      "openai:loop",
      "--base-url",
      model.url,
      "--frames",
      "uniform:2",
    ],
    ...[
      "--judge",
      "openai:judge",
      "--judge-base-url",
      judge.url,
      "--run-dir",
      join(tmp, "runs-g"),
      "--no-progress",
      "--json",
    ],
  ]);
  assert.equal(r.code, 0, r.stderr);
  const g = JSON.parse(r.stdout).judged;
  assert.equal(judge.requests.length - before, 3 + 1);
  assert.deepEqual([g.correctness, g.detail, g.context, g.consistency, g.temporal], [5, 4, 3, 2, undefined]);
  assert.equal(g.n, 2);
  const pair = judge.requests.at(-1)!.text.includes("Question 1:")
    ? judge.requests.at(-1)!
    : judge.requests.find((q) => q.text.includes("Question 1:"))!;
  assert.match(pair.text, /Predicted Answer to Question 1: a cat\nPredicted Answer to Question 2: red\n/);
});

test("kill -9 while judging: the judgements committed before it are never asked again", async () => {
  const dir = join(tmp, "runs-k");
  judge.setScript((req) =>
    req.text.includes("Predicted Answer: running fast") && !req.text.includes("resume")
      ? reply.hang()
      : reply.answer("{'pred': 'yes', 'score': 3}"),
  );
  const args = evalArgs().map((a) => (a === runDir() ? dir : a));
  const before = judge.requests.length;
  const child = kinema(args);
  // Wait until four judgements are committed and q5's (hanging) request has reached the judge, then SIGKILL.
  const t0 = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    let n = 0;
    try {
      const db = new DatabaseSync(join(dir, "kinema.db"), { readOnly: true });
      n = (db.prepare("SELECT COUNT(*) AS n FROM judgements").get() as any).n;
      db.close();
    } catch {
      // not created yet
    }
    if (n >= 4 && judge.requests.length - before >= 5) break;
    assert.ok(Date.now() - t0 < 15_000, "judgements committed in time");
  }
  for (const c of children) c.kill("SIGKILL");
  await child;
  assert.equal(judge.requests.length - before, 5);
  judge.setScript(() => reply.answer("{'pred': 'no', 'score': 1}"));
  const modelBefore = model.requests.length;
  const r = await kinema([...args, "--no-retry-failed"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(model.requests.length, modelBefore, "no model call again");
  assert.equal(judge.requests.length - before, 6, "only q5 judged again");
  const g = JSON.parse(r.stdout).judged;
  assert.deepEqual([g.n, g.yes, g.no, g.failed, g.unparsed], [5, 4, 1, 0, 0]);
});
