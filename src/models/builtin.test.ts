// Built-in ONNX models: the shipped graphs give PyTorch's answers on a fixed batch (fixtures written by the
// Python exporter), the TypeScript tokenizer matches Python's, and the manifest lists what `kinema models` shows.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isKinemaError } from "../util/errors.ts";
import { createBuiltinAdapter, modelsDir, openBuiltin, readManifest } from "./builtin.ts";
import { createAdapter, listOfflineModels } from "./index.ts";
import { encodeText, frameIndices, packFrames } from "./onnx.ts";

interface Fixture {
  items: { question: string; options: string[] }[];
  frames_b64: string[];
  q_ids: number[][];
  opt_ids: number[][][];
  logits: number[][];
  argmax: number[];
}

const all = readManifest();
// The object model (method videorefer) takes masks too: src/models/object.test.ts replays its fixture.
const manifest = all.filter((m) => m.method !== "videorefer");
const fixture = (name: string): Fixture =>
  JSON.parse(readFileSync(join(modelsDir(), `${name}.fixture.json`), "utf8"));

test("the manifest ships every method, within 20 MB of weights", () => {
  const methods = new Set(manifest.map((m) => m.method));
  for (const m of [
    "none",
    "pre-encoder",
    "pllava",
    "kangaroo",
    "qformer",
    "te-fusion",
    "stab",
    "encoder-baseline",
  ])
    assert.ok(methods.has(m as never), m);
  for (const m of manifest) {
    // STAB: per frame a context token + 2 rows of (2 grid tokens + <row>); the encoder baseline: Video-ChatGPT's
    // one token per frame + one per patch position (16); the compressors: L = N*l/k with l = (S/patch)^2 / 4
    // (the 2x2 merge of the patch grid: 4 at 32 px, 9 at 48 px with patch 8)
    const cfg = JSON.parse(readFileSync(join(modelsDir(), `${m.name}.json`), "utf8")).config;
    const l = (cfg.image_size / cfg.patch) ** 2 / 4;
    const L =
      m.method === "stab"
        ? m.n_frames * 7
        : m.method === "encoder-baseline"
          ? m.n_frames + 16
          : (m.n_frames * l) / m.k;
    assert.equal(m.decoder_tokens, L, `${m.name}: decoder tokens`);
    assert.ok(m.params > 0 && typeof m.trained_on === "string" && m.trained_on.length > 0);
  }
  let bytes = 0;
  for (const m of all) bytes += readFileSync(join(modelsDir(), `${m.name}.onnx`)).length;
  assert.ok(bytes <= 20e6, `${bytes} bytes of weights`);
});

test("ONNX Runtime gives PyTorch's logits (≤ 1e-4) and answers on a fixed batch", async () => {
  for (const m of manifest) {
    const fx = fixture(m.name);
    const s = await openBuiltin(m.name);
    try {
      for (let i = 0; i < fx.items.length; i++) {
        const frames = new Uint8Array(Buffer.from(fx.frames_b64[i], "base64"));
        // the text path: TypeScript tokenizes the question and options itself
        const logits = await s.score(frames, fx.items[i].question, fx.items[i].options);
        const want = fx.logits[i].slice(0, fx.items[i].options.length);
        const diff = Math.max(...logits.map((x, j) => Math.abs(x - want[j])));
        assert.ok(diff <= 1e-4, `${m.name} clip ${i}: max |PyTorch − ORT| = ${diff}`);
      }
    } finally {
      await s.close();
    }
    // the adapter, as the runner calls it, answers with PyTorch's argmax letter
    const adapter = await createAdapter(`builtin:${m.name}`);
    assert.deepEqual(adapter.needs, { images: false, rgb: true });
    assert.match(String(adapter.describe().weights), /^[0-9a-f]{16}$/, "describe() pins the weights");
    const spec = JSON.parse(readFileSync(join(modelsDir(), `${m.name}.json`), "utf8"));
    const S = spec.image_size;
    for (let i = 0; i < fx.items.length; i++) {
      const buf = Buffer.from(fx.frames_b64[i], "base64");
      const frames = Array.from({ length: m.n_frames }, (_, f) =>
        buf.subarray(f * S * S * 3, (f + 1) * S * S * 3),
      );
      const r = await adapter.generate({
        messages: [],
        images: [],
        params: {},
        rgb: { width: S, height: S, frames, indices: frames.map((_, f) => f) },
        question: { text: fx.items[i].question, options: fx.items[i].options, category: "x" },
      });
      assert.equal(r.text, "ABCDEFGH"[fx.argmax[i]], `${m.name} clip ${i}`);
    }
    await adapter.close?.();
  }
});

test("tokenizer and frame sampling follow the Python rules", () => {
  const vocab = new Map(["<pad>", "<unk>", "3", "left", "right"].map((w, i) => [w, i]));
  assert.deepEqual(encodeText(vocab, "Right, then LEFT 3 times!", 6), [4, 1, 3, 2, 1, 0]);
  assert.deepEqual(frameIndices(32, 4), [4, 12, 20, 28]);
  assert.deepEqual(frameIndices(8, 8), [0, 1, 2, 3, 4, 5, 6, 7]);
  // a runner that decoded more frames at another size still feeds the graph N frames of S x S
  const big = Buffer.alloc(8 * 8 * 3, 7);
  const packed = packFrames({ width: 8, height: 8, frames: Array(10).fill(big), indices: [] }, 4, 4);
  assert.equal(packed.length, 4 * 4 * 4 * 3);
  assert.ok(packed.every((x) => x === 7));
});

test("unknown built-ins and missing inputs are clear errors", async () => {
  await assert.rejects(createBuiltinAdapter("no-such-model"), (e) => isKinemaError(e, "bad_spec"));
  const a = await createBuiltinAdapter(manifest[0].name);
  await assert.rejects(
    a.generate({
      messages: [],
      images: [],
      params: {},
      question: { text: "q", options: ["a", "b"], category: "x" },
    }),
    (e) => isKinemaError(e, "bad_input"),
  );
  assert.ok((await listOfflineModels()).includes(`builtin:${manifest[0].name}`));
});
