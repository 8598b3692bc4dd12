// `kinema eval` end to end on MVBench, Video-MME, LVBench, Perception Test and TempCompass fixtures in their
// published layouts against the loopback OpenAI-compatible server; each run lands in the explorer's
// leaderboard with its own categories; `kinema score` reads the official scripts' input formats.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { createExplorer } from "../src/analysis/explorer.ts";
import { openSqliteSource } from "../src/analysis/source-sqlite.ts";
import { cliRunner } from "./helpers/cli.ts";
import {
  makeLvbenchFixture,
  makeMvbenchFixture,
  makePerceptionTestFixture,
  makeTempCompassFixture,
  makeVideoMmeFixture,
} from "./helpers/general-fixtures.ts";

let tmp: string;
let server: LoopbackServer;
const { kinema, children } = cliRunner(() => tmp);
const runDir = () => join(tmp, "runs");

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-general-"));
  makeMvbenchFixture(join(tmp, "mvbench"));
  makeVideoMmeFixture(join(tmp, "videomme"));
  makeLvbenchFixture(join(tmp, "lvbench"));
  makePerceptionTestFixture(join(tmp, "ptest"));
  makeTempCompassFixture(join(tmp, "tempcompass"));
  server = await startLoopbackServer({
    script: (req) => {
      const t = req.text;
      // the TempCompass judge (system "You are an AI assistant for question answering.")
      if (t.includes("Ground-Truth Answer: A. left to right")) return reply.answer("Correct");
      if (t.includes("Ground-Truth Answer:")) return reply.answer("Incorrect");
      if (t.includes("What happened after the person took the towel?"))
        return reply.answer("B) Opened the door.");
      if (t.includes("Why is Castle smiling?")) return reply.answer("");
      if (t.includes("How many apples?")) return reply.answer("Best option: C");
      if (t.includes("What is the genre?")) return reply.answer("A");
      if (t.includes("What colour is the car?")) return reply.answer("(B) green");
      if (t.includes("What did the person pick up?")) return reply.answer("B");
      if (t.includes("What is the man doing in the video?")) return reply.answer("A");
      if (t.includes("Which direction is the man moving?")) return reply.answer("it goes left to right");
      if (t.includes("Is the man dunking?")) return reply.answer("Yes.");
      if (t.includes("Which caption matches")) return reply.answer("Caption B");
      return reply.answer("B");
    },
  });
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function evalJson(bench: string, extra: string[] = []) {
  const from = server.requests.length;
  const r = await kinema([
    "eval",
    ...["--bench", bench, "--model", "openai:loop", "--base-url", server.url],
    ...["--run-dir", runDir(), "--no-progress", "--json", ...extra],
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // summary.json holds the --json object plus the upstream scorer's own numbers
  const summary = JSON.parse(readFileSync(join(runDir(), j.run, "summary.json"), "utf8"));
  return { j: { ...j, official: summary.official }, requests: server.requests.slice(from) };
}

test("mvbench: official prompt with the 'Best option:(' prefill, get_index frames, per-task official numbers", async () => {
  const { j, requests } = await evalJson(`mvbench:${join(tmp, "mvbench")}`);
  assert.equal(j.benchmark, "mvbench");
  assert.equal(requests.length, 4);
  const msgs = requests[0].body.messages;
  assert.deepEqual(msgs.at(-1), { role: "assistant", content: "Best option:(" });
  assert.equal(requests[0].images, 16);
  // action_sequence/0 right ("(B)"), /1 "B" → "(B" vs "(c)": wrong; pose "(B" right; TVQA "" → "(" right
  assert.deepEqual(j.official, {
    "Action Sequence": 50,
    "Fine-grained Pose": 100,
    "Episodic Reasoning": 100,
    Avg: 75,
  });
  assert.deepEqual(Object.keys(j.categories), ["Action Sequence", "Fine-grained Pose", "Episodic Reasoning"]);
});

test("videomme: parquet layout, official-subs prompt carries the subtitles at the sent frames", async () => {
  const { j, requests } = await evalJson(`videomme:${join(tmp, "videomme")}`, [
    "--prompt",
    "official-subs",
    "--frames",
    "uniform:4",
  ]);
  assert.equal(j.benchmark, "videomme");
  assert.equal(requests.length, 3);
  const apples = requests.find((r) => r.text.includes("How many apples?"))!;
  // uniform:4 over 32 frames at 8 fps: 0, 10, 20, 31; lines cover frames [0, 8), [8, 20), [24, 31) —
  // frame 31 (3.875 s) is past int(3.9 · 8) = 31, so "see you" is not shown
  assert.match(
    apples.text,
    /^This video's subtitles are listed below:\nHi guys, welcome\nto the kitchen\nSelect the best answer/,
  );
  const off = j.official as Record<string, { Overall: number }>;
  assert.equal(off.short.Overall, 50); // "Best option: C" → "B" (the script's missing commas)
  assert.equal(off.medium.Overall, 100);
  assert.deepEqual(Object.keys(j.categories), ["short", "medium"]);
});

test("lvbench and perception-test: published layouts end to end, official blocks", async () => {
  const lv = await evalJson(`lvbench:${join(tmp, "lvbench")}`, ["--frames", "uniform:4"]);
  assert.equal(lv.requests.length, 2);
  assert.match(lv.requests[0].text, /\n\(D\) white\nAnswer the question with the option letter$/);
  // car: "(B) green" → B right; sky: "B" vs C wrong; the car counts under both of its question types
  assert.deepEqual(lv.j.official, {
    "entity recognition": 1,
    "key information retrieval": 1,
    reasoning: 0,
    acc: 0.5,
  });
  const pt = await evalJson(`perception-test:${join(tmp, "ptest")}`, ["--frames", "uniform:4"]);
  assert.equal(pt.requests.length, 2);
  assert.deepEqual(pt.j.official, { accuracy: 0.5 });
  assert.deepEqual(Object.keys(pt.j.categories), ["Memory", "Semantics"]);
});

test("tempcompass: three tasks end to end; rule-only official block; conflicting videos in the records", async () => {
  const { j, requests } = await evalJson(`tempcompass:${join(tmp, "tempcompass")}`, [
    "--frames",
    "uniform:4",
  ]);
  assert.equal(requests.length, 5);
  assert.ok(requests.some((r) => r.text.endsWith("\nPlease answer yes or no:")));
  assert.equal(j.counts.unparsed, 2); // "it goes left to right" twice: no rule matches
  const off = j.official as Record<string, Record<string, unknown>>;
  assert.equal(off.disable_llm as unknown, true);
  assert.equal(off["multi-choice"].avg, 33.3);
  const recs = readFileSync(join(runDir(), j.run, "samples.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.ok(recs.length === 5);
});

test("every run is in the explorer's leaderboard with its benchmark's own categories", () => {
  const ex = createExplorer(openSqliteSource(runDir()));
  assert.deepEqual(ex.leaderboard("mvbench").categories, [
    "Action Sequence",
    "Episodic Reasoning",
    "Fine-grained Pose",
  ]);
  assert.deepEqual(ex.leaderboard("videomme").categories, ["medium", "short"]);
  assert.equal(ex.leaderboard("videomme").rows.length, 1);
  assert.deepEqual(ex.leaderboard("lvbench").categories, ["entity recognition", "reasoning"]);
  assert.deepEqual(ex.leaderboard("perception-test").categories, ["Memory", "Semantics"]);
  assert.deepEqual(ex.leaderboard("tempcompass").categories, ["action", "direction"]);
});

test("kinema score mvbench / videomme on the official scripts' input formats", async () => {
  const nb = join(tmp, "mvbench-results.json");
  writeFileSync(
    nb,
    JSON.stringify({
      acc_dict: { "Action Sequence": [1, 2], "Fine-grained Pose": [1, 1] },
      res_list: [
        { pred: "(B) x", gt: "(B) Opened the door." },
        { pred: "(A", gt: "(C) Ran." },
        { pred: "(", gt: "(B) stand up" },
      ],
    }),
  );
  const m = await kinema(["score", "mvbench", "--pred", nb, "--json"]);
  assert.equal(m.code, 0, m.stderr);
  assert.deepEqual(JSON.parse(m.stdout), {
    "Action Sequence": 50,
    "Fine-grained Pose": 100,
    Avg: (2 / 3) * 100,
  });
  const fx = JSON.parse(
    readFileSync(new URL("../src/benchmarks/videomme/official.fixture.json", import.meta.url), "utf8"),
  );
  const res = join(tmp, "videomme-results.json");
  writeFileSync(res, JSON.stringify(fx.results));
  const flags = ["--categories", "--sub-categories", "--task-types", "--skip-missing"];
  const v = await kinema(["score", "videomme", "--pred", res, ...flags]);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout, fx.stdout.all_flags);
  const vj = await kinema(["score", "videomme", "--pred", res, "--skip-missing", "--json"]);
  assert.deepEqual(Object.keys(JSON.parse(vj.stdout)), ["short", "medium", "long", "entire"]);
});

test("kinema score lvbench / perception-test on the upstream answer files", async () => {
  const ans = join(tmp, "lv-answers.json");
  writeFileSync(ans, JSON.stringify({ "0": "(B) green", "1": "c" }));
  const meta = join(tmp, "lvbench", "video_info.meta.jsonl");
  const raw = await kinema(["score", "lvbench", "--meta", meta, "--pred", ans, "--json"]);
  assert.equal(raw.code, 0, raw.stderr);
  assert.deepEqual(JSON.parse(raw.stdout), {
    "entity recognition": 0,
    "key information retrieval": 0,
    reasoning: 0,
    acc: 0,
  });
  const pol = await kinema([
    "score",
    "lvbench",
    "--meta",
    meta,
    "--pred",
    ans,
    "--polish",
    "--leaderboard",
    "--json",
  ]);
  assert.deepEqual(JSON.parse(pol.stdout), { ER: 1, KIR: 1, Rea: 0, Overall: 0.5 });
  const sub = join(tmp, "pt-results.json");
  writeFileSync(sub, JSON.stringify({ video_10909: [{ id: 0, answer_id: 1 }] }));
  const p = await kinema([
    "score",
    "perception-test",
    "--annotations",
    join(tmp, "ptest"),
    "--pred",
    sub,
    "--json",
  ]);
  assert.equal(p.code, 0, p.stderr);
  const pj = JSON.parse(p.stdout);
  assert.equal(pj.top1, 0.5);
  assert.deepEqual(pj.area, { Memory: 1, Semantics: 0 });
  assert.match(p.stderr, /answer_id/); // the fixture's broken question is reported
});

test("kinema score tempcompass: rules, then the loopback judge for unmatched replies, judge recorded", async () => {
  const preds = join(tmp, "tc-mc.json");
  writeFileSync(
    preds,
    JSON.stringify({
      "1034419625": {
        action: [
          {
            question:
              "What is the man doing in the video?\nA. dunking a basketball\nB. dribbling a basketball\nC. passing a basketball",
            answer: "A. dunking a basketball",
            prediction: "A",
          },
        ],
        direction: [
          {
            question: "Which direction is the man moving?\nA. left to right\nB. right to left",
            answer: "A. left to right",
            prediction: "it goes left to right",
          },
        ],
      },
    }),
  );
  const meta = join(tmp, "tempcompass", "meta_info.json");
  const off = await kinema([
    "score",
    "tempcompass",
    "--task",
    "multi-choice",
    "--pred",
    preds,
    "--meta",
    meta,
    "--json",
  ]);
  assert.equal(off.code, 0, off.stderr);
  assert.equal(JSON.parse(off.stdout).result.aspects.avg, 50);
  const from = server.requests.length;
  const out = join(tmp, "tc-eval.json");
  const r = await kinema([
    "score",
    "tempcompass",
    "--task",
    "multi-choice",
    "--pred",
    preds,
    "--meta",
    meta,
    "--judge",
    "openai:judge",
    "--judge-base-url",
    server.url,
    "--out",
    out,
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.result.aspects.avg, 100);
  assert.equal(j.result.matchRate, 50);
  assert.equal(j.judge.spec, "openai:judge");
  assert.equal(j.judge.calls, 1);
  const sent = server.requests.slice(from);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].body.messages[0].content, "You are an AI assistant for question answering.");
  assert.equal(sent[0].body.temperature, 1);
  const written = JSON.parse(readFileSync(out, "utf8"));
  assert.equal(written["1034419625"].direction[0]["chatgpt-response"], "Correct");
});

test("several --bench in one call: one run each (cached answers reused), one summary table; a bad spec is a row", async () => {
  const r = await kinema([
    "eval",
    ...["--bench", `lvbench:${join(tmp, "lvbench")}`, "--bench", `perception-test:${join(tmp, "ptest")}`],
    ...["--bench", `lvbench:${join(tmp, "nope")}`, "--frames", "uniform:4"],
    ...["--model", "openai:loop", "--base-url", server.url, "--run-dir", runDir(), "--no-progress"],
  ]);
  assert.equal(r.code, 1, r.stderr); // the missing folder
  const lines = r.stdout
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("--"));
  assert.match(lines[0], /^benchmark\s+model\s+accuracy/);
  assert.match(lines[1], /^lvbench\s+openai:loop\s+50\.0%/);
  assert.match(lines[2], /^perception-test\s+openai:loop\s+50\.0%/);
  assert.match(lines[3], /error/);
  const j = await kinema([
    "eval",
    ...["--bench", `lvbench:${join(tmp, "lvbench")}`, "--bench", `perception-test:${join(tmp, "ptest")}`],
    ...[
      "--frames",
      "uniform:4",
      "--model",
      "openai:loop",
      "--base-url",
      server.url,
      "--run-dir",
      runDir(),
      "--no-progress",
      "--json",
    ],
  ]);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(
    JSON.parse(j.stdout).map((x: { benchmark: string }) => x.benchmark),
    ["lvbench", "perception-test"],
  );
  const b = await kinema(["benchmarks", "--json"]);
  const names = JSON.parse(b.stdout).map((x: { name: string }) => x.name);
  for (const n of [
    "motionbench",
    "videorefer-q",
    "mvbench",
    "videomme",
    "lvbench",
    "perception-test",
    "tempcompass",
  ])
    assert.ok(names.includes(n), n);
});
