// Failures are visible, through the installed bin: the preflight stops a run that cannot work (refused, DNS,
// TLS, 401/403, unknown model, wrong URL) at once with its cause and exit 3; a run with failures lists them
// by error with the retry command, exits 4 when nothing was answered, and the same command asks the failed
// samples again (never a completed one); `show`, `runs`, the leaderboard and reports mark partial runs, in %.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { createExplorer } from "../src/analysis/explorer.ts";
import { buildReport } from "../src/analysis/report.ts";
import { openSqliteSource } from "../src/analysis/source-sqlite.ts";
import { buildProgram } from "../src/cli/main.ts";

const root = join(import.meta.dirname, "..");
const bin = join(root, "bin", "kinema.js");
let tmp: string;
let bench: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-fail-"));
  bench = makeMotionBenchFixture(
    join(tmp, "mb"),
    Array.from({ length: 8 }, (_, i) => ({
      uid: `u${i}`,
      text: `${i < 5 ? "good" : "bad"}${i} what moves?`,
      answer: "ABCD"[i % 4],
    })),
    1,
  );
  // One broken line: a load problem that `show` must list.
  appendFileSync(join(bench, "video_info.meta.jsonl"), "{not json\n");
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function kinema(args: string[], env: Record<string, string | undefined> = {}) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: tmp,
    env: { ...process.env, KINEMA_CACHE_DIR: join(tmp, "cache"), OPENAI_API_KEY: "sk-test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((r) =>
    child.on("close", (code) => r({ code, stdout, stderr, ms: performance.now() - t0 })),
  );
}

const evalArgs = (url: string, runDir: string, extra: string[] = []) => [
  "eval",
  "--bench",
  `motionbench:${bench}`,
  "--model",
  "openai:m",
  "--base-url",
  url,
  "--frames",
  "none",
  "--run-dir",
  join(tmp, runDir),
  "--no-progress",
  ...extra,
];

test("preflight: connection refused stops at once with the cause and exit 3, nothing sent", async () => {
  const s = await startLoopbackServer();
  const url = s.url;
  await s.close(); // the port is now closed
  const r = await kinema(evalArgs(url, "r-refused"));
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /connection refused by 127\.0\.0\.1:\d+/);
  assert.match(r.stderr, /\[preflight\]/);
  // "At once": no retries (they took 22 s before). Start-up itself is measured, since a loaded machine
  // can take seconds just to start node; on an idle one the whole command takes well under 5 s.
  const startup = (await kinema(["--version"])).ms;
  assert.ok(r.ms < startup + 3000, `took ${r.ms} ms (start-up ${startup} ms)`);
  assert.doesNotMatch(r.stdout, /Dev AVG/, "no table of dashes");
});

test("preflight: DNS failure and TLS failure are named", async () => {
  const dns = await kinema(evalArgs("http://no-such-host.invalid/v1", "r-dns"));
  assert.equal(dns.code, 3, dns.stderr);
  assert.match(dns.stderr, /DNS failure: cannot resolve host "no-such-host\.invalid"/);
  // https:// to a plain-HTTP server: the TLS handshake fails.
  const s = await startLoopbackServer();
  try {
    const tls = await kinema(evalArgs(s.url.replace("http:", "https:"), "r-tls"));
    assert.equal(tls.code, 3, tls.stderr);
    assert.match(tls.stderr, /TLS failure talking to 127\.0\.0\.1:\d+/);
    assert.equal(s.requests.length, 0);
  } finally {
    await s.close();
  }
});

test("preflight: 401 and 403 name the key; no key set is said", async () => {
  for (const status of [401, 403]) {
    const s = await startLoopbackServer({ apiKey: "right", authStatus: status });
    try {
      const r = await kinema(evalArgs(s.url, `r-auth${status}`), { OPENAI_API_KEY: "wrong" });
      assert.equal(r.code, 3, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`HTTP ${status} from .*/models: the key in OPENAI_API_KEY was refused`),
      );
      const none = await kinema(evalArgs(s.url, `r-auth${status}b`), { OPENAI_API_KEY: undefined });
      assert.equal(none.code, 3, none.stderr);
      assert.match(none.stderr, /no API key was sent \(OPENAI_API_KEY is not set/);
      assert.equal(s.requests.length, 0, "no chat request was sent");
    } finally {
      await s.close();
    }
  }
});

