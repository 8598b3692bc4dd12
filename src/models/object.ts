// The object-level built-in (VideoRefer's model, py/kinema_py/object_model.py): frames plus each object's
// masks on them (region input) → region tokens → option logits, scored with onnxruntime-node.
import { decodeMask, type Rle } from "../masks/rle.ts";
import { KinemaError } from "../util/errors.ts";
import {
  type BuiltinSpec,
  bestLetter,
  describeBuiltin,
  frameIndices,
  mcqRequest,
  openSession,
  optionIds,
  packFrames,
  words,
} from "./onnx.ts";
import { REGION_RE, regionTags } from "./regions.ts";
import type { ModelAdapter, ModelRequest, ModelResponse, RegionInput, RgbFrames } from "./types.ts";

/** The sidecar of an object model: a BuiltinSpec whose config says how regions enter the question. */
export interface ObjectSpec extends BuiltinSpec {
  method: "videorefer";
  /** TTM union: merged tokens per object. */
  u: number;
  max_objects: number;
  /** false: the same backbone without region input (set-of-mark frames only). */
  regions: boolean;
}

/**
 * The Python rule (object_model.encode_question): text words map to ids (unknown 1, padding 0); the n-th
 * region keeps its `objectN` word and, with regions, becomes u slots of the `<region>` id whose region index
 * is n*u + j; region -1 marks text and padding.
 */
export function encodeRegionQuestion(
  vocab: Map<string, number>,
  question: string,
  u: number,
  length: number,
  regions = true,
): { ids: number[]; region: number[] } {
  const ids: number[] = [];
  const region: number[] = [];
  const rid = vocab.get("<region>") ?? 1;
  let pos = 0;
  let n = 0;
  for (const m of question.matchAll(REGION_RE)) {
    const tag = m[1] !== undefined ? [`object${m[1]}`] : [];
    for (const w of [...words(question.slice(pos, m.index)), ...tag]) {
      ids.push(vocab.get(w) ?? 1);
      region.push(-1);
    }
    if (regions)
      for (let j = 0; j < u; j++) {
        ids.push(rid);
        region.push(n * u + j);
      }
    pos = m.index + m[0].length;
    n++;
  }
  for (const w of words(question.slice(pos))) {
    ids.push(vocab.get(w) ?? 1);
    region.push(-1);
  }
  const outIds = ids.slice(0, length);
  const outReg = region.slice(0, length);
  while (outIds.length < length) {
    outIds.push(0);
    outReg.push(-1);
  }
  return { ids: outIds, region: outReg };
}

/**
 * Resize of a 0/1 mask where an output pixel is set when any source pixel it covers is set: a small object
 * (a few pixels at the source size) is never lost on the way down, which nearest sampling would do; the
 * model then resizes to its patch grid bilinearly and binarises (> 0), as VideoRefer does.
 */
export function resizeMaskAny(src: Uint8Array, w: number, h: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const y0 = Math.min(h - 1, Math.floor((y * h) / size));
    const y1 = Math.max(y0 + 1, Math.ceil(((y + 1) * h) / size));
    for (let x = 0; x < size; x++) {
      const x0 = Math.min(w - 1, Math.floor((x * w) / size));
      const x1 = Math.max(x0 + 1, Math.ceil(((x + 1) * w) / size));
      let v = 0;
      for (let yy = y0; yy < y1 && !v; yy++) for (let xx = x0; xx < x1; xx++) if (src[yy * w + xx]) v = 1;
      out[y * size + x] = v;
    }
  }
  return out;
}

/**
 * The graph's (1, O, N, S, S) uint8 mask input: object k's mask on each of the N frames packFrames picks
 * from the frames sent (null → empty), resized to S×S like the frames. `masks[k][i]` is object k on the i-th
 * frame sent (resized by resizeMaskAny).
 */
