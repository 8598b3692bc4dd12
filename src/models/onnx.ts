// What the ONNX built-ins share (builtin.ts: MotionBench models; object.ts: VideoRefer's object model): the
// sidecar spec, the Python side's tokenizer and frame rules, the graph's frame input, the lazily loaded
// onnxruntime session, option ids, the request check and the answer letter.
import { KinemaError } from "../util/errors.ts";
import type { ModelRequest, RgbFrames } from "./types.ts";

/** One entry of models/index.json, as `kinema models --json` prints it. */
export interface BuiltinEntry {
  name: string;
  method:
    | "none"
    | "pre-encoder"
    | "pllava"
    | "kangaroo"
    | "qformer"
    | "te-fusion"
    | "stab" // Video-Panda's encoder-free STAB (py/kinema_py/stab.py)
    | "encoder-baseline" // its ViT + Video-ChatGPT-pooling comparison
    | "videorefer"; // VideoRefer's object model: mask pooling, TTM, region tokens (py/kinema_py/object_model.py)
  k: number;
  n_frames: number;
  params: number;
  decoder_tokens: number;
  trained_on: string;
  test_acc: number | null;
  /** Object models only: the TTM union (merged tokens per object). */
  u?: number;
}

/** The sidecar NAME.json written by `python -m kinema_py.export`: what the graph needs as input. */
export interface BuiltinSpec extends BuiltinEntry {
  image_size: number;
  max_q: number;
  max_opt: number;
  max_options: number;
  vocab: string[];
}

const WORD_RE = /[a-z0-9]+/g;

/** The Python tokenizer's words: lowercase runs of [a-z0-9]. */
export const words = (t: string): string[] => t.toLowerCase().match(WORD_RE) ?? [];

/** The Python tokenizer's rule: lowercase, runs of [a-z0-9]; unknown words are 1, padding is 0. */
export function encodeText(vocab: Map<string, number>, text: string, length: number): number[] {
  const ids = words(text)
    .map((w) => vocab.get(w) ?? 1)
    .slice(0, length);
  while (ids.length < length) ids.push(0);
  return ids;
}

/** Segment-centre indices, the same rule as the Python side's frame_indices. */
export function frameIndices(stored: number, wanted: number): number[] {
  return Array.from({ length: wanted }, (_, i) =>
    Math.min(stored - 1, Math.floor(((i + 0.5) * stored) / wanted)),
  );
}

/** Nearest-neighbour resize of one RGB24 frame (only used when the runner decoded another size). */
function resizeRgb(src: Buffer, w: number, h: number, size: number): Buffer {
  const out = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / size));
    for (let x = 0; x < size; x++) {
      const sx = Math.min(w - 1, Math.floor(((x + 0.5) * w) / size));
      src.copy(out, (y * size + x) * 3, (sy * w + sx) * 3, (sy * w + sx) * 3 + 3);
    }
  }
  return out;
}

/** Packs decoded frames into the graph's (1, N, S, S, 3) uint8 input. */
export function packFrames(rgb: RgbFrames, n: number, size: number): Uint8Array {
  if (rgb.frames.length === 0) throw new KinemaError("bad_input", "no frames to score", { field: "rgb" });
  const out = new Uint8Array(n * size * size * 3);
  frameIndices(rgb.frames.length, n).forEach((fi, i) => {
    let f = rgb.frames[fi];
    if (rgb.width !== size || rgb.height !== size) f = resizeRgb(f, rgb.width, rgb.height, size);
    out.set(f, i * size * size * 3);
  });
  return out;
}

export type Ort = typeof import("onnxruntime-node");
export type Session = import("onnxruntime-node").InferenceSession;

/** Loads onnxruntime-node lazily (only when a built-in is actually used) and opens a graph, one thread. */
export async function openSession(file: string): Promise<{ ort: Ort; session: Session }> {
  const ort: Ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: 1,
    graphOptimizationLevel: "all",
  });
  return { ort, session };
}

/** A graph scores at most `max_options` options. */
export function checkOptionCount(options: string[], spec: BuiltinSpec): void {
  if (options.length > spec.max_options)
    throw new KinemaError(
      "bad_input",
      `${options.length} options; the model scores at most ${spec.max_options}`,
      {
        field: "options",
      },
    );
}

/** The (max_options × max_opt) option ids; an option with no word still takes its slot (id 1). */
export function optionIds(vocab: Map<string, number>, options: string[], spec: BuiltinSpec): BigInt64Array {
  checkOptionCount(options, spec);
  const o = new BigInt64Array(spec.max_options * spec.max_opt);
  options.forEach((t, i) => {
    const ids = words(t)
      .map((w) => vocab.get(w) ?? 1)
      .slice(0, spec.max_opt);
    if (ids.length === 0) ids.push(1);
    ids.forEach((id, j) => (o[i * spec.max_opt + j] = BigInt(id)));
  });
  return o;
}

/** A built-in's request: a multiple-choice question with decoded frames (else bad_input). */
export function mcqRequest(req: ModelRequest): {
  question: NonNullable<ModelRequest["question"]>;
  rgb: RgbFrames;
} {
  if (!req.question || req.question.options.length === 0)
    throw new KinemaError("bad_input", "built-in models answer multiple-choice questions only", {
      field: "question",
    });
  if (!req.rgb) throw new KinemaError("bad_input", "built-in models need decoded frames", { field: "rgb" });
  return { question: req.question, rgb: req.rgb };
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** The letter of the highest logit (the first on ties). */
export function bestLetter(logits: number[]): string {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return LETTERS[best];
}

/**
 * What a built-in's describe() reports (part of the cache key: the key order is kept); `extra` goes after `k`.
 * The weights' hash is in it, so a retrained model never reuses a stored run's answers.
 */
export function describeBuiltin(
  name: string,
  spec: BuiltinSpec,
  weights: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    kind: "builtin",
    name,
    method: spec.method,
    k: spec.k,
    ...extra,
    n_frames: spec.n_frames,
    image_size: spec.image_size,
    params: spec.params,
    trained_on: spec.trained_on,
    weights,
  };
}