test("preflight: an unknown model (from /models, or a 404 from chat/completions) stops the run", async () => {
  const listed = await startLoopbackServer({ models: ["qwen2-vl", "llava"] });
  try {
    const r = await kinema(evalArgs(listed.url, "r-model"));
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /unknown model "m": .* serves qwen2-vl, llava/);
    assert.equal(listed.requests.length, 0);
  } finally {
    await listed.close();
  }
  // No /models endpoint: a 1-token completion is the check; its 404 names the URL and the model.
  const bare = await startLoopbackServer({
    models: null,
    script: () => ({
      kind: "status",
      status: 404,
      body: '{"error":{"message":"The model `m` does not exist."}}',
    }),
  });
  try {
    const r = await kinema(evalArgs(bare.url, "r-404"));
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /HTTP 404 from .*\/chat\/completions: wrong --base-url .* or unknown model "m": The model `m` does not exist/,
    );
    assert.equal(bare.requests.length, 1, "only the 1-token preflight request");
    assert.equal(bare.requests[0].body.max_tokens, 1);
  } finally {
    await bare.close();
  }
});

test("failures: grouped by error with the retry command; the same command re-asks only the failed ones", async () => {
  let fixed = false;
  const s = await startLoopbackServer({
    models: ["m"],
    script: (q) =>
      q.text.startsWith("bad") && !fixed
        ? { kind: "status", status: 400, body: '{"error":{"message":"image too large"}}' }
        : reply.answer("A", { usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } }),
  });
  try {
    const r = await kinema(evalArgs(s.url, "r-mixed"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /failures \(3 of 8 samples\), by error:/);
    assert.match(r.stderr, /http_status 400 ×3 \(e\.g\. u5\): HTTP 400 from .*image too large/);
    const run = /run (\S+): 8 samples/.exec(r.stdout)?.[1];
    assert.ok(run, r.stdout);
    assert.ok(
      r.stderr.includes(`npx kinema eval --resume ${run} --run-dir ${join(tmp, "r-mixed")}`),
      r.stderr,
    );
    assert.match(
      r.stderr,
      /elapsed \d+\.\d s; tokens \(as the server reported them\): prompt 35, completion 10 over 5 requests/,
    );
    assert.match(r.stdout, /dev accuracy \d+\.\d% \(95% CI/);
    assert.match(r.stdout, /accuracy in %; MR Motion Recognition, LM Location-related Motion/);
    assert.equal(s.count("good"), 5);

    // show: failures by error, the retry command, the load problem (the broken line), percent.
    const shown = await kinema(["show", run!, "--run-dir", join(tmp, "r-mixed")]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /http_status 400 ×3 \(e\.g\. u5\)/);
    assert.match(shown.stdout, /retry them: npx kinema eval --resume/);
    assert.match(shown.stdout, /1 benchmark items had load problems/);
    assert.match(shown.stdout, /video_info\.meta\.jsonl:9: /);
    assert.match(shown.stdout, /dev accuracy \d+\.\d%/);
    const sj = JSON.parse((await kinema(["show", run!, "--run-dir", join(tmp, "r-mixed"), "--json"])).stdout);
    assert.equal(sj.failures[0].count, 3);
    assert.equal(sj.loadIssues.length, 1);
    assert.ok(sj.overall.acc >= 0 && sj.overall.acc <= 1, "JSON keeps fractions");

    // Fixed: the same command asks exactly the 3 failed samples again, says so, and no completed one.
    fixed = true;
    const again = await kinema(evalArgs(s.url, "r-mixed"));
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stderr,
      /asking again the 3 samples that failed before \(completed samples are kept\)/,
    );
    assert.equal(s.count("good"), 5, "no completed sample was asked again");
    assert.equal(s.count("bad"), 6);
    assert.doesNotMatch(again.stderr, /failures \(/);
    // --no-retry-failed keeps failures as they are (nothing left here: nothing asked).
    const third = await kinema(evalArgs(s.url, "r-mixed", ["--no-retry-failed"]));
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stderr, /tokens: no model requests in this invocation/);
    assert.equal(s.requests.length, 5 + 3 + 3);
  } finally {
    await s.close();
  }
});

test("every sample failed: exit 4 with the failures listed", async () => {
  const s = await startLoopbackServer({
    script: () => ({ kind: "status", status: 422, body: "bad request" }),
  });
  try {
    const r = await kinema(evalArgs(s.url, "r-allfail"));
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /failures \(8 of 8 samples\), by error:\n {2}http_status 422 ×8/);
  } finally {
    await s.close();
  }
});

