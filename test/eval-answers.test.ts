// Test AVG: `kinema eval --answers FILE` scores the hidden test split apart from dev ("overall" stays dev
// only, "test" is its own key); without answers the Test AVG column prints "-". Submissions still cover test.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { cliRunner } from "./helpers/cli.ts";

let tmp: string;
let bench: string;
let server: LoopbackServer;

const { kinema, children } = cliRunner(() => tmp);

// 6 dev questions (answered right except d5) and 4 test questions with hidden answers; the server answers
// the letter after "say=", so test accuracy is known exactly: t0, t1 right; t2, t3 wrong → 0.5.
const GT = "ABCDAB";
const TEST = [
  { uid: "t0", truth: "A", say: "A" },
  { uid: "t1", truth: "B", say: "B" },
  { uid: "t2", truth: "C", say: "A" },
  { uid: "t3", truth: "D", say: "A" },
];
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-answers-"));
  bench = makeMotionBenchFixture(join(tmp, "mb"), [
    ...[...GT].map((g, i) => ({ uid: `d${i}`, text: `d${i} say=${i === 5 ? "C" : g}`, answer: g })),
    ...TEST.map((t) => ({ uid: t.uid, text: `${t.uid} say=${t.say}`, answer: "NA" })),
  ]);
  writeFileSync(
    join(tmp, "answers.json"),
    JSON.stringify(Object.fromEntries(TEST.map((t) => [t.uid, t.truth]))),
  );
  server = await startLoopbackServer({ script: (q) => reply.answer(/say=([A-D])/.exec(q.text)![1]) });
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const evalArgs = (...extra: string[]) => [
  "eval",
  ...["--bench", `motionbench:${bench}`, "--model", "openai:loop", "--base-url", server.url],
  ...["--frames", "none", "--run-dir", join(tmp, "runs"), "--no-progress", ...extra],
];

test("--answers scores the test split as Test AVG; overall stays dev only", async () => {
  const plain = await kinema(evalArgs("--json"));
  assert.equal(plain.code, 0, plain.stderr);
  const p = JSON.parse(plain.stdout);
  assert.deepEqual(Object.keys(p), ["run", "benchmark", "model", "overall", "categories", "counts"]);
  assert.equal(p.overall.n, 6);
  assert.equal(p.overall.acc, 5 / 6);

  const withAns = await kinema(evalArgs("--answers", join(tmp, "answers.json"), "--json"));
  assert.equal(withAns.code, 0, withAns.stderr);
  const j = JSON.parse(withAns.stdout);
  assert.deepEqual(Object.keys(j), ["run", "benchmark", "model", "overall", "categories", "counts", "test"]);
  assert.notEqual(j.run, p.run, "answers are part of the run's identity");
  assert.deepEqual(j.overall, p.overall, "overall is dev only");
  assert.deepEqual(j.categories, p.categories);
  assert.equal(j.test.n, 4);
  assert.equal(j.test.acc, 0.5);
  assert.ok(Array.isArray(j.test.ci95) && j.test.ci95[0] <= 0.5 && j.test.ci95[1] >= 0.5);
  // Same requests: the second run asked the server nothing new (request cache).
  assert.equal(server.requests.length, 10);

  // The upstream scorer's view is unchanged: test answers stay hidden there.
  const summary = (run: string) => JSON.parse(readFileSync(join(tmp, "runs", run, "summary.json"), "utf8"));
  assert.deepEqual(summary(j.run).official, summary(p.run).official);

  // Text: Test AVG printed with answers, "-" without.
  const text = await kinema(evalArgs("--answers", join(tmp, "answers.json")));
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Model\s+Frames\s+Dev AVG\s+Test AVG\s+MR/);
  assert.match(text.stdout, /^openai:loop\s+none\s+83\.3\s+50\.0\s/m);
  assert.match(text.stdout, /test accuracy 50\.0% \(95% CI .*n=4\)/);
  const noText = await kinema(evalArgs());
  assert.match(noText.stdout, /^openai:loop\s+none\s+83\.3\s+-\s/m);

  // The submission still holds every test question (their parsed letters).
  const out = join(tmp, "sub.json");
  const sub = await kinema([
    "submit",
    "motionbench",
    "--run",
    j.run,
    "--out",
    out,
    "--run-dir",
    join(tmp, "runs"),
  ]);
  assert.equal(sub.code, 0, sub.stderr);
  assert.deepEqual(JSON.parse(readFileSync(out, "utf8")), { t0: "A", t1: "B", t2: "A", t3: "A" });
});

test("a bad answers file is a clear error naming the file and uid", async () => {
  const bad = join(tmp, "bad.json");
  writeFileSync(bad, JSON.stringify({ t0: "A", t1: 3 }));
  const r = await kinema(evalArgs("--answers", bad));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /bad\.json/);
  assert.match(r.stderr, /t1/);
  const missing = await kinema(evalArgs("--answers", join(tmp, "nope.json")));
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /nope\.json/);
});
