// `kinema eval` end to end on MVBench, Video-MME, LVBench, Perception Test and TempCompass fixtures in their
// published layouts against the loopback OpenAI-compatible server; each run lands in the explorer's
// leaderboard with its own categories; `kinema score` reads the official scripts' input formats.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createExplorer } from "../src/analysis/explorer.ts";
import { openSqliteSource } from "../src/analysis/source-sqlite.ts";
import { cliRunner } from "./helpers/cli.ts";
import { makeMvbenchFixture, makeVideoMmeFixture } from "./helpers/general-fixtures.ts";
import { type LoopbackServer, reply, startLoopbackServer } from "./helpers/loopback-server.ts";

let tmp: string;
let server: LoopbackServer;
const { kinema, children } = cliRunner(() => tmp);
const runDir = () => join(tmp, "runs");

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-general-"));
  makeMvbenchFixture(join(tmp, "mvbench"));
  makeVideoMmeFixture(join(tmp, "videomme"));
  server = await startLoopbackServer({
    script: (req) => {
      const t = req.text;
      if (t.includes("What happened after the person took the towel?"))
        return reply.answer("B) Opened the door.");
      if (t.includes("Why is Castle smiling?")) return reply.answer("");
      if (t.includes("How many apples?")) return reply.answer("Best option: C");
      if (t.includes("What is the genre?")) return reply.answer("A");
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

test("every run is in the explorer's leaderboard with its benchmark's own categories", () => {
  const ex = createExplorer(openSqliteSource(runDir()));
  assert.deepEqual(ex.leaderboard("mvbench").categories, [
    "Action Sequence",
    "Episodic Reasoning",
    "Fine-grained Pose",
  ]);
  assert.deepEqual(ex.leaderboard("videomme").categories, ["medium", "short"]);
  assert.equal(ex.leaderboard("videomme").rows.length, 1);
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
