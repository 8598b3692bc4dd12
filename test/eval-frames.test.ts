// Frame settings that are baselines, not models: `--frames none` (text only: no images, no decode) and
// `--frames indices:0` (the first frame only), through the real decoder against the loopback server.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { defaultDeps } from "../src/run/deps.ts";
import { type EvalDeps, runEval } from "../src/run/runner.ts";
import { openStore } from "../src/store/index.ts";

let tmp: string;
let bench: string;
let server: LoopbackServer;
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-frames-"));
  bench = makeMotionBenchFixture(
    join(tmp, "mb"),
    ["A", "B", "C", "NA"].map((a, i) => ({ uid: `u${i}`, text: `q${i}`, answer: a })),
  );
  server = await startLoopbackServer({ script: () => reply.answer("A") });
});
after(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The real deps, counting decodes and probes. */
function counting() {
  const n = { decodes: 0, probes: 0 };
  const deps: EvalDeps = {
    ...defaultDeps,
    loadFrames: (ref, spec, o) => {
      n.decodes++;
      return defaultDeps.loadFrames(ref, spec, o);
    },
    clipMeta: (ref) => {
      n.probes++;
      return defaultDeps.clipMeta!(ref);
    },
  };
  return { n, deps };
}

async function run(frames: string) {
  const from = server.requests.length;
  const cacheDir = join(tmp, `cache-${frames.replace(/\W/g, "_")}`);
  process.env.KINEMA_CACHE_DIR = cacheDir;
  const { n, deps } = counting();
  const r = await runEval(
    {
      bench: `motionbench:${bench}`,
      model: "openai:loop",
      frames,
      runDir: join(tmp, "runs"),
      modelOptions: { baseUrl: server.url, env: { OPENAI_API_KEY: "sk" } },
    },
    deps,
  );
  const store = openStore(join(tmp, "runs"));
  const rows = store.samples(r.run.id);
  store.close();
  return { r, n, rows, requests: server.requests.slice(from), cacheDir };
}

test("--frames none: text-only requests, nothing decoded or cached", async () => {
  const { r, n, rows, requests, cacheDir } = await run("none");
  assert.equal(r.summary.counts.ok, 4);
  assert.equal(requests.length, 4);
  assert.ok(requests.every((q) => q.images === 0));
  // Plain string content: no image parts at all, as a text-only model expects.
  assert.ok(requests.every((q) => typeof q.body.messages.at(-1).content === "string"));
  assert.deepEqual(n, { decodes: 0, probes: 0 });
  assert.ok(!existsSync(cacheDir) || readdirSync(cacheDir).length === 0);
  assert.ok(rows.every((x) => Array.isArray(x.frameIndices) && x.frameIndices.length === 0));
  assert.equal(r.summary.frames, "none");
  assert.equal(r.run.config.frames, "none");
});

test("--frames indices:0: exactly the first frame of each clip", async () => {
  const { r, n, rows, requests } = await run("indices:0");
  assert.equal(r.summary.counts.ok, 4);
  assert.equal(requests.length, 4);
  assert.ok(requests.every((q) => q.images === 1));
  assert.equal(n.decodes, 4);
  assert.ok(rows.every((x) => JSON.stringify(x.frameIndices) === "[0]"));
  // A different frame setting is a different run; uniform:4 sends 4 images per request.
  const u = await run("uniform:4");
  assert.notEqual(u.r.run.id, r.run.id);
  assert.ok(u.requests.every((q) => q.images === 4));
  assert.ok(u.rows.every((x) => JSON.stringify(x.frameIndices) === "[0,2,4,7]"));
});
