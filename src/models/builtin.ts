// `builtin:<name>` adapters: the shipped ONNX reference models (models/), scored with onnxruntime-node.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KinemaError } from "../util/errors.ts";
import type { AdapterOptions } from "./index.ts";
import type { ObjectSpec } from "./object.ts";
import type { ModelAdapter, ModelRequest, ModelResponse, RgbFrames } from "./types.ts";

/** Where the shipped models live: <repo>/models (override with KINEMA_MODELS_DIR or opts.modelsDir). */
export function modelsDir(opts: { modelsDir?: unknown } = {}): string {
  if (typeof opts.modelsDir === "string") return opts.modelsDir;
  return process.env.KINEMA_MODELS_DIR ?? join(import.meta.dirname, "..", "..", "models");
}

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

export function readManifest(dir = modelsDir()): BuiltinEntry[] {
  const file = join(dir, "index.json");
  if (!existsSync(file)) return [];
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as { models: BuiltinEntry[] };
    return data.models;
  } catch (e) {
    throw new KinemaError("bad_input", `cannot read the built-in model manifest: ${(e as Error).message}`, {
      file,
    });
  }
}

export function listBuiltins(): string[] {
  return readManifest().map((m) => m.name);
}

/** Built-ins that answer from region input (VideoRefer's object model): not MotionBench models. */
export function isObjectBuiltin(name: string): boolean {
  return readManifest().some((m) => m.name === name && (m as { method?: string }).method === "videorefer");
}

export function readSpec(name: string, dir = modelsDir()): BuiltinSpec {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name))
    throw new KinemaError("bad_spec", `bad built-in model name "${name}"`, { field: "model" });
  const file = join(dir, `${name}.json`);
  if (!existsSync(file))
    throw new KinemaError(
      "bad_spec",
      `unknown built-in model "${name}" (have: ${listBuiltinsIn(dir).join(", ") || "none"})`,
      { field: "model" },
    );
  return JSON.parse(readFileSync(file, "utf8")) as BuiltinSpec;
}

function listBuiltinsIn(dir: string): string[] {
  return readManifest(dir).map((m) => m.name);
}

/** The Python tokenizer's rule: lowercase, runs of [a-z0-9]; unknown words are 1, padding is 0. */
export function encodeText(vocab: Map<string, number>, text: string, length: number): number[] {
  const ids = (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).map((w) => vocab.get(w) ?? 1).slice(0, length);
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

type Ort = typeof import("onnxruntime-node");
type Session = import("onnxruntime-node").InferenceSession;

export interface BuiltinScorer {
  spec: BuiltinSpec;
  /** Option logits for one clip: frames (N*S*S*3 uint8), question text, option texts. */
  score(frames: Uint8Array, question: string, options: string[]): Promise<number[]>;
  /** Same, from pre-tokenized ids (parity tests). */
  scoreIds(frames: Uint8Array, q: number[], opts: number[][]): Promise<number[]>;
  close(): Promise<void>;
}

/** Loads onnxruntime-node lazily (only when a built-in is actually used) and opens the model's graph. */
export async function openBuiltin(
  name: string,
  dir = modelsDir(),
  onnxPath?: string,
): Promise<BuiltinScorer> {
  const spec = readSpec(name, dir);
  if (spec.method === "videorefer")
    throw new KinemaError("unsupported", `${name} is an object model: it takes masks (use openObjectModel)`, {
      field: "model",
    });
  const ort: Ort = await import("onnxruntime-node");
  const file = onnxPath ?? join(dir, `${name}.onnx`);
  if (!existsSync(file)) throw new KinemaError("not_found", "built-in model weights are missing", { file });
  const session: Session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: 1,
    graphOptimizationLevel: "all",
  });
  const vocab = new Map(spec.vocab.map((w, i) => [w, i]));
  const N = spec.n_frames;
  const S = spec.image_size;
  const scoreIds = async (frames: Uint8Array, q: number[], opts: number[][]) => {
    if (frames.length !== N * S * S * 3)
      throw new KinemaError("bad_input", `expected ${N} frames of ${S}x${S}`, { field: "rgb" });
    const o = new BigInt64Array(spec.max_options * spec.max_opt);
    opts.forEach((row, i) => row.forEach((id, j) => (o[i * spec.max_opt + j] = BigInt(id))));
    const feeds = {
      frames: new ort.Tensor("uint8", frames, [1, N, S, S, 3]),
      q_ids: new ort.Tensor("int64", BigInt64Array.from(q.map(BigInt)), [1, spec.max_q]),
      opt_ids: new ort.Tensor("int64", o, [1, spec.max_options, spec.max_opt]),
    };
    const out = await session.run(feeds);
    return Array.from(out.logits.data as Float32Array);
  };
  return {
    spec,
    scoreIds,
    async score(frames, question, options) {
      if (options.length > spec.max_options)
        throw new KinemaError(
          "bad_input",
          `${options.length} options; the model scores at most ${spec.max_options}`,
          {
            field: "options",
          },
        );
      const rows = options.map((t) => {
        const ids = encodeText(vocab, t, spec.max_opt);
        if (!ids.some((x) => x !== 0)) ids[0] = 1; // an option with no known word still takes its slot
        return ids;
      });
      const logits = await scoreIds(frames, encodeText(vocab, question, spec.max_q), rows);
      return logits.slice(0, options.length);
    },
    close: () => session.release(),
  };
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** The harness adapter: needs raw RGB and the structured question; answers with the best option's letter. */
export async function createBuiltinAdapter(name: string, opts: AdapterOptions = {}): Promise<ModelAdapter> {
  const dir = modelsDir(opts);
  const spec = readSpec(name, dir);
  const file = join(dir, `${name}.onnx`);
  if (!existsSync(file)) throw new KinemaError("not_found", "built-in model weights are missing", { file });
  // The weights' hash goes into describe(), so a retrained model never reuses a stored run's answers.
  const weights = createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 16);
  if (spec.method === "videorefer") {
    const { createObjectAdapter } = await import("./object.ts");
    return createObjectAdapter(name, spec as ObjectSpec, file, weights);
  }
  let scorer: Promise<BuiltinScorer> | undefined;
  return {
    spec: `builtin:${name}`,
    needs: { images: false, rgb: true },
    fixedFrames: spec.n_frames,
    describe: () => ({
      kind: "builtin",
      name,
      method: spec.method,
      k: spec.k,
      n_frames: spec.n_frames,
      image_size: spec.image_size,
      params: spec.params,
      trained_on: spec.trained_on,
      weights,
    }),
    async generate(req: ModelRequest): Promise<ModelResponse> {
      if (!req.question || req.question.options.length === 0)
        throw new KinemaError("bad_input", "built-in models answer multiple-choice questions only", {
          field: "question",
        });
      if (!req.rgb)
        throw new KinemaError("bad_input", "built-in models need decoded frames", { field: "rgb" });
      scorer ??= openBuiltin(name, dir);
      const s = await scorer;
      const logits = await s.score(
        packFrames(req.rgb, spec.n_frames, spec.image_size),
        req.question.text,
        req.question.options,
      );
      let best = 0;
      for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
      return { text: LETTERS[best], servedModel: `builtin:${name}` };
    },
    async close() {
      if (scorer) await (await scorer).close();
    },
  };
}
