// Judge tests against a loopback OpenAI-compatible server with scripted replies: upstream parsing (Python
// dicts, int() truncation, substring yes/no, Bench-D regex), strict accounting of malformed/empty replies,
// timeouts and 429s, exact aggregates, K samples, the reply cache, and the `kinema judge` command.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { type LoopbackServer, type Reply, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { judgeCommand } from "../src/cli/commands/judge.ts";
import {
  type BenchDAggregate,
  type GenAggregate,
  judgeMessages,
  judgeRun,
  openJudgeCache,
  type QaAggregate,
  VCGPT_PROMPTS,
  VIDEOREFER_D_SYSTEM,
} from "../src/judge/index.ts";
import { createAdapter } from "../src/models/index.ts";

const ROOT = new URL("..", import.meta.url).pathname;
let server: LoopbackServer;
let dir: string;
const FAST = { retry: { retries: 1, baseMs: 1, capMs: 5 }, timeoutMs: 400 };

before(async () => {
  server = await startLoopbackServer();
  dir = mkdtempSync(join(tmpdir(), "kinema-judge-"));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in a child process without blocking this process's event loop (the server runs here). */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ["src/cli/main.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, OPENAI_API_KEY: "sk-test-never-logged" },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === "number" ? x.code : -1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

const judge = () => createAdapter("openai:gpt-3.5-turbo", { baseUrl: server.url, env: {} });
const SNAPSHOT = "gpt-3.5-turbo-0613";
const answer = (text: string): Reply => reply.answer(text, { model: SNAPSHOT });

// One QA item per behaviour; the script answers by the prediction text in the user message.
const QA: [string, (attempt: number) => Reply][] = [
  ["p01 plain", () => answer("{'pred': 'yes', 'score': 4}")],
  ["p02 float score", () => answer("{'pred': 'no', 'score': 4.8}")],
  ["p03 Yes. and string score", () => answer("{'pred': 'Yes.', 'score': '3'}")],
  ["p04 string float score", () => answer("{'pred': 'no', 'score': '4.8'}")],
  ["p05 malformed dict", () => answer("{'pred': 'yes', 'score': 5")],
  ["p06 empty reply", () => answer("")],
  ["p07 always 429", () => reply.status(429, "0")],
  ["p08 timeout", () => reply.hang()],
  ["p09 JSON-style dict", () => answer('{"pred": "no", "score": 2}')],
  ["p10 neither yes nor no", () => answer("{'pred': 'maybe', 'score': 1}")],
  ["p11 429 then answer", (a) => (a === 1 ? reply.status(429, "0") : answer("{'pred': 'yes', 'score': 5}"))],
  ["p12 capital No", () => answer("{'pred': 'No', 'score': 0}")],
  ["p13 prose around the dict", () => answer("Here you go: {'pred': 'yes', 'score': 5}")],
];
const qaItems = QA.map(([pred], i) => ({
  id: `v${i}`,
  question: `question ${i}?`,
  answer: `answer ${i}`,
  pred,
}));
const qaScript = (req: { text: string; attempt: number }) => {
  const hit = QA.find(([p]) => req.text.includes(`Predicted Answer: ${p}\n`));
  return hit ? hit[1](req.attempt) : reply.status(500);
};

test("vcgpt-qa: upstream parsing, strict accounting and exact aggregates", async () => {
  server.setScript(qaScript);
  const cache = openJudgeCache(join(dir, "qa-cache.sqlite"));
  const before = server.requests.length;
  const r = await judgeRun("vcgpt-qa", qaItems, await judge(), { ...FAST, cache, concurrency: 3 });
  const a = r.aggregate as QaAggregate;
  // parsed dicts: p01 p02 p03 p04 p09 p10 p11 p12 → count 8; scores 4+4+3+0+2+1+5+0 (p04 counts with 0)
  assert.equal(a.judged, 8);
  assert.equal(a.average_score, 19 / 8);
  assert.equal(a.yes, 3); // p01, p03 ("Yes."), p11
  assert.equal(a.no, 3); // p02, p09, p12 ("No")
  assert.equal(a.accuracy, 0.5);
  assert.equal(a.n, 13);
  assert.equal(a.failed, 2); // p07 (429 after 1 retry), p08 (timeout twice)
  assert.equal(a.unparsed, 3); // p05 malformed, p06 empty, p13 prose
  assert.equal(a.bad_score, 1); // p04: int('4.8') raises
  assert.equal(a.neither, 1); // p10
  assert.deepEqual(
    a.failed_items.map((x) => [x.id, (x as { error?: { code: string } }).error?.code]),
    [
      ["v6", "rate_limited"],
      ["v7", "timeout"],
    ],
  );
  assert.deepEqual(
    a.unparsed_items.map((x) => x.id),
    ["v4", "v5", "v12"],
  );
  assert.equal(a.unparsed_items[1].reply, "");
  // bounded retries: p07 asked twice, p08 twice, p11 twice (429 then ok), the rest once
  assert.equal(server.requests.length - before, 13 + 3);
  const p11 = r.judgements.find((j) => j.id === "v10")!;
  assert.equal(p11.attempts, 2);
  // every judgement records the judge
  for (const j of r.judgements.filter((x) => x.status !== "failed")) {
    assert.equal(j.judge.spec, "openai:gpt-3.5-turbo");
    assert.equal(j.judge.servedModel, SNAPSHOT);
    assert.equal(j.judge.temperature, null);
    assert.equal(j.judge.seed, null);
    assert.match(j.judge.promptSha256, /^[0-9a-f]{64}$/);
  }
  assert.equal(r.judge.servedModel, SNAPSHOT);
  assert.deepEqual(r.judge.servedModels, [SNAPSHOT]);
  // the exact upstream messages; no temperature sent by default (upstream used the API default)
  const req = server.requests.find((q) => q.text.includes("p01 plain"))!;
  assert.equal(req.body.model, "gpt-3.5-turbo");
  assert.equal(req.body.temperature, undefined);
  assert.equal(req.body.messages[0].content, VCGPT_PROMPTS.open_ended_qa.system);
  assert.equal(
    req.body.messages[1].content,
    VCGPT_PROMPTS.open_ended_qa.user
      .replace("{question}", "question 0?")
      .replace("{answer}", "answer 0")
      .replace("{pred}", "p01 plain"),
  );

  // second pass with the same cache: answered calls come from the cache, failures are asked again
  const before2 = server.requests.length;
  const r2 = await judgeRun("vcgpt-qa", qaItems, await judge(), { ...FAST, cache });
  assert.deepEqual(r2.aggregate, { ...a });
  assert.equal(server.requests.length - before2, 4); // p07 ×2, p08 ×2
  assert.equal(r2.judgements.filter((j) => j.cached).length, 11);
  cache.close();
});

test("vcgpt-qa: --judge-samples K averages K upstream-style runs; seed k = seed + k", async () => {
  server.setScript((req) =>
    req.body.seed === 10 ? answer("{'pred': 'yes', 'score': 5}") : answer("{'pred': 'no', 'score': 1}"),
  );
  const items = qaItems.slice(0, 3);
  const r = await judgeRun("vcgpt-qa", items, await judge(), {
    ...FAST,
    samples: 2,
    seed: 10,
    temperature: 0,
  });
  const a = r.aggregate as QaAggregate;
  assert.equal(a.samples, 2);
  assert.deepEqual(
    a.runs!.map((x) => [x.accuracy, x.average_score]),
    [
      [1, 5],
      [0, 1],
    ],
  );
  assert.equal(a.accuracy, 0.5);
  assert.equal(a.average_score, 3);
  assert.equal(a.yes + a.no, 6);
  const seeds = server.requests.slice(-6).map((q) => q.body.seed);
  assert.deepEqual([...seeds].sort(), [10, 10, 10, 11, 11, 11]);
  assert.ok(server.requests.slice(-6).every((q) => q.body.temperature === 0));
  assert.ok(r.judgements.every((j) => j.judge.temperature === 0));
});

test("vcgpt-gen: five metrics, consistency judged in one call with both predictions", async () => {
  const items = [
    { id: "a", question: "What happens?", answer: "A man runs.", pred: "gen-1" },
    { id: "b", question: "Who is there?", answer: "A dog.", pred: "gen-2" },
  ];
  const cons = [
    {
      id: "c",
      question1: "What does he do?",
      question2: "What is he doing?",
      answer: "Runs.",
      pred1: "c-1",
      pred2: "c-2",
    },
  ];
  server.setScript((req) => {
    const sys: string = req.body.messages[0].content;
    if (sys === VCGPT_PROMPTS.consistency.system) return answer("{'score': 2}");
    if (sys === VCGPT_PROMPTS.correctness.system)
      return answer(req.text.includes("gen-1") ? "{'score': 4.8}" : "{'score': 3}");
    if (sys === VCGPT_PROMPTS.detail.system)
      return answer(req.text.includes("gen-1") ? "{''score': 3}" : "{'score': '2'}");
    if (sys === VCGPT_PROMPTS.context.system) return answer("{'score': 5}");
    if (sys === VCGPT_PROMPTS.temporal.system)
      return req.text.includes("gen-1") ? reply.status(400) : answer("{'score': 1}");
    return reply.status(500);
  });
  const r = await judgeRun("vcgpt-gen", [...items, ...cons], await judge(), {
    ...FAST,
    metrics: ["correctness", "detail", "context", "temporal", "consistency"],
  });
  const a = r.aggregate as GenAggregate;
  assert.equal(a.correctness, (4 + 3) / 2); // int(4.8) = 4
  assert.equal(a.detail, 2); // "{''score': 3}" (the prompt's own typo) is unparsed; '2' → 2
  assert.equal(a.context, 5);
  assert.equal(a.temporal, 1); // the 400 is a failure, not a zero
  assert.equal(a.consistency, 2);
  assert.equal(a.n, 3);
  assert.equal(a.failed, 1);
  assert.equal(a.unparsed, 1);
  assert.equal(a.per_metric.temporal.failed, 1);
  assert.equal(a.per_metric.detail.unparsed, 1);
  const consReq = server.requests.filter(
    (q) => q.body.messages[0].content === VCGPT_PROMPTS.consistency.system,
  );
  assert.equal(consReq.length, 1);
  assert.equal(consReq[0].body.messages[1].content, judgeMessages("consistency", cons[0]).user);
  assert.match(consReq[0].text, /Question 1: What does he do\?\nQuestion 2: What is he doing\?\n/);
  assert.match(consReq[0].text, /Predicted Answer to Question 1: c-1\nPredicted Answer to Question 2: c-2\n/);
});

test("videorefer-d: upstream regex, per-dimension means over parsed items, Avg of the four", async () => {
  const full = (s: number[]) =>
    `1. Subject Correspondence: ${s[0]}\nExplanation: ok\n2. Appearance Description: ${s[1]}\nExplanation: ok\n3. Temporal Description: ${s[2]}\nExplanation: ok\n4. Hallucination Detection: ${s[3]}\nExplanation: ok`;
  const replies: Record<string, Reply> = {
    "d-1": answer(full([5, 4, 3, 2])),
    "d-2": answer(full([3, 2, 1, 4])),
    // bold names do not match the regex's dimension names: only Temporal parses
    "d-3": answer(
      "1. **Subject Correspondence**: 5\n2. **Appearance Description**: 5\n3. Temporal Description: 5.\n4. **Hallucination Detection**: 5",
    ),
    "d-4": answer("The description is accurate."),
    "d-5": reply.status(503),
  };
  server.setScript((req) => {
    const k = Object.keys(replies).find((p) => req.text.includes(`##Predicted answer: ${p}\n`));
    return k ? replies[k] : reply.status(500);
  });
  const items = Object.keys(replies).map((p, i) => ({ id: String(i), caption: `caption ${i}`, pred: p }));
  const r = await judgeRun("videorefer-d", items, await judge(), FAST);
  const a = r.aggregate as BenchDAggregate;
  assert.equal(a["Subject Correspondence"], 4);
  assert.equal(a["Appearance Description"], 3);
  assert.equal(a["Temporal Description"], (3 + 1 + 5) / 3);
  assert.equal(a["Hallucination Detection"], 3);
  assert.equal(a.Avg, (4 + 3 + 3 + 3) / 4);
  assert.equal(a.n, 5);
  assert.equal(a.unparsed, 2); // d-3 (three dimensions missing), d-4 (all)
  assert.equal(a.failed, 1);
  assert.deepEqual(a.unparsed_items.find((x) => x.id === "2")?.missing, [
    "Subject Correspondence",
    "Appearance Description",
    "Hallucination Detection",
  ]);
  const req = server.requests.find((q) => q.text.includes("d-1"))!;
  assert.equal(req.body.messages[0].content, VIDEOREFER_D_SYSTEM);
  assert.equal(req.body.messages[1].content, "##Correct answer: caption 0\n##Predicted answer: d-1\n");
});

test("kinema judge: JSONL file in, upstream-shaped JSON out; bad records listed; process exit", async () => {
  server.setScript(qaScript);
  const pred = join(dir, "preds.jsonl");
  const lines = qaItems
    .slice(0, 4)
    .map((x) => JSON.stringify({ id: "vid", question: x.question, answer: x.answer, pred: x.pred }));
  lines.splice(
    2,
    0,
    '{"id": "broken", "question": "q"',
    JSON.stringify({ id: "x", question: "q", answer: "a" }),
  );
  writeFileSync(pred, `${lines.join("\n")}\n`);
  const r = await judgeCommand(
    "vcgpt-qa",
    { pred, judge: "openai:gpt-3.5-turbo", judgeBaseUrl: server.url, ...{ retries: 0 } },
    {},
  );
  for (const k of ["accuracy", "average_score", "n", "yes", "no", "failed", "unparsed"]) assert.ok(k in r, k);
  assert.equal(r.n, 4);
  assert.equal(r.yes, 2);
  assert.equal(r.no, 1);
  assert.equal(r.average_score, (4 + 4 + 3 + 0) / 4);
  assert.deepEqual(
    r.load_issues.map((x) => [x.line, x.field ?? null]),
    [
      [3, null],
      [4, "pred"],
    ],
  );
  // the cache file beside the predictions holds the answered calls
  const cache = openJudgeCache(join(dir, "judge-cache.sqlite"));
  cache.close();

  // the real CLI entry, as a user runs it (async: the loopback server lives in this process), no cache
  const out = join(dir, "judgements.jsonl");
  const before = server.requests.length;
  const cli = await run([
    "judge",
    "vcgpt-qa",
    "--pred",
    pred,
    "--judge",
    "openai:gpt-3.5-turbo",
    "--judge-base-url",
    server.url,
    "--no-cache",
    "--out",
    out,
    "--json",
  ]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(server.requests.length - before, 4);
  assert.equal(server.requests.at(-1)!.headers.authorization, "Bearer sk-test-never-logged");
  const j = JSON.parse(cli.stdout);
  assert.equal(j.accuracy, 2 / 3);
  assert.equal(j.judge.servedModel, SNAPSHOT);
  assert.ok(!cli.stdout.includes("sk-test-never-logged"));
  assert.ok(!readFileSync(out, "utf8").includes("sk-test-never-logged"));
  assert.equal(readFileSync(out, "utf8").trim().split("\n").length, 4);
  const bad = await run(["judge", "nope", "--pred", pred, "--judge", "openai:x"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown judge kind/);
});

test("kinema judge --run: re-judges a stored run's answers with no model calls to the evaluated model", async () => {
  const { openStore } = await import("../src/store/index.ts");
  const runDir = join(dir, "runs");
  const store = openStore(runDir);
  store.createRun({
    id: "gen-run",
    configHash: "h",
    benchmark: "vcgpt-gen",
    benchSpec: "x",
    model: "m",
    config: {},
  });
  const rows = [
    ["consistency/v_2_1/q1", "What is he doing?", "c-1"],
    ["consistency/v_2_1/q2", "Which activity is shown?", "c-2"],
    ["generic/v_1_1", "Describe it.", null],
  ] as const;
  store.addSamples(
    "gen-run",
    rows.map(([id, q], idx) => ({
      sampleId: id,
      idx,
      videoId: "v",
      category: "c",
      answer: "Skating.",
      question: q,
      options: [],
      video: { path: "/x.mp4" },
    })),
  );
  for (const [id, , raw] of rows)
    if (raw) store.recordResult("gen-run", id, { status: "ok", raw, parsed: raw });
    else store.recordResult("gen-run", id, { status: "failed", error: { code: "timeout", message: "t" } });
  store.close();
  server.setScript(() => answer("{'score': 4}"));
  const before = server.requests.length;
  const r = await judgeCommand(
    "vcgpt-gen",
    {
      run: "gen-run",
      runDir,
      judge: "openai:gpt-3.5-turbo",
      judgeBaseUrl: server.url,
      metrics: "consistency",
    },
    {},
  );
  assert.equal(server.requests.length - before, 1); // the pair is one judge call
  assert.equal(r.consistency, 4);
  assert.deepEqual(
    r.load_issues.map((x) => x.id),
    ["generic/v_1_1"],
  );
  assert.match(
    server.requests.at(-1)!.text,
    /Predicted Answer to Question 1: c-1\nPredicted Answer to Question 2: c-2/,
  );
});
