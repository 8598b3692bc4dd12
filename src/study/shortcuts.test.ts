// `kinema study shortcuts --quick` end to end: synthetic sets → shards with per-frame labels → five probes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { main } from "../cli/main.ts";
import { MOTIONBENCH_TYPES } from "../synth/questions.ts";
import { PROBES, type ShortcutsResult, shortcutsText } from "./shortcuts.ts";

const dir = mkdtempSync(join(tmpdir(), "kinema-shortcuts-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("kinema study shortcuts --quick trains every probe and reports chance per category", async () => {
  const out = join(dir, "quick");
  const ck = join(out, "ck");
  assert.equal(
    await main(["node", "kinema", "study", "shortcuts", "--quick", "--out", out, "--save-builtins", ck]),
    0,
  );
  const r = JSON.parse(readFileSync(join(out, "shortcuts.json"), "utf8")) as ShortcutsResult;
  assert.deepEqual(Object.keys(r.probes), [...PROBES]);
  assert.deepEqual(Object.keys(r.chance).sort(), [...MOTIONBENCH_TYPES].sort());
  assert.equal(
    Object.values(r.n_per_category).reduce((a, b) => a + b, 0),
    r.n,
  );
  for (const p of PROBES)
    for (const [c, acc] of Object.entries(r.probes[p])) {
      assert.ok(acc >= 0 && acc <= 1, `${p} ${c}`);
      const [lo, hi] = r.chance_ci95[c];
      assert.ok(lo <= r.chance[c] && r.chance[c] <= hi);
      assert.equal(r.within_chance[p][c], acc >= lo && acc <= hi);
    }
  // The ordered model trained on the shard's dense per-frame labels; the probes did not.
  assert.equal(r.runs.ordered.aux, true);
  assert.equal(r.runs.first.aux, false);
  const shard = JSON.parse(
    readFileSync(join(out, "data", "train-motionbench-4001-24", "shard-8x32", "questions.json"), "utf8"),
  );
  assert.equal(shard.items[0].frame_labels.length, 8);
  assert.equal(shard.items[0].frame_labels[0].length, shard.frame_label_names.length);
  assert.match(shortcutsText(r), /Repetition Count/);
  // --save-builtins kept the ordered model, with its own test score in the checkpoint
  const py = spawnSync(
    "/usr/bin/python3",
    [
      "-c",
      "import sys; from kinema_py.checkpoint import load_checkpoint; m, t, meta = load_checkpoint(sys.argv[1]); print(m.cfg.method, m.cfg.k, meta['test_acc'])",
      join(ck, "te-fusion-k2.pt"),
    ],
    { env: { ...process.env, PYTHONPATH: join(import.meta.dirname, "..", "..", "py") }, encoding: "utf8" },
  );
  assert.equal(py.status, 0, py.stderr);
  const [method, k, acc] = py.stdout.trim().split(" ");
  assert.deepEqual([method, k], ["te-fusion", "2"]);
  assert.ok(Math.abs(Number(acc) - r.overall.ordered) < 1e-9);
  // Resumable: a second run reuses every stored probe.
  assert.equal(await main(["node", "kinema", "study", "shortcuts", "--quick", "--out", out, "--json"]), 0);
  const lines = readFileSync(join(out, "probes.jsonl"), "utf8").trim().split("\n");
  assert.equal(lines.length, PROBES.length);
});

test("shortcuts rejects a ratio that does not divide the frame count (exit 2)", async () => {
  assert.equal(
    await main(["node", "kinema", "study", "shortcuts", "--quick", "--k", "3", "--out", join(dir, "bad")]),
    2,
  );
});

test("shortcuts --probes, --head and the seeds: only the named probes, each with the match head", async () => {
  const out = join(dir, "some");
  const argv = ["node", "kinema", "study", "shortcuts", "--quick", "--out", out];
  const flags = [
    "--probes",
    "shuffled,ordered",
    "--head",
    "match",
    "--train-seed",
    "11",
    "--test-seed",
    "12",
  ];
  assert.equal(await main([...argv, ...flags, "--json"]), 0);
  const r = JSON.parse(readFileSync(join(out, "shortcuts.json"), "utf8")) as ShortcutsResult;
  assert.deepEqual(Object.keys(r.probes), ["shuffled", "ordered"]);
  assert.equal(r.config.head, "match");
  assert.match(String(r.config.train), /--seed 11$/);
  for (const bad of [
    ["--head", "sideways"],
    ["--probes", "first,nope"],
    ["--train-seed", "12", "--test-seed", "12"],
    ["--train-seed", "-1"],
  ])
    assert.equal(await main([...argv, ...bad]), 2, bad.join(" "));
});