export function packMasks(
  masks: readonly (readonly (Rle | null)[])[],
  sent: number,
  n: number,
  size: number,
  slots: number,
): Uint8Array {
  if (masks.length > slots)
    throw new KinemaError("bad_input", `${masks.length} objects; the model has ${slots} object slots`, {
      field: "regions",
    });
  const out = new Uint8Array(slots * n * size * size);
  const pick = frameIndices(sent, n);
  masks.forEach((om, k) => {
    if (om.length !== sent)
      throw new KinemaError("bad_input", `object ${k} has ${om.length} masks for ${sent} frames`, {
        field: "regions",
      });
    pick.forEach((fi, i) => {
      const rle = om[fi];
      if (!rle) return;
      const [h, w] = rle.size;
      out.set(resizeMaskAny(decodeMask(rle), w, h, size), (k * n + i) * size * size);
    });
  });
  return out;
}

export interface ObjectScorer {
  spec: ObjectSpec;
  score(frames: Uint8Array, masks: Uint8Array, question: string, options: string[]): Promise<number[]>;
  close(): Promise<void>;
}

export async function openObjectModel(spec: ObjectSpec, file: string): Promise<ObjectScorer> {
  const { ort, session } = await openSession(file);
  const vocab = new Map(spec.vocab.map((w, i) => [w, i]));
  const { n_frames: N, image_size: S, max_objects: O } = spec;
  return {
    spec,
    async score(frames, masks, question, options) {
      const o = optionIds(vocab, options, spec);
      const q = encodeRegionQuestion(vocab, question, spec.u, spec.max_q, spec.regions);
      const out = await session.run({
        frames: new ort.Tensor("uint8", frames, [1, N, S, S, 3]),
        masks: new ort.Tensor("uint8", masks, [1, O, N, S, S]),
        q_ids: new ort.Tensor("int64", BigInt64Array.from(q.ids.map(BigInt)), [1, spec.max_q]),
        q_region: new ort.Tensor("int64", BigInt64Array.from(q.region.map(BigInt)), [1, spec.max_q]),
        opt_ids: new ort.Tensor("int64", o, [1, spec.max_options, spec.max_opt]),
      });
      return Array.from(out.logits.data as Float32Array).slice(0, options.length);
    },
    close: () => session.release(),
  };
}

/** Masks of the request's region input, per object and frame sent; none when the request carries none. */
function requestMasks(regions: RegionInput | undefined, rgb: RgbFrames): (Rle | null)[][] {
  if (!regions) return [];
  return regions.objects.map((o) => (o.masks.length === rgb.frames.length ? o.masks : []));
}

/** The harness adapter of an object model: needs RGB frames, the structured question and region input. */
export function createObjectAdapter(
  name: string,
  spec: ObjectSpec,
  file: string,
  weights: string,
): ModelAdapter {
  let scorer: Promise<ObjectScorer> | undefined;
  return {
    spec: `builtin:${name}`,
    needs: { images: false, rgb: true, regions: true },
    fixedFrames: spec.n_frames,
    describe: () => describeBuiltin(name, spec, weights, { u: spec.u, regions: spec.regions }),
    async generate(req: ModelRequest): Promise<ModelResponse> {
      const { question, rgb } = mcqRequest(req);
      const tags = regionTags(question.text);
      const masks = requestMasks(req.regions, rgb);
      if (spec.regions && tags.length > 0 && masks.length < tags.length)
        throw new KinemaError(
          "bad_input",
          `the question refers to ${tags.length} regions but the request carries masks for ${masks.length}`,
          { field: "regions" },
        );
      scorer ??= openObjectModel(spec, file);
      const s = await scorer;
      const logits = await s.score(
        packFrames(rgb, spec.n_frames, spec.image_size),
        packMasks(
          spec.regions ? masks : [],
          rgb.frames.length,
          spec.n_frames,
          spec.image_size,
          spec.max_objects,
        ),
        question.text,
        question.options,
      );
      return { text: bestLetter(logits), servedModel: `builtin:${name}` };
    },
    async close() {
      if (scorer) await (await scorer).close();
    },
  };
}
