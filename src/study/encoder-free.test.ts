// `kinema study encoder-free --quick` end to end: synthetic sets → shards → teacher + STAB cells → JSON, table.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { main } from "../cli/main.ts";
import { type EncoderFreeResult, encoderFreeMarkdown } from "./encoder-free.ts";

const dir = mkdtempSync(join(tmpdir(), "kinema-study-ef-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("kinema study encoder-free --quick trains the teacher and every ablation cell", async () => {
  const out = join(dir, "quick");
  const code = await main(["node", "kinema", "study", "encoder-free", "--quick", "--out", out, "--json"]);
  assert.equal(code, 0);
  const r = JSON.parse(readFileSync(join(out, "study.json"), "utf8")) as EncoderFreeResult;
  assert.equal(r.quick, true);
  assert.match(r.train, /--seed 4001/);
  assert.match(r.test, /--seed 8008/);
  assert.deepEqual(
    r.cells.map((c) => c.name),
    ["encoder-baseline", "stab", "no-lsd", "no-gstra", "no-lste", "scalar-alpha", "no-distill"],
  );
  const cell = (n: string) => r.cells.find((c) => c.name === n)!;
  assert.equal(cell("encoder-baseline").method, "encoder-baseline");
  assert.equal(cell("stab").distill, true);
  assert.equal(cell("no-distill").distill, false);
  assert.equal(cell("no-lsd").config.lsd, "avg");
  assert.equal(cell("no-gstra").config.gstra, false);
  assert.equal(cell("scalar-alpha").config.alpha, "scalar");
  // 8 frames × (context + 2 rows × (2 grid + <row>)) for STAB; 8 frame + 16 patch tokens for the encoder
  assert.equal(cell("stab").decoder_tokens, 56);
  assert.equal(cell("encoder-baseline").decoder_tokens, 24);
  for (const c of r.cells) {
    assert.ok(c.acc.mean >= 0 && c.acc.mean <= 1, c.name);
    assert.ok(c.vision_params > 0 && c.vision_params < c.params, c.name);
  }
  assert.ok(existsSync(join(out, "teacher.pt")));
  const md = readFileSync(join(out, "study.md"), "utf8");
  assert.match(md, /w\/o LSD \(average pooling\)/);
  assert.match(md, /58\.0 \/ 38\.1/); // the paper's w/o LSD row
});

test("the table marks each cell's difference to STAB", () => {
  const stat = (m: number) => ({ mean: m, std: 0, n: 1 });
  const base = {
    method: "stab" as const,
    distill: true,
    config: {},
    params: 10,
    vision_params: 5,
    decoder_tokens: 56,
    seeds: [0],
    per_category: {},
  };
  const md = encoderFreeMarkdown({
    version: 1,
    quick: false,
    train: "t",
    test: "u",
    seeds_planned: 1,
    n_frames: 8,
    steps: 1,
    batch: 1,
    lr: 1,
    teacher: { method: "encoder-baseline", steps: 1, acc: 0.5, params: 1, vision_params: 1 },
    chance: 0.25,
    runs: 2,
    cells: [
      { ...base, name: "stab", acc: stat(0.5) },
      { ...base, name: "no-lsd", acc: stat(0.42) },
    ],
    paper: {},
  });
  assert.match(md, /\| STAB \(Video-Panda\) \| 50\.0 ± 0\.0 \| — \|/);
  assert.match(md, /\| w\/o LSD \(average pooling\) \| 42\.0 ± 0\.0 \| -8\.0 \|/);
});
