// Shards: the .npy header numpy accepts, and a real synthetic set decoded into frames.npy + questions.json.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { generateDataset } from "./index.ts";
import { npyHeader, readNpyU8, writeShards } from "./shards.ts";

const dir = mkdtempSync(join(tmpdir(), "kinema-shards-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const py = process.env.KINEMA_PYTHON ?? "/usr/bin/python3";
const root = join(import.meta.dirname, "..", "..");

function python(code: string): string {
  const r = spawnSync(py, ["-c", code], {
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: join(root, "py") },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("npy header is 64-byte aligned and numpy reads the array back", () => {
  for (const shape of [[3], [2, 3, 4], [1, 2, 5, 5, 3]]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const h = npyHeader(shape);
    assert.equal(h.length % 64, 0);
    const data = Buffer.from(Array.from({ length: n }, (_, i) => i % 251));
    const file = join(dir, `a${shape.length}.npy`);
    writeFileSync(file, Buffer.concat([h, data]));
    const out = python(
      `import numpy as np; a=np.load(${JSON.stringify(file)}); print(a.dtype, list(a.shape), int(a.sum()))`,
    );
    assert.equal(out, `uint8 [${shape.join(", ")}] ${[...data].reduce((a, b) => a + b, 0)}`);
    assert.deepEqual(readNpyU8(file).shape, shape);
  }
});

test("writeShards decodes a synthetic set that the Python reader accepts", async () => {
  const data = join(dir, "synth");
  await generateDataset({ n: 8, seed: 77, out: data, preset: "easy" });
  const out = join(dir, "shard");
  const r = await writeShards({ data, frames: 4, size: 16, out });
  assert.equal(r.questions, 8);
  assert.equal(r.clips, 2);
  const { shape, data: bytes } = readNpyU8(join(out, "frames.npy"));
  assert.deepEqual(shape, [8, 4, 16, 16, 3]);
  assert.ok(
    bytes.some((b) => b > 0),
    "frames are not blank",
  );
  const q = JSON.parse(readFileSync(join(out, "questions.json"), "utf8"));
  assert.equal(q.items.length, 8);
  for (const it of q.items)
    assert.ok(it.answer >= 0 && it.answer < it.options.length && it.category && it.question);
  // questions on one clip share its frames
  const same = q.items.findIndex(
    (it: { video_id: string }, i: number) => i > 0 && it.video_id === q.items[0].video_id,
  );
  assert.ok(same > 0);
  assert.ok(bytes.subarray(0, 3072).equals(bytes.subarray(same * 3072, same * 3072 + 3072)));
  const seen = python(
    `from kinema_py.data import read_shard; s=read_shard(${JSON.stringify(out)}); print(s.frames.shape, len(s.items))`,
  );
  assert.equal(seen, "(8, 4, 16, 16, 3) 8");
});

test("bad frame counts are refused with the field named", async () => {
  await assert.rejects(
    writeShards({ data: dir, frames: 0, size: 16, out: join(dir, "x") }),
    /frames must be/,
  );
});
