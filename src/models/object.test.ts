// The object built-in (VideoRefer): its shipped graph replays PyTorch's logits (≤ 1e-4) from the exporter's
// fixture, the adapter answers through region input as the runner sends it, and the pure helpers (question
// encoding, mask packing, mask PNGs) follow the rules the Python side uses.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { decodeMaskPng, encodeMaskPng } from "../masks/png.ts";
import { encodeMask } from "../masks/rle.ts";
import { isKinemaError } from "../util/errors.ts";
import { modelsDir, readManifest } from "./builtin.ts";
import { createAdapter } from "./index.ts";
import {
  encodeRegionQuestion,
  type ObjectSpec,
  openObjectModel,
  packMasks,
  resizeMaskAny,
} from "./object.ts";
import { regionTags } from "./regions.ts";

const objects = readManifest().filter((m) => m.method === "videorefer");

interface Fixture {
  items: { question: string; options: string[] }[];
  frames_b64: string[];
  masks_b64: string[];
  q_ids: number[][];
  q_region: number[][];
  logits: number[][];
}

test("an object model ships, listed with its TTM union u", () => {
  assert.ok(objects.length >= 1, "no videorefer model in models/index.json");
  for (const m of objects) {
    assert.ok(Number.isInteger(m.u) && (m.u as number) >= 1 && (m.u as number) <= m.k, `${m.name}: u`);
    const spec = JSON.parse(readFileSync(join(modelsDir(), `${m.name}.json`), "utf8")) as ObjectSpec;
    const g = (spec as unknown as { config: { global_grid: number } }).config;
    // global tokens (frames x grid^2) plus u region tokens per object slot
    assert.equal(m.decoder_tokens, m.n_frames * g.global_grid ** 2 + spec.max_objects * spec.u);
  }
});

test("ONNX Runtime replays PyTorch's logits and question ids; the adapter answers from region input", async () => {
  for (const m of objects) {
    const spec = JSON.parse(readFileSync(join(modelsDir(), `${m.name}.json`), "utf8")) as ObjectSpec;
    const fx = JSON.parse(readFileSync(join(modelsDir(), `${m.name}.fixture.json`), "utf8")) as Fixture;
    const s = await openObjectModel(spec, join(modelsDir(), `${m.name}.onnx`));
    const vocab = new Map(spec.vocab.map((w, i) => [w, i]));
    const b = (x: string) => new Uint8Array(Buffer.from(x, "base64"));
    for (let i = 0; i < fx.items.length; i++) {
      const q = encodeRegionQuestion(vocab, fx.items[i].question, spec.u, spec.max_q, spec.regions);
      assert.deepEqual(q, { ids: fx.q_ids[i], region: fx.q_region[i] });
      const logits = await s.score(
        b(fx.frames_b64[i]),
        b(fx.masks_b64[i]),
        fx.items[i].question,
        fx.items[i].options,
      );
      const want = fx.logits[i].slice(0, fx.items[i].options.length);
      const diff = Math.max(...logits.map((x, j) => Math.abs(x - want[j])));
      assert.ok(diff <= 1e-4, `${m.name} item ${i}: max |PyTorch − ORT| = ${diff}`);
    }
    await s.close();
    // Through the adapter: frames as RGB and each object's masks as RLE on the frames sent.
    const adapter = await createAdapter(`builtin:${m.name}`);
    assert.deepEqual(adapter.needs, { images: false, rgb: true, regions: true });
    assert.equal(adapter.describe().u, spec.u);
    const S = spec.image_size;
    const N = spec.n_frames;
    for (let i = 0; i < fx.items.length; i++) {
      const fb = Buffer.from(fx.frames_b64[i], "base64");
      const mb = Buffer.from(fx.masks_b64[i], "base64");
      const frames = Array.from({ length: N }, (_, f) => fb.subarray(f * S * S * 3, (f + 1) * S * S * 3));
      const tags = regionTags(fx.items[i].question);
      const regions = {
        frames: frames.map((_, f) => f),
        objects: tags.map((tag, k) => ({
          tag,
          masks: frames.map((_, f) => {
            const px = new Uint8Array(mb.subarray((k * N + f) * S * S, (k * N + f + 1) * S * S));
            return px.some((x) => x) ? encodeMask(px, S, S) : null;
          }),
        })),
      };
      const want = fx.logits[i].slice(0, fx.items[i].options.length);
      const best = want.indexOf(Math.max(...want));
      const r = await adapter.generate({
        messages: [],
        images: [],
        params: {},
        rgb: { width: S, height: S, frames, indices: regions.frames },
        regions,
        question: { text: fx.items[i].question, options: fx.items[i].options, category: "x" },
      });
      assert.equal(r.text, "ABCDEFGH"[best], `${m.name} item ${i}`);
      // a request without the masks its question refers to is a clear error, not a guess
      await assert.rejects(
        adapter.generate({
          messages: [],
          images: [],
          params: {},
          rgb: { width: S, height: S, frames, indices: regions.frames },
          question: { text: fx.items[i].question, options: fx.items[i].options, category: "x" },
        }),
        (e) => isKinemaError(e, "bad_input"),
      );
    }
    await adapter.close?.();
  }
});

