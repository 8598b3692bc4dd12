// `kinema audit` end to end: a loopback API model (the server must receive shuffled, reversed, single and zero
// frames, checked by image hashes) through the CLI, and a built-in ONNX model whose pixels are inspected.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  type LoopbackServer,
  type ReceivedRequest,
  reply,
  startLoopbackServer,
} from "../devkit/loopback-server.ts";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { runAudit } from "../src/audit/index.ts";
import { readManifest } from "../src/models/builtin.ts";
import { type AdapterOptions, createAdapter } from "../src/models/index.ts";
import type { ModelRequest } from "../src/models/types.ts";
import { defaultDeps } from "../src/run/deps.ts";
import { shuffledPositions } from "../src/run/perturb.ts";
import { runEval } from "../src/run/runner.ts";
import { openStore } from "../src/store/index.ts";
import { generateDataset } from "../src/synth/index.ts";
import { cliRunner } from "./helpers/cli.ts";

let tmp: string;
let server: LoopbackServer;
const { kinema, children } = cliRunner(() => tmp);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-audit-"));
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** sha256 of each image part's data URL, in the order the request carried them. */
function imageHashes(q: ReceivedRequest): string[] {
  const content = q.body?.messages?.at(-1)?.content;
  if (!Array.isArray(content)) return [];
  return content
    .filter((p: any) => p?.type === "image_url")
    .map((p: any) => createHash("sha256").update(p.image_url.url).digest("hex").slice(0, 12));
}

