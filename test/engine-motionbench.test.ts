// End to end: `kinema engine motionbench-qa` against a loopback OpenAI-compatible server with scripted replies
// (valid lists, invalid JSON then a re-ask, timeouts, wrong first-frame answers), kill -9 and resume,
// review, export, and `kinema eval --bench motionbench:DIR` on the export.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type LoopbackServer,
  type ReceivedRequest,
  reply,
  startLoopbackServer,
} from "../devkit/loopback-server.ts";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { openEngineStore } from "../src/store/engine.ts";
import { cliRunner } from "./helpers/cli.ts";

let dir = "";
const { kinema, children } = cliRunner(() => dir);

const CAPTIONS = {
  a: "A man raises his left hand twice, then waves to the camera. ALPHA",
  b: "A dog runs from left to right, then sits. BRAVO",
  c: "The camera pans left while a ball rolls away. CHARLIE",
};

const listA = JSON.stringify([
  {
    question: "What does the man do first? EASY",
    options: ["Raises his left hand", "Sits", "Jumps", "Turns"],
    answer: "A",
    category: "Action Order",
  },
  {
    question: "How many times does he raise his hand?",
    options: ["2", "3", "1", "4"],
    answer: "A",
    question_type: "RC",
  },
  {
    question: "Where does he wave?",
    options: ["A. To the camera", "B. To the camera"],
    answer: "A",
    category: "Motion Recognition",
  },
  {
    question: "How many times does he raise his hand?",
    options: ["2", "5"],
    answer: "A",
    category: "Repetition Count",
  },
  { question: "What does he wear?", options: ["Hat", "Scarf"], answer: "C", category: "Motion Recognition" },
]);
const listB = `\`\`\`json\n${JSON.stringify([
  {
    question: "Which way does the dog run?",
    options: ["Left to right", "Right to left", "Up", "Down"],
    answer: "Left to right",
    content_dimension: "3.2",
    question_logic_dimension: "1",
  },
  {
    question: "What does the dog do at the end? EASY",
    options: ["Sits", "Jumps", "Barks"],
    answer: "A",
    category: "Motion Recognition",
  },
])}\n\`\`\``;

function genScript(opts: { hangB?: boolean } = {}) {
  return (r: ReceivedRequest) => {
    const model = r.body?.model;
    if (model === "gen") {
      const all = JSON.stringify(r.body.messages);
      if (all.includes("ALPHA"))
        return reply.answer(listA, {
          usage: { prompt_tokens: 1000, completion_tokens: 300, total_tokens: 1300 },
        });
      if (all.includes("BRAVO")) {
        if (opts.hangB) return reply.hang();
        // First ask: not JSON; the re-ask (which carries the reason) gets a fenced valid list.
        if (r.text.includes("could not be used"))
          return reply.answer(listB, {
            usage: { prompt_tokens: 1200, completion_tokens: 200, total_tokens: 1400 },
          });
        return reply.answer("Sure! Here are the questions: [oops", {
          usage: { prompt_tokens: 900, completion_tokens: 20, total_tokens: 920 },
        });
      }
      if (all.includes("CHARLIE")) return reply.hang();
    }
    // Filter models: ff-right always says A (every right answer here is A); ff-easy is right only on EASY.
    if (model === "ff-right")
      return reply.answer("A", { usage: { prompt_tokens: 50, completion_tokens: 1, total_tokens: 51 } });
    if (model === "ff-easy")
      return reply.answer(r.text.includes("EASY") ? "A" : "B", {
        usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
      });
    return reply.status(400);
  };
}

let server: LoopbackServer;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "kinema-engine-"));
  makeMotionBenchFixture(join(dir, "fx"), [], 3);
  const lines = [
    JSON.stringify({ video_path: "v0.mp4", motion_caption: CAPTIONS.a }),
    "{not json",
    JSON.stringify({ video_path: "v1.mp4", motion_caption: CAPTIONS.b }),
    JSON.stringify({ video_path: "v1.mp4" }),
    JSON.stringify({ video_path: "missing.mp4", motion_caption: "x" }),
    JSON.stringify({ video_path: "v2.mp4", motion_caption: CAPTIONS.c }),
  ];
  writeFileSync(join(dir, "captions.jsonl"), `${lines.join("\n")}\n`);
  server = await startLoopbackServer({ script: genScript() });
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const args = (out: string) => [
  "engine",
  "motionbench-qa",
  "--captions",
  join(dir, "captions.jsonl"),
  "--videos",
  join(dir, "fx", "videos"),
  "--model",
  "openai:gen",
  "--filter-models",
  "openai:ff-right,openai:ff-easy",
  "--out",
  out,
  "--base-url",
  server.url,
  "--max-asks",
  "2",
  "--timeout-ms",
  "400",
  "--retries",
  "0",
  "--json",
];

