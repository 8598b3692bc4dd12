// The one adapter interface every model (remote API, built-in ONNX, random) and judge implements.
import type { Rle } from "../masks/rle.ts";
import type { RgbFrames } from "../video/types.ts";

/** Decoded RGB frames live with the video code; re-exported here for adapters. */
export type { RgbFrames };

export interface ModelImage {
  /** Encoded image bytes as sent to API models. */
  data: Buffer;
  mime: "image/jpeg" | "image/png";
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/**
 * Region input (VideoRefer): every object the question refers to, in the order of its `<region>` tags, with
 * its mask on each frame sent (`frames[i]` is the i-th frame sent; null: no mask there). Only adapters that
 * declare `needs.regions` get it; the masks are part of the request cache key.
 */
export interface RegionInput {
  /** Frame indices (into the video) of the frames sent, in the order sent. */
  frames: number[];
  objects: { tag: string; masks: (Rle | null)[] }[];
}

export interface ModelRequest {
  /** Text messages; images are attached to the last user message, before its text. */
  messages: ChatMessage[];
  images: ModelImage[];
  /** Raw pixels, when the adapter asked for them (`needsRgb`). */
  rgb?: RgbFrames;
  /** Each object's masks on the frames sent, for adapters that declare `needs.regions`. */
  regions?: RegionInput;
  /** The structured question, for adapters that score options themselves (built-ins, random). */
  question?: { text: string; options: string[]; category: string };
  params: GenerationParams;
  /** Benchmark sample id, for adapters that are deterministic per sample (random). */
  sampleId?: string;
}

export interface GenerationParams {
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  /** Sent only when set (TempCompass's judge sends top_p 1 and presence_penalty 1, as upstream). */
  topP?: number;
  presencePenalty?: number;
}

export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
}

export interface ModelResponse {
  text: string;
  usage?: Usage;
  /** Model name/snapshot the server reported (e.g. `gpt-4o-2024-08-06`). */
  servedModel?: string;
  /** Number of HTTP attempts it took (retries included). */
  attempts?: number;
  /** Why generation stopped (`stop`, `length`, ...), when the server says. */
  finishReason?: string;
  /** Backend configuration fingerprint, when the server reports one. */
  systemFingerprint?: string;
  /** Set when the reply was longer than the adapter keeps: its full UTF-8 size and the bytes kept in `text`. */
  truncated?: { bytes: number; kept: number };
}

export interface ModelAdapter {
  /** Spec string, e.g. `openai:gpt-4o`, `random:0`, `builtin:te-fusion-k4`. */
  readonly spec: string;
  /** Whether requests need encoded images, raw RGB, or neither. */
  readonly needs: { images: boolean; rgb: boolean; regions?: boolean };
  /**
   * Most images one request may carry, and what the runner does with more: `subsample` evenly
   * (the indices actually sent are recorded) or `error` (the sample fails with bad_input).
   * Absent: no limit.
   */
  readonly maxImages?: { limit: number; policy: "subsample" | "error" };
  /**
   * The model's input holds exactly this many frames (the built-ins resample whatever they get to it).
   * `kinema audit` then repeats the one frame of `first`/`last` and sends blank frames for `none`.
   */
  readonly fixedFrames?: number;
  /** What the model prefers when the user gives no --frames/--size/--fit (built-ins trained on a setting). */
  readonly defaults?: { frames?: string; size?: number; fit?: string };
  /** Everything needed to reproduce this model's outputs (no secrets). */
  describe(): Record<string, unknown>;
  /**
   * Answers one request. Throws KinemaError with code rate_limited | http_status | timeout |
   * bad_response | network on failure; the runner decides about retries via `retryable`.
   */
  generate(req: ModelRequest, signal?: AbortSignal): Promise<ModelResponse>;
  /**
   * One cheap request that checks the endpoint before a run (remote adapters only). Throws
   * KinemaError("preflight") with the cause; returns warnings that do not stop the run.
   */
  preflight?(
    role: "model" | "judge",
    signal?: AbortSignal,
    warn?: (w: string) => void,
  ): Promise<{ warnings: string[]; checked: "models" | "completion" }>;
  close?(): Promise<void>;
}
