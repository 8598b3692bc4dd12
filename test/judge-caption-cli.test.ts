// `kinema caption-metrics` end to end: COCO-style files in, pycocoevalcap's keys out (METEOR/SPICE null).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = new URL("..", import.meta.url).pathname;

test("kinema caption-metrics --json --per-item", () => {
  const dir = mkdtempSync(join(tmpdir(), "kinema-capcli-"));
  try {
    const gts = join(dir, "gts.json");
    const res = join(dir, "res.json");
    writeFileSync(
      gts,
      JSON.stringify({
        annotations: [
          { image_id: 1, caption: "A man is riding a bike on the road." },
          { image_id: 1, caption: "A person rides a bicycle." },
          { image_id: 2, caption: "A woman is cooking food in a kitchen." },
        ],
      }),
    );
    writeFileSync(
      res,
      JSON.stringify([
        { image_id: 2, caption: "A woman cooks." },
        { image_id: 1, caption: "A man is riding a bike!" },
      ]),
    );
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["src/cli/main.ts", "caption-metrics", ...args], {
        cwd: ROOT,
        encoding: "utf8",
      });
    const r = run("--gts", gts, "--res", res, "--per-item", "--json");
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    for (const k of ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr"])
      assert.equal(typeof j[k], "number", k);
    assert.equal(j.METEOR, null);
    assert.equal(j.SPICE, null);
    assert.deepEqual(
      j.items.map((x: { image_id: number }) => x.image_id),
      [1, 2],
    );
    // "A man is riding a bike!" tokenizes to a prefix of the first reference: BLEU-1 of item 1 is 1 up to smoothing
    assert.ok(Math.abs(j.items[0].Bleu_1 - 1) < 1e-6);
    const bad = run("--gts", join(dir, "nope.json"), "--res", res);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /nope\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
