// The one adapter interface every model (remote API, built-in ONNX, random) and judge implements.

export interface ModelImage {
  /** Encoded image bytes as sent to API models. */
  data: Buffer;
  mime: "image/jpeg" | "image/png";
}

/** Decoded RGB frames for models that read pixels directly (built-in ONNX models). */
export interface RgbFrames {
  width: number;
  height: number;
  /** One Buffer of width*height*3 bytes (RGB24) per frame. */
  frames: Buffer[];
  indices: number[];
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ModelRequest {
  /** Text messages; images are attached to the last user message, before its text. */
  messages: ChatMessage[];
  images: ModelImage[];
  /** Raw pixels, when the adapter asked for them (`needsRgb`). */
  rgb?: RgbFrames;
  /** The structured question, for adapters that score options themselves (built-ins, random). */
  question?: { text: string; options: string[]; category: string };
  params: GenerationParams;
}

export interface GenerationParams {
  temperature?: number;
  maxTokens?: number;
  seed?: number;
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
}

export interface ModelAdapter {
  /** Spec string, e.g. `openai:gpt-4o`, `random:0`, `builtin:te-fusion-k4`. */
  readonly spec: string;
  /** Whether requests need encoded images, raw RGB, or neither. */
  readonly needs: { images: boolean; rgb: boolean };
  /** Everything needed to reproduce this model's outputs (no secrets). */
  describe(): Record<string, unknown>;
  /**
   * Answers one request. Throws KinemaError with code rate_limited | http_status | timeout |
   * bad_response | network on failure; the runner decides about retries via `retryable`.
   */
  generate(req: ModelRequest, signal?: AbortSignal): Promise<ModelResponse>;
  close?(): Promise<void>;
}
