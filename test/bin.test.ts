// The installed entry point end to end: `npx kinema`, `npm exec kinema --` and `node bin/kinema.js` under the
// pinned Node 24 and under the system's older Node (the re-exec path), and the re-exec child dying with its
// wrapper (SIGKILL of the command a user started must stop the work and the requests).
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, before, test } from "node:test";
import { startLoopbackServer } from "../devkit/loopback-server.ts";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";

const root = join(import.meta.dirname, "..");
const bin = join(root, "bin", "kinema.js");
const pinned = join(root, "node_modules", "node", "bin", "node");
let tmp: string;
const children = new Set<ChildProcess>();

/** The first `node` on PATH outside node_modules (what a user's shell runs), with its major version. */
function systemNode(): { path: string; major: number } {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir || dir.includes("node_modules")) continue;
    const p = join(dir, "node");
    if (!existsSync(p)) continue;
    const v = execFileSync(p, ["--version"], { encoding: "utf8" }).trim();
    return { path: p, major: Number(v.slice(1).split(".")[0]) };
  }
  throw new Error("no system node on PATH (npm itself needs one)");
}

/** PATH as a user's shell has it: without the node_modules/.bin folders npm puts first for scripts. */
const userPath = (process.env.PATH ?? "")
  .split(delimiter)
  .filter((d) => !d.includes("node_modules"))
  .join(delimiter);

function run(cmd: string, args: string[], opts: { cwd?: string } = {}) {
  const child = spawn(cmd, args, {
    cwd: opts.cwd ?? root,
    env: { ...process.env, PATH: userPath, KINEMA_CACHE_DIR: join(tmp, "cache"), OPENAI_API_KEY: "sk-test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (r) =>
      child.on("close", (code, signal) => {
        children.delete(child);
        r({ code, signal, stdout, stderr });
      }),
  );
  return { child, done };
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-bin-"));
});
after(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
});

const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version as string;

const WAYS: [string, string, string[]][] = [
  ["npx kinema", "npx", ["kinema"]],
  ["npm exec kinema --", "npm", ["exec", "kinema", "--"]],
  ["pinned node bin/kinema.js", pinned, [bin]],
  ["system node bin/kinema.js", systemNode().path, [bin]],
];

for (const [name, cmd, pre] of WAYS) {
  test(`${name}: --version, --help and doctor --json print and exit 0`, async () => {
    const v = await run(cmd, [...pre, "--version"]).done;
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), version);
    const h = await run(cmd, [...pre, "--help"]).done;
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /Usage: kinema/);
    assert.match(h.stdout, /\beval\b/);
    const d = await run(cmd, [...pre, "doctor", "--json"]).done;
    const doc = JSON.parse(d.stdout);
    assert.equal(typeof doc, "object");
    assert.match(d.stdout, /node/i);
  });

  test(`${name}: an eval against a loopback server runs and exits with its status`, async () => {
    const dir = join(tmp, `mb-${name.replace(/\W+/g, "-")}`);
    makeMotionBenchFixture(
      dir,
      [0, 1, 2].map((i) => ({ uid: `u${i}`, text: `q${i} what moves?`, answer: "A" })),
      1,
    );
    const server = await startLoopbackServer();
    try {
      const r = await run(cmd, [
        ...pre,
        "eval",
        "--bench",
        `motionbench:${dir}`,
        "--model",
        "openai:m",
        "--base-url",
        server.url,
        "--frames",
        "none",
        "--run-dir",
        join(dir, "runs"),
        "--no-progress",
        "--json",
      ]).done;
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.deepEqual(j.counts, { total: 3, ok: 3, failed: 0, unparsed: 0 });
      assert.equal(server.count("what moves"), 3);
      // A failing command keeps its exit status through the wrapper.
      const bad = await run(cmd, [...pre, "eval", "--bench", "nosuch:x", "--model", "random"]).done;
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /nosuch/);
    } finally {
      await server.close();
    }
  });
}

test("npm run kinema -- and npm start's script run the CLI", async () => {
  const r = await run("npm", ["run", "-s", "kinema", "--", "--version"]).done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), version);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.match(pkg.scripts.start, /\bstart$/);
});

/** Live children of `pid` (ps), so the test can find the re-exec'd process. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

const until = async (cond: () => boolean, ms: number) => {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 25));
  return cond();
};

test("system node bin/kinema.js: SIGKILL of the wrapper stops the re-exec'd eval and its requests", async (t) => {
  const sys = systemNode();
  assert.ok(sys.major < 24, `the re-exec path needs a system node < 24 (found ${sys.major} at ${sys.path})`);
  const dir = join(tmp, "mb-kill");
  makeMotionBenchFixture(
    dir,
    Array.from({ length: 60 }, (_, i) => ({ uid: `k${i}`, text: `slow${i} what moves?`, answer: "A" })),
    1,
  );
  const server = await startLoopbackServer({ latencyMs: 150 });
  t.after(() => server.close());
  const { child, done } = run(sys.path, [
    bin,
    "eval",
    "--bench",
    `motionbench:${dir}`,
    "--model",
    "openai:m",
    "--base-url",
    server.url,
    "--frames",
    "none",
    "--concurrency",
    "1",
    "--run-dir",
    join(dir, "runs"),
    "--no-progress",
  ]);
  assert.ok(await until(() => server.count("what moves") >= 2, 15_000), "the eval started asking");
  const real = childrenOf(child.pid!);
  assert.equal(real.length, 1, "the wrapper has one child: the eval on the pinned node");
  child.kill("SIGKILL");
  await done;
  assert.ok(await until(() => !alive(real[0]), 3000), "the re-exec'd eval died within 3 s of its wrapper");
  const n = server.count("what moves");
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(server.count("what moves") <= n + 1, "no requests after the eval died");
  assert.ok(n < 60, "the eval did not run to the end");
});
