// Suspect labels over stored runs → review → `kinema engine errata` → `kinema eval --errata FILE`, a named and
// recorded scoring variant (its own run; the plain run is untouched).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { openStore } from "../src/store/index.ts";
import { cliRunner } from "./helpers/cli.ts";

let dir = "";
const { kinema, children } = cliRunner(() => dir);
let server: LoopbackServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "kinema-errata-"));
  makeMotionBenchFixture(join(dir, "mb"), [
    { uid: "u1", text: "Q one WRONG", answer: "A" },
    { uid: "u2", text: "Q two", answer: "A" },
    { uid: "u3", text: "Q three WRONG", answer: "A" },
    { uid: "u4", text: "Q four ONEOFF", answer: "A" },
  ]);
  // Both models answer C on the WRONG questions; only m1 says D on ONEOFF (one run is not "several").
  server = await startLoopbackServer({
    script: (r) =>
      reply.answer(
        r.text.includes("WRONG") ? "C" : r.text.includes("ONEOFF") && r.body?.model === "m1" ? "D" : "A",
      ),
  });
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("suspects → review → errata → eval --errata as a named variant", async () => {
  const runs = join(dir, "runs");
  for (const m of ["openai:m1", "openai:m2"]) {
    const r = await kinema([
      "eval",
      "--bench",
      `motionbench:${join(dir, "mb")}`,
      "--model",
      m,
      "--base-url",
      server.url,
      "--run-dir",
      runs,
      "--no-preflight",
      "--frames",
      "uniform:2",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
  }
  const q = join(dir, "suspects");
  const s = await kinema([
    "engine",
    "suspects",
    "--bench",
    "motionbench",
    "--run-dir",
    runs,
    "--out",
    q,
    "--json",
  ]);
  assert.equal(s.code, 0, s.stderr);
  assert.deepEqual(JSON.parse(s.stdout), { runs: 2, samples: 4, suspects: 2 });
  // u1: the runs are right, the label was wrong → corrected to C; u3: the item is broken → excluded.
  const rv = await kinema([
    "engine",
    "review",
    "--run",
    q,
    "--reviewer",
    "bo",
    "--correct",
    "motionbench:u1=C",
    "--reject",
    "motionbench:u3",
  ]);
  assert.equal(rv.code, 0, rv.stderr);
  const file = join(dir, "errata.json");
  const e = await kinema(["engine", "errata", "--run", q, "--out", file, "--name", "bo-2026-12", "--json"]);
  assert.equal(e.code, 0, e.stderr);
  assert.deepEqual(JSON.parse(e.stdout), { file, corrected: 1, excluded: 1, confirmed: 0 });
  const errata = JSON.parse(readFileSync(file, "utf8"));
  assert.deepEqual(
    errata.entries.map((x: Record<string, unknown>) => [
      x.id,
      x.answer ?? null,
      x.exclude ?? false,
      x.was,
      x.reviewer,
    ]),
    [
      ["u1", "C", false, "A", "bo"],
      ["u3", null, true, "A", "bo"],
    ],
  );
  const ev = await kinema([
    "eval",
    "--bench",
    `motionbench:${join(dir, "mb")}`,
    "--model",
    "openai:m2",
    "--base-url",
    server.url,
    "--run-dir",
    runs,
    "--no-preflight",
    "--frames",
    "uniform:2",
    "--errata",
    file,
    "--json",
  ]);
  assert.equal(ev.code, 0, ev.stderr);
  const j = JSON.parse(ev.stdout);
  // u3 excluded; u1 now right (C); u2, u4 right → 3/3.
  assert.equal(j.counts.total, 3);
  assert.equal(j.overall.acc, 1);
  const st = openStore(runs);
  try {
    const all = st.listRuns().filter((r) => r.model === "openai:m2");
    assert.equal(all.length, 2, "the errata variant is its own run");
    const v = all.find((r) => r.config.errata)!;
    assert.equal(v.config.errata?.name, "bo-2026-12");
    assert.deepEqual(v.config.errataApplied?.corrected, 1);
    assert.ok(
      all.find((r) => !r.config.errata),
      "the plain run is unchanged",
    );
  } finally {
    st.close();
  }
  // a bad errata file names the field
  const bad = join(dir, "bad.json");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(bad, JSON.stringify({ ...errata, name: "has space" }));
  const b = await kinema([
    "eval",
    "--bench",
    `motionbench:${join(dir, "mb")}`,
    "--model",
    "random:0",
    "--run-dir",
    runs,
    "--errata",
    bad,
  ]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /name/);
});