test("--limit runs are partial in eval, runs, show, summary.json, the leaderboard and reports", async () => {
  const s = await startLoopbackServer();
  const runDir = join(tmp, "r-limit");
  try {
    const r = await kinema(evalArgs(s.url, "r-limit", ["--limit", "3"]));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /partial: 3 of 8 samples \(--limit\)/);
    const runs = await kinema(["runs", "--run-dir", runDir]);
    assert.match(runs.stdout, /3 of 8 \(partial\)/);
    const rj = JSON.parse((await kinema(["runs", "--run-dir", runDir, "--json"])).stdout);
    assert.deepEqual(rj[0].partial, { answered: 3, of: 8, reason: "limit" });
    const shown = await kinema(["show", rj[0].run, "--run-dir", runDir]);
    assert.match(shown.stdout, /partial: 3 of 8 samples/);
    const summary = JSON.parse(readFileSync(join(runDir, rj[0].run, "summary.json"), "utf8"));
    assert.deepEqual(summary.partial, { answered: 3, of: 8, reason: "limit" });
    assert.match(readFileSync(join(runDir, rj[0].run, "table.md"), "utf8"), /partial: 3 of 8/);
    const src = openSqliteSource(runDir);
    try {
      const lb = createExplorer(src).leaderboard("motionbench");
      assert.deepEqual(lb.rows[0].partial, { answered: 3, of: 8, reason: "limit" });
      const rep = await buildReport(src, [rj[0].run], { thumbs: 0, gallery: 0 });
      assert.match(rep.html, /partial 3\/8/);
      assert.match(rep.html, /MR Motion Recognition/);
    } finally {
      src.close();
    }
    // The whole benchmark: no longer partial.
    const full = await kinema(evalArgs(s.url, "r-limit"));
    assert.equal(full.code, 0, full.stderr);
    assert.doesNotMatch(full.stdout, /partial/);
    assert.equal(JSON.parse((await kinema(["runs", "--run-dir", runDir, "--json"])).stdout)[0].partial, null);
  } finally {
    await s.close();
  }
});

test("usage errors: the suggestion and one usage line, exit 2; no --help text points at source files", async () => {
  const cmd = await kinema(["evl"]);
  assert.equal(cmd.code, 2);
  assert.deepEqual(cmd.stderr.trim().split("\n"), [
    "error: unknown command 'evl'",
    "(Did you mean eval?)",
    "usage: kinema [options] [command]  (kinema --help for details)",
  ]);
  const flag = await kinema(["eval", "--bnch", "x"]);
  assert.equal(flag.code, 2);
  assert.deepEqual(flag.stderr.trim().split("\n"), [
    "error: unknown option '--bnch'",
    "(Did you mean --bench?)",
    "usage: kinema eval [options]  (kinema eval --help for details)",
  ]);
  // Every command's --help text (as commander renders it), checked in-process to keep the test quick.
  const program = buildProgram();
  const all = [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)];
  assert.ok(all.length > 15);
  for (const c of all)
    assert.doesNotMatch(c.helpInformation(), /\bsrc\/|\bpy\//, `${c.name()} --help points at source files`);
});

test("judge preflight: kinema judge against a refused judge server stops with exit 3 and the cause", async () => {
  const s = await startLoopbackServer();
  const url = s.url;
  await s.close();
  const pred = join(tmp, "preds.json");
  writeFileSync(pred, JSON.stringify([{ id: "a", question: "q?", answer: "yes", pred: "yes" }]));
  const r = await kinema([
    "judge",
    "vcgpt-qa",
    "--pred",
    pred,
    "--judge",
    "openai:j",
    "--judge-base-url",
    url,
  ]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /connection refused by 127\.0\.0\.1:\d+/);
  // A judge that does not know its model name (listed by the server) is named as the judge.
  const listed = await startLoopbackServer({ models: ["gpt-4o"] });
  try {
    const u = await kinema([
      "judge",
      "vcgpt-qa",
      "--pred",
      pred,
      "--judge",
      "openai:j",
      "--judge-base-url",
      listed.url,
    ]);
    assert.equal(u.code, 3, u.stderr);
    assert.match(u.stderr, /unknown judge model "j": .* serves gpt-4o/);
    assert.equal(listed.requests.length, 0);
  } finally {
    await listed.close();
  }
});
