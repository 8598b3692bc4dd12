// Model registry: `createAdapter(spec, opts)` dispatches on the spec's prefix (openai:, random, builtin:).
import { KinemaError } from "../util/errors.ts";
import { createOpenAIAdapter, type OpenAIOptions } from "./openai.ts";
import { createRandomAdapter } from "./random.ts";
import type { ModelAdapter } from "./types.ts";

export type { ModelAdapter } from "./types.ts";

export interface AdapterOptions extends OpenAIOptions {
  /** Folder of built-in model weights (default: KINEMA_MODELS_DIR or ./models). */
  modelsDir?: string;
  /** Free-form options for other adapter kinds (built-ins read their own keys). */
  [key: string]: unknown;
}

/** Makes an adapter from the part of the spec after `prefix:` (may be ""). */
export type AdapterFactory = (rest: string, opts: AdapterOptions) => ModelAdapter | Promise<ModelAdapter>;

export interface AdapterKind {
  factory: AdapterFactory;
  /** Names usable after the prefix, for listings (`kinema start`, help); may load lazily. */
  list?: () => string[] | Promise<string[]>;
}

const kinds = new Map<string, AdapterKind>();

/** Registers (or replaces) an adapter kind under a prefix; e.g. builtin models register `builtin`. */
export function registerAdapter(prefix: string, kind: AdapterKind): void {
  kinds.set(prefix, kind);
}

/**
 * The built-in ONNX models live in ./builtin.ts (owned by the built-in models). It is imported only when a
 * `builtin:` spec is used or listed, so onnxruntime never loads at CLI startup. Contract for that module:
 * `export function createBuiltinAdapter(name: string, opts: AdapterOptions): ModelAdapter | Promise<ModelAdapter>`
 * and `export function listBuiltins(): string[] | Promise<string[]>` (names usable as `builtin:<name>`).
 */
const BUILTIN_MODULE = "./builtin.ts";
async function loadBuiltin(): Promise<{
  createBuiltinAdapter: AdapterFactory;
  listBuiltins?: () => string[] | Promise<string[]>;
} | null> {
  try {
    // A variable specifier keeps the type checker and bundlers from requiring the file to exist.
    return await import(BUILTIN_MODULE);
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && String(e).includes("builtin.ts"))
      return null;
    throw e;
  }
}

function ensureDefaults(): void {
  if (!kinds.has("openai")) registerAdapter("openai", { factory: (rest, o) => createOpenAIAdapter(rest, o) });
  if (!kinds.has("random"))
    registerAdapter("random", { factory: (rest) => createRandomAdapter(rest || "0"), list: () => ["0"] });
  if (!kinds.has("builtin"))
    registerAdapter("builtin", {
      async factory(rest, o) {
        const m = await loadBuiltin();
        if (!m) throw new KinemaError("unsupported", "built-in models are not available in this build");
        return m.createBuiltinAdapter(rest, o);
      },
      async list() {
        const m = await loadBuiltin();
        return m?.listBuiltins ? await m.listBuiltins() : [];
      },
    });
}

/** Creates the adapter for a spec such as `openai:gpt-4o`, `random`, `random:3`, `builtin:te-fusion-k4`. */
export async function createAdapter(spec: string, opts: AdapterOptions = {}): Promise<ModelAdapter> {
  ensureDefaults();
  const i = spec.indexOf(":");
  const prefix = i < 0 ? spec : spec.slice(0, i);
  const rest = i < 0 ? "" : spec.slice(i + 1);
  const kind = kinds.get(prefix);
  if (!kind)
    throw new KinemaError(
      "bad_spec",
      `unknown model "${spec}": use one of ${[...kinds.keys()].map((k) => `${k}:…`).join(", ")}`,
      { field: "model" },
    );
  return await kind.factory(rest, opts);
}

/** All adapter specs that can be listed without configuration (random, built-ins). */
export async function listOfflineModels(): Promise<string[]> {
  ensureDefaults();
  const out: string[] = [];
  for (const [prefix, kind] of kinds) {
    if (prefix === "openai" || !kind.list) continue;
    for (const name of await kind.list()) out.push(`${prefix}:${name}`);
  }
  return out;
}
