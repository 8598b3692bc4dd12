// One writer at a time: a second `kinema eval` of a run that is being written refuses at once (it would ask
// every question again), and two `kinema synth` into one folder cannot interleave their files. A lock left
// by a killed process is taken over.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { acquireLock } from "../src/util/lock.ts";
import { cliRunner } from "./helpers/cli.ts";

let tmp: string;
let server: LoopbackServer;
// answers wait for this gate, so the first eval is still writing while the second starts
let open: () => void = () => {};
const gate = new Promise<void>((r) => (open = r));
const { kinema, children } = cliRunner(() => tmp);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-writers-"));
  server = await startLoopbackServer({
    script: async () => {
      await gate;
      return reply.answer("A");
    },
  });
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** sha256 of every file under dir, by relative path. */
function tree(dir: string, root = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) Object.assign(out, tree(p, root));
    else out[relative(root, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
  }
  return out;
}

test("a second eval of a run being written refuses with a clear message; nothing is asked twice", async () => {
  const n = 12;
  const bench = makeMotionBenchFixture(
    join(tmp, "mb"),
    Array.from({ length: n }, (_, i) => ({ uid: `u${i}`, text: `question ${i}`, answer: "A" })),
    1,
  );
  const args = [
    "eval",
    ...["--bench", `motionbench:${bench}`, "--model", "openai:loop", "--base-url", server.url],
    ...["--concurrency", "1", "--run-dir", join(tmp, "runs"), "--no-progress", "--json"],
  ];
  const first = kinema(args);
  // start the second once the first is asking
  for (let i = 0; i < 2400 && server.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(server.requests.length > 0, "the first eval started");
  // (without a lock the second would wait on the gate too: open it after a while in any case)
  const timer = setTimeout(() => open(), 20_000);
  const second = await kinema(args);
  clearTimeout(timer);
  open();
  assert.notEqual(second.code, 0);
  assert.match(second.stderr, /is being written by another kinema \(pid \d+/);
  const a = await first;
  assert.equal(a.code, 0, a.stderr);
  assert.equal(server.requests.length, n, "every question asked exactly once");
  // released: the same command again continues the (complete) run and asks nothing
  const third = await kinema(args);
  assert.equal(third.code, 0, third.stderr);
  assert.equal(server.requests.length, n);
});

test("two synth into one folder: the second refuses; the folder equals a lone synth's", async () => {
  const out = join(tmp, "synth-shared");
  const opts = ["--preset", "easy", "--n", "12", "--seed", "5"];
  const [a, b] = await Promise.all([
    kinema(["synth", ...opts, "--out", out]),
    new Promise((r) => setTimeout(r, 50)).then(() => kinema(["synth", ...opts, "--out", out])),
  ]);
  const codes = [a.code, b.code].sort();
  assert.equal(codes[0], 0, a.stderr + b.stderr);
  assert.notEqual(codes[1], 0, "one of them refuses");
  assert.match(a.stderr + b.stderr, /synthetic set in .* is being written by another kinema/);
  const alone = join(tmp, "synth-alone");
  const c = await kinema(["synth", ...opts, "--out", alone]);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(tree(out), tree(alone));
});

test("a lock left by a dead process is taken over; a live one is not", () => {
  const path = join(tmp, "locks", "x.lock");
  mkdirSync(join(tmp, "locks"), { recursive: true });
  // a pid that is not running (pid_max is below 2^22 on Linux)
  writeFileSync(path, JSON.stringify({ pid: 4_194_303, host: "", since: "then", what: "run x" }));
  const owner = JSON.parse(readFileSync(path, "utf8"));
  owner.host = hostname();
  writeFileSync(path, JSON.stringify(owner));
  const release = acquireLock(path, "run x");
  assert.throws(() => acquireLock(path, "run x"), /run x is being written by another kinema/);
  release();
  acquireLock(path, "run x")();
});