test("region question encoding: the n-th region is slot n, u slots each, objectN kept as a word", () => {
  const vocab = new Map(
    ["<pad>", "<unk>", "do", "does", "object0", "object3", "what", "with", "<region>"].map((w, i) => [w, i]),
  );
  const q = encodeRegionQuestion(vocab, "What does <object0><region> do with <object3>[<region>]?", 2, 12);
  assert.deepEqual(q.ids, [6, 3, 4, 8, 8, 2, 7, 5, 8, 8, 0, 0]);
  assert.deepEqual(q.region, [-1, -1, -1, 0, 1, -1, -1, -1, 2, 3, -1, -1]);
  const none = encodeRegionQuestion(vocab, "What does <object0><region> do?", 2, 5, false);
  assert.deepEqual(none, { ids: [6, 3, 4, 2, 0], region: [-1, -1, -1, -1, -1] });
  assert.deepEqual(regionTags("There are two objects: <object0> [<region>], <object1> [<region>]."), [
    "<object0>",
    "<object1>",
  ]);
});

test("masks: any-pixel downsizing keeps small objects; packing follows the frame sampling; PNG round trip", () => {
  const src = new Uint8Array(8 * 8);
  src[5 * 8 + 6] = 1; // one pixel: nearest sampling at 2x would miss it
  const small = resizeMaskAny(src, 8, 8, 4);
  assert.deepEqual(
    [...small.keys()].filter((i) => small[i]),
    [2 * 4 + 3],
  );
  const rle = encodeMask(src, 8, 8);
  // 3 frames sent, N = 2 picked at segment centres (frameIndices(3, 2) = [0, 2]): both carry the mask
  const packed = packMasks([[rle, null, rle]], 3, 2, 4, 2);
  assert.equal(packed.length, 2 * 2 * 4 * 4);
  assert.equal(
    packed.slice(0, 32).reduce((a, x) => a + x, 0),
    2,
  );
  assert.equal(
    packMasks([[null, rle, null]], 3, 2, 4, 2).reduce((a, x) => a + x, 0),
    0,
    "frame 1 is not picked",
  );
  assert.equal(
    packed.slice(16 * 2).reduce((a, x) => a + x, 0),
    0,
    "object slot 1 stays empty",
  );
  assert.throws(
    () => packMasks([[rle], [rle], [rle]], 1, 2, 4, 2),
    (e) => isKinemaError(e, "bad_input"),
  );
  const png = encodeMaskPng(src, 8, 8);
  assert.deepEqual(decodeMaskPng(png), { mask: src, h: 8, w: 8 });
});