test("audit with a loopback API model: each condition reaches the server as planned, and resumes", async () => {
  // 6 questions on 3 one-second testsrc clips of 8 distinct frames; every answer is A.
  const bench = makeMotionBenchFixture(
    join(tmp, "mb"),
    Array.from({ length: 6 }, (_, i) => ({ uid: `u${i}`, text: `question ${i}`, answer: "A" })),
    3,
  );
  // An order-sensitive "model": A when it sees the frames it was first shown for this question, in that order
  // or reversed (it cannot tell direction), B otherwise. The ordered condition runs first, so it sets `first`.
  const firstSeen = new Map<string, string>();
  server = await startLoopbackServer({
    script: (q) => {
      const h = imageHashes(q);
      const key = q.text;
      if (!firstSeen.has(key)) firstSeen.set(key, h.join(","));
      const ref = firstSeen.get(key)!;
      const same = h.length > 1 && (h.join(",") === ref || [...h].reverse().join(",") === ref);
      return reply.answer(same ? "A" : "B");
    },
  });
  const args = [
    "audit",
    "--bench",
    `motionbench:${bench}`,
    "--model",
    "openai:loop",
    "--base-url",
    server.url,
    "--frames",
    "uniform:8",
    "--shuffle-seed",
    "3",
    "--run-dir",
    join(tmp, "runs-api"),
    "--no-progress",
  ];
  const r = await kinema([...args, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out.conditions), ["ordered", "shuffled", "reversed", "first", "last", "none"]);
  assert.equal(out.benchmark, "motionbench");
  assert.equal(out.model, "openai:loop");
  assert.equal(out.frames, "uniform:8");

  // What the server received, per question, in condition order.
  assert.equal(server.requests.length, 36);
  const byText = new Map<string, ReceivedRequest[]>();
  for (const q of server.requests) byText.set(q.text, [...(byText.get(q.text) ?? []), q]);
  assert.equal(byText.size, 6);
  for (const [text, qs] of byText) {
    const uid = `u${/question (\d)/.exec(text)![1]}`;
    const [ordered, shuffled, reversed, first, last, none] = qs.map(imageHashes);
    assert.equal(ordered.length, 8);
    assert.equal(new Set(ordered).size, 8, "testsrc frames are distinct");
    const perm = shuffledPositions(8, 3, uid);
    assert.deepEqual(
      shuffled,
      perm.map((i) => ordered[i]),
      `${uid}: the seeded shuffle`,
    );
    assert.notDeepEqual(shuffled, ordered);
    assert.deepEqual(reversed, [...ordered].reverse());
    assert.deepEqual(first, [ordered[0]]);
    assert.deepEqual(last, [ordered[7]]);
    assert.deepEqual(none, []);
    assert.equal(typeof qs[5].body.messages.at(-1).content, "string", "none is a text-only request");
  }

  // ordered and reversed are right (A), the rest wrong; chance is 1/4 with four options.
  const c = out.conditions;
  for (const k of ["ordered", "reversed"]) assert.equal(c[k].acc, 1, k);
  for (const k of ["shuffled", "first", "last", "none"]) assert.equal(c[k].acc, 0, k);
  assert.equal(c.ordered.chance, 0.25);
  assert.equal(c.ordered.n, 6);
  assert.equal(c.reversed.retained, 1);
  assert.ok(Math.abs(c.shuffled.retained - -1 / 3) < 1e-12);
  assert.equal(c.shuffled.ratio, 0);
  assert.equal(c.shuffled.delta, -1);
  assert.deepEqual(c.shuffled.deltaCi95, [-1, -1]);
  assert.deepEqual(Object.keys(c.ordered.categories).length, 6);
  assert.equal(c.first.categories["Camera Motion"], 0);
  assert.equal(c.ordered.categoryDetail["Camera Motion"].chance, 0.25);
  assert.ok(Array.isArray(c.ordered.ci95));
  const runs = new Set(Object.values(c).map((x: any) => x.run));
  assert.equal(runs.size, 6, "each condition is its own stored run");
  for (const k of ["shuffled", "reversed", "first", "last", "none"])
    assert.match(c[k].run, new RegExp(`-${k}-`));

  // The same command again continues every run: nothing is asked twice; the text table is printed.
  const again = await kinema(args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(server.requests.length, 36);
  assert.match(again.stdout, /category\s+n\s+chance\s+ordered\s+shuffled\s+reversed\s+first\s+last\s+none/);
  assert.match(again.stdout, /overall\s+6\s+25\.0\s+100\.0 \[100\.0, 100\.0\]\s+0\.0 \[0\.0, 0\.0\]/);
  assert.match(again.stdout, /retained \(overall\)\s+1\.00 \[1\.00, 1\.00\]\s+-0\.33 \[-0\.33, -0\.33\]/);

  // The ordered condition is the plain `kinema eval` run with the same settings.
  const ev = await kinema([
    "eval",
    "--bench",
    `motionbench:${bench}`,
    "--model",
    "openai:loop",
    "--base-url",
    server.url,
    "--frames",
    "uniform:8",
    "--run-dir",
    join(tmp, "runs-api"),
    "--no-progress",
    "--json",
  ]);
  assert.equal(ev.code, 0, ev.stderr);
  assert.equal(JSON.parse(ev.stdout).run, c.ordered.run);
  assert.equal(server.requests.length, 36);

  // A different shuffle seed is a different run (and different requests).
  const seed4 = await kinema([...args, "--conditions", "shuffled", "--shuffle-seed", "4", "--json"]);
  assert.equal(seed4.code, 0, seed4.stderr);
  assert.notEqual(JSON.parse(seed4.stdout).conditions.shuffled.run, c.shuffled.run);
  assert.equal(server.requests.length, 36 + 6, "only the new shuffle asks");
});

test("audit refuses open-ended benchmarks and unknown conditions with a clear error", async () => {
  const r = await kinema([
    "audit",
    "--bench",
    "synth:/nonexistent",
    "--model",
    "random",
    "--conditions",
    "sideways",
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown audit condition "sideways"/);
  // A COCO-captioned set beside the fixture's clips: open-ended, refused before any request.
  const file = join(tmp, "mb", "captions.json");
  writeFileSync(
    file,
    JSON.stringify({
      videos: [{ id: "c0", video: join("videos", "v0.mp4") }],
      annotations: [{ image_id: "c0", caption: "a pattern moves" }],
    }),
  );
  const before = server.requests.length;
  const open = await kinema([
    "audit",
    "--bench",
    `caption-ref:${file}`,
    "--model",
    "openai:loop",
    "--base-url",
    server.url,
    "--run-dir",
    join(tmp, "runs-open"),
  ]);
  assert.equal(open.code, 2, open.stderr);
  assert.match(
    open.stderr,
    /kinema audit needs multiple-choice questions; caption-ref sample c0 is open-ended/,
  );
  assert.equal(server.requests.length, before);
});

test("audit with a built-in model: repeated first/last frames, blank frames for none, seeded shuffles", async () => {
  const dir = join(tmp, "synth");
  await generateDataset({ preset: "motionbench", n: 12, seed: 11, out: dir });
  const seen = new Map<string, ModelRequest[]>(); // perturbation label → requests
  let label = "";
  const deps = {
    ...defaultDeps,
    createAdapter: async (spec: string, opts: AdapterOptions) => {
      const a = await createAdapter(spec, opts);
      return {
        ...a,
        spec: a.spec,
        needs: a.needs,
        fixedFrames: a.fixedFrames,
        describe: () => a.describe(),
        generate: (req: ModelRequest, signal?: AbortSignal) => {
          seen.set(label, [...(seen.get(label) ?? []), req]);
          return a.generate(req, signal);
        },
        close: () => a.close?.() ?? Promise.resolve(),
      };
    },
  };
  const runDir = join(tmp, "runs-builtin");
  process.env.KINEMA_CACHE_DIR = join(tmp, "cache-builtin");
  // the built-in's own frame count (it takes a fixed number of frames)
  const N = readManifest().find((m) => m.name === "te-fusion-k4")!.n_frames;
  const out = { conditions: {} as Record<string, any> };
  for (const kind of ["ordered", "shuffled", "reversed", "first", "last", "none"] as const) {
    label = kind;
    const r = await runAudit(
      { bench: `synth:${dir}`, model: "builtin:te-fusion-k4", runDir, conditions: [kind] },
      deps,
    );
    out.conditions[kind] = r.conditions[kind];
    assert.equal(r.frames, `uniform:${N}`);
  }
  const store = openStore(runDir);
  const rows = (k: string) => new Map(store.samples(out.conditions[k].run).map((s) => [s.sampleId, s]));
  const ordered = rows("ordered");
  for (const [kind, want] of [
    ["shuffled", (ix: number[], id: string) => shuffledPositions(N, 0, id).map((i) => ix[i])],
    ["reversed", (ix: number[]) => [...ix].reverse()],
    ["first", (ix: number[]) => ix.map(() => ix[0])],
    ["last", (ix: number[]) => ix.map(() => ix[N - 1])],
    ["none", () => []],
  ] as const) {
    const got = rows(kind);
    assert.equal(got.size, 12);
    for (const [id, o] of ordered) {
      assert.equal(o.frameIndices!.length, N);
      assert.deepEqual(got.get(id)!.frameIndices, want(o.frameIndices!, id), `${kind} ${id}`);
      assert.equal(got.get(id)!.status, "ok", `${kind} ${id} answered`);
    }
  }
  store.close();
  // The pixels the model got: N frames every time; one frame repeated for first/last, all zero for none.
  const frameHash = (b: Buffer) => createHash("sha1").update(b).digest("hex");
  for (const kind of ["ordered", "first", "last", "none"]) {
    const reqs = seen.get(kind)!;
    assert.equal(reqs.length, 12, kind);
    for (const q of reqs) {
      assert.equal(q.rgb!.frames.length, N, kind);
      const distinct = new Set(q.rgb!.frames.map(frameHash)).size;
      if (kind === "ordered") assert.ok(distinct > 1);
      else assert.equal(distinct, 1, kind);
      if (kind === "none") assert.ok(q.rgb!.frames[0].every((v) => v === 0));
      else assert.ok(q.rgb!.frames[0].some((v) => v !== 0));
    }
  }
  // The same frames as the ordered condition, in another order.
  const byId = (k: string) => new Map(seen.get(k)!.map((q) => [q.sampleId!, q.rgb!.frames.map(frameHash)]));
  const o = byId("ordered");
  for (const [id, h] of byId("reversed")) assert.deepEqual(h, [...o.get(id)!].reverse());
  for (const [id, h] of byId("shuffled")) {
    assert.deepEqual([...h].sort(), [...o.get(id)!].sort());
    assert.deepEqual(
      h,
      shuffledPositions(N, 0, id).map((i) => o.get(id)![i]),
    );
  }
  // Accuracies are the stored runs' (eval's numbers for ordered).
  const ev = await runEval({ bench: `synth:${dir}`, model: "builtin:te-fusion-k4", runDir }, defaultDeps);
  assert.equal(ev.run.id, out.conditions.ordered.run);
  assert.equal(ev.requested, 0);
  assert.equal(out.conditions.ordered.acc, ev.summary.overall.acc);
  assert.deepEqual(out.conditions.ordered.ci95, ev.summary.overall.ci95);
  for (const [cat, c] of Object.entries(ev.summary.categoryDetail))
    assert.equal(out.conditions.ordered.categories[cat], c.acc, cat);
});
