// `builtin:<name>` adapters: the shipped ONNX reference models (models/), scored with onnxruntime-node.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KinemaError } from "../util/errors.ts";
import type { AdapterOptions } from "./index.ts";
import type { ObjectSpec } from "./object.ts";
import {
  type BuiltinEntry,
  type BuiltinSpec,
  bestLetter,
  checkOptionCount,
  describeBuiltin,
  encodeText,
  mcqRequest,
  openSession,
  packFrames,
} from "./onnx.ts";
import type { ModelAdapter, ModelRequest, ModelResponse } from "./types.ts";

/** Where the shipped models live: <repo>/models (override with KINEMA_MODELS_DIR or opts.modelsDir). */
export function modelsDir(opts: { modelsDir?: unknown } = {}): string {
  if (typeof opts.modelsDir === "string") return opts.modelsDir;
  return process.env.KINEMA_MODELS_DIR ?? join(import.meta.dirname, "..", "..", "models");
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

export interface BuiltinScorer {
  spec: BuiltinSpec;
  /** Option logits for one clip: frames (N*S*S*3 uint8), question text, option texts. */
  score(frames: Uint8Array, question: string, options: string[]): Promise<number[]>;
  /** Same, from pre-tokenized ids (parity tests). */
  scoreIds(frames: Uint8Array, q: number[], opts: number[][]): Promise<number[]>;
  close(): Promise<void>;
}

/** Opens a built-in's graph (onnxruntime-node is loaded only when a built-in is actually used). */
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
  const file = onnxPath ?? join(dir, `${name}.onnx`);
  if (!existsSync(file)) throw new KinemaError("not_found", "built-in model weights are missing", { file });
  const { ort, session } = await openSession(file);
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
      checkOptionCount(options, spec);
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
    // Unless the user asks otherwise, the frames it was trained on: its own count, uniformly sampled, decoded
    // straight to its size (as `kinema shards` made them), not the benchmark's 16 repeated up to its count.
    defaults: { frames: `uniform:${spec.n_frames}`, size: spec.image_size, fit: "stretch" },
    describe: () => describeBuiltin(name, spec, weights),
    async generate(req: ModelRequest): Promise<ModelResponse> {
      const { question, rgb } = mcqRequest(req);
      scorer ??= openBuiltin(name, dir);
      const s = await scorer;
      const logits = await s.score(
        packFrames(rgb, spec.n_frames, spec.image_size),
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