describe("kinema engine motionbench-qa", () => {
  test("kill -9 mid-run, then the rerun re-asks no completed step and finishes", async () => {
    const out = join(dir, "run-kill");
    server.setScript(genScript({ hangB: true }));
    const before = server.requests.length;
    const run = kinema(args(out));
    // Wait until caption A's reply is stored and B's request is hanging, then kill -9.
    for (
      let i = 0;
      i < 200 &&
      !server.requests.slice(before).some((r) => JSON.stringify(r.body?.messages).includes("BRAVO"));
      i++
    )
      await new Promise((r) => setTimeout(r, 50));
    const child = [...children].at(-1)!;
    child.kill("SIGKILL");
    await run;
    const firstA = server.requests
      .slice(before)
      .filter((r) => r.body?.model === "gen" && JSON.stringify(r.body.messages).includes("ALPHA")).length;
    assert.equal(firstA, 1);
    const s0 = openEngineStore(out);
    assert.equal(s0.steps("generate").length, 1, "A's generation step was stored before the kill");
    s0.close();
    server.setScript(genScript());
    const mark = server.requests.length;
    const r = await kinema(args(out));
    assert.equal(r.code, 0, r.stderr);
    const again = server.requests.slice(mark);
    assert.equal(
      again.filter((q) => q.body?.model === "gen" && JSON.stringify(q.body.messages).includes("ALPHA"))
        .length,
      0,
      "A not re-asked",
    );
    const j = JSON.parse(r.stdout);
    assert.equal(j.reused, 1);
    // A third run asks nothing but the two timed-out (failed) generation steps of C.
    const mark2 = server.requests.length;
    const r3 = await kinema(args(out));
    assert.equal(r3.code, 0, r3.stderr);
    const third = server.requests.slice(mark2);
    assert.ok(
      third.every((q) => JSON.stringify(q.body.messages).includes("CHARLIE")),
      "only failed steps are asked again",
    );
    assert.equal(JSON.parse(r3.stdout).asked, 2);
  });

  test("stages, counted failures, report, review, export and eval of the export", async () => {
    const out = join(dir, "run");
    const r = await kinema(args(out));
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const rep = j.report;
    // Bad lines: not JSON, missing motion_caption, missing video; each with its line.
    assert.deepEqual(
      j.badLines.map((b: { line: number; field: string }) => [b.line, b.field]),
      [
        [2, ""],
        [4, "motion_caption"],
        [5, "video_path"],
      ],
    );
    assert.deepEqual(rep.stages.captions, { read: 3, badLines: 3 });
    const g = rep.stages.generate;
    // A: 1 ok; B: invalid then ok (fenced); C: 2 timeouts → given up.
    assert.equal(g.requests, 5);
    assert.equal(g.ok, 2);
    assert.equal(g.invalid, 1);
    assert.equal(g.failed, 2);
    assert.equal(g.fenced, 1);
    assert.equal(g.captionsGivenUp, 1);
    // A: 2 valid (dup options, dup question, answer C not among 2 options rejected); B: 2 valid.
    assert.equal(g.questionsValid, 4);
    assert.equal(g.questionsRejected, 3);
    assert.equal(rep.reasons.questions["duplicate options"], 1);
    assert.equal(rep.reasons.questions["duplicate question"], 1);
    assert.equal(rep.reasons.questions["answer C is not among the 2 options"], 1);
    assert.equal(rep.reasons.generate["failed: timeout"], 2);
    assert.equal(rep.reasons.generate["invalid: not JSON"], 1);
    // Filter: the two EASY questions are answered right by both → dropped.
    assert.equal(rep.stages.filter.dropped, 2);
    assert.equal(rep.stages.filter.kept, 2);
    assert.equal(rep.stages.filter.requests, 8);
    assert.deepEqual(rep.filterModels["openai:ff-right"], { answered: 4, right: 4, failed: 0 });
    assert.deepEqual(rep.filterModels["openai:ff-easy"], { answered: 4, right: 2, failed: 0 });
    assert.equal(rep.tokens.generate.totalTokens, 1300 + 920 + 1400);
    assert.equal(rep.tokens.filter.totalTokens, 4 * 51 + 4 * 10);
    assert.equal(rep.kept.questions, 2);
    assert.deepEqual(rep.kept.perCategory, { "Repetition Count": 1, "Location-related Motion": 1 });
    assert.ok(rep.kept.heuristics.longest);
    // The generation request carried the verbatim prompt as the system message.
    const genReq = server.requests.find((q) => q.body?.model === "gen")!;
    assert.equal(
      genReq.body.messages[0].content,
      readFileSync(join(import.meta.dirname, "..", "src", "engine", "motionbench-qa.prompt.txt"), "utf8"),
    );
    // First-frame requests carry exactly one image.
    assert.ok(server.requests.filter((q) => q.body?.model === "ff-right").every((q) => q.images === 1));

    // Review: accept one, reject the other; export holds exactly the accepted one.
    const s = openEngineStore(out);
    const kept = s
      .items()
      .filter((i) => i.state === "kept")
      .map((i) => i.id);
    s.close();
    assert.equal(kept.length, 2);
    const rv = await kinema([
      "engine",
      "review",
      "--run",
      out,
      "--reviewer",
      "ann",
      "--accept",
      kept[0],
      "--reject",
      kept[1],
    ]);
    assert.equal(rv.code, 0, rv.stderr);
    const ex = await kinema(["engine", "export", "--run", out, "--out", join(dir, "bench"), "--json"]);
    assert.equal(ex.code, 0, ex.stderr);
    assert.deepEqual(JSON.parse(ex.stdout).uids, [kept[0]]);
    const meta = readFileSync(join(dir, "bench", "video_info.meta.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(meta.length, 1);
    assert.equal(meta[0].qa[0].uid, kept[0]);
    assert.match(meta[0].qa[0].question, /\nA\. 2\nB\. 3\nC\. 1\nD\. 4$/);
    assert.equal(meta[0].qa[0].answer, "A");
    assert.equal(meta[0].question_type, "Repetition Count");
    assert.equal(meta[0].video_info.resolution.width, 64);
    const ev = await kinema([
      "eval",
      "--bench",
      `motionbench:${join(dir, "bench")}`,
      "--model",
      "random:0",
      "--run-dir",
      join(dir, "runs"),
      "--json",
    ]);
    assert.equal(ev.code, 0, ev.stderr);
    const evj = JSON.parse(ev.stdout);
    assert.equal(evj.counts.total, 1);
    assert.equal(evj.counts.ok, 1);
    assert.deepEqual(Object.keys(evj.categories), ["Repetition Count"]);
  });
});
