// `openai:<model>` adapter: translates a kinema request to an OpenAI-compatible chat-completions call and back.
import { encodeMaskPng } from "../masks/png.ts";
import { decodeMask } from "../masks/rle.ts";
import { KinemaError } from "../util/errors.ts";
import { redactSecrets } from "../util/redact.ts";
import { preflightOpenAI } from "./preflight.ts";
import type { ModelAdapter, ModelRequest, ModelResponse } from "./types.ts";

export interface OpenAIOptions {
  /** Server root including `/v1`, e.g. `http://127.0.0.1:8000/v1`. Default: OPENAI_BASE_URL or api.openai.com. */
  baseUrl?: string;
  /** Name of the env var holding the API key (default OPENAI_API_KEY). The key itself is never stored. */
  apiKeyEnv?: string;
  /** Extra HTTP headers sent with every request (values are never recorded, only names). */
  headers?: Record<string, string>;
  /** Most images per request; more are subsampled evenly or rejected (see ModelAdapter.maxImages). */
  maxImages?: number;
  maxImagesPolicy?: "subsample" | "error";
  /** `detail` of image_url parts (`low` keeps token counts small on hosted APIs). Omitted when unset. */
  imageDetail?: "low" | "high" | "auto";
  /** Environment to read the key from (tests inject one). */
  env?: NodeJS.ProcessEnv;
  /**
   * `masks`: the server is region-capable (a VideoRefer-style model behind its own endpoint): each object's
   * mask on each frame sent goes as an extra PNG image part after a text label (docs/object-model.md).
   * Unset: no region input (general models; use a set-of-mark preset to show the objects).
   */
  regionInput?: "masks";
}

/** Parses Retry-After: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, (t - now) / 1000);
}

/** Reply text kept per answer (UTF-8 bytes); the rest is dropped and the drop recorded. */
export const MAX_REPLY_BYTES = 64 * 1024;
/** Largest HTTP body read for an answer (its JSON must be parsed whole to find the text). */
export const MAX_BODY_BYTES = 32 * 2 ** 20;

/** Reads at most `limit` bytes of a body; `over` when there was more (the rest is never buffered). */
export async function readCapped(res: Response, limit: number): Promise<{ data: Buffer; over: boolean }> {
  if (!res.body) return { data: Buffer.alloc(0), over: false };
  const chunks: Buffer[] = [];
  let n = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (n + value.byteLength > limit) {
      chunks.push(Buffer.from(value.buffer, value.byteOffset, limit - n));
      n = limit;
      await reader.cancel().catch(() => {});
      return { data: Buffer.concat(chunks, n), over: true };
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    n += value.byteLength;
  }
  return { data: Buffer.concat(chunks, n), over: false };
}

/** The first MAX_REPLY_BYTES of a reply (cut at a character boundary) and, when cut, the sizes. */
export function capReply(
  text: string,
  limit = MAX_REPLY_BYTES,
): { text: string; truncated?: { bytes: number; kept: number } } {
  // Only long texts can be over: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= limit) return { text };
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= limit) return { text };
  const buf = Buffer.from(text, "utf8");
  let end = limit;
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--; // do not split a UTF-8 sequence
  const kept = buf.subarray(0, end).toString("utf8");
  return { text: kept, truncated: { bytes, kept: end } };
}

function isAbort(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === "AbortError" || name === "TimeoutError";
}

export function createOpenAIAdapter(model: string, opts: OpenAIOptions = {}): ModelAdapter {
  if (!model) throw new KinemaError("bad_spec", "openai: model name missing (use openai:<model>)");
  const env = opts.env ?? process.env;
  const baseUrl = (opts.baseUrl ?? env.OPENAI_BASE_URL ?? "https://api.openai.com/v1").replace(/\/+$/, "");
  const keyEnv = opts.apiKeyEnv ?? "OPENAI_API_KEY";
  if (opts.apiKeyEnv && env[keyEnv] === undefined)
    throw new KinemaError("bad_spec", `environment variable ${keyEnv} (named by --api-key-env) is not set`, {
      field: "api-key-env",
    });
  const url = `${baseUrl}/chat/completions`;
  const spec = `openai:${model}`;
  const maxImages =
    opts.maxImages !== undefined
      ? { limit: opts.maxImages, policy: opts.maxImagesPolicy ?? "subsample" }
      : undefined;

  return {
    spec,
    needs: { images: true, rgb: false, regions: opts.regionInput === "masks" },
    maxImages,
    describe() {
      return {
        kind: "openai",
        model,
        baseUrl,
        headerNames: Object.keys(opts.headers ?? {}).sort(),
        maxImages: maxImages ?? null,
        imageDetail: opts.imageDetail ?? null,
        ...(opts.regionInput ? { regionInput: opts.regionInput } : {}),
      };
    },
    preflight(role, signal, warn) {
      return preflightOpenAI(
        {
          role,
          baseUrl,
          model,
          headers: opts.headers,
          key: env[keyEnv],
          keyEnv,
          flags:
            role === "judge"
              ? { baseUrl: "--judge-base-url", keyEnv: "--judge-api-key-env" }
              : { baseUrl: "--base-url", keyEnv: "--api-key-env" },
        },
        { signal, warn },
      );
    },
    async generate(req: ModelRequest, signal?: AbortSignal): Promise<ModelResponse> {
      if (maxImages && req.images.length > maxImages.limit)
        throw new KinemaError(
          "bad_input",
          `${req.images.length} images exceed this model's limit of ${maxImages.limit} per request`,
          { field: "images", limit: maxImages.limit },
        );
      const body = buildBody(model, req, opts.imageDetail, opts.regionInput === "masks");
      const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers };
      // Read the key per call so it is never kept on the adapter object (and never in describe()).
      const key = env[keyEnv];
      if (key) headers.authorization = `Bearer ${key}`;
      // Whatever the server sends back may echo the key or a header value: redacted before it goes anywhere.
      const clean = (s: string) => redactSecrets(s, [key, ...Object.values(opts.headers ?? {})]);
      let res: Response;
      try {
        res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), signal });
      } catch (e) {
        if (isAbort(e) || signal?.aborted)
          throw new KinemaError("timeout", `request to ${url} timed out or was aborted`, { url });
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        throw new KinemaError(
          "network",
          `cannot reach ${url}: ${cause?.code ?? cause?.message ?? String(e)}`,
          {
            url,
          },
        );
      }
      let text: string;
      const ok = res.status >= 200 && res.status < 300;
      try {
        // An error body is only quoted (its start is enough); an answer's body is parsed, up to a hard limit.
        const body = await readCapped(res, ok ? MAX_BODY_BYTES : MAX_REPLY_BYTES);
        if (ok && body.over)
          throw new KinemaError(
            "bad_response",
            `reply from ${url} is over ${MAX_BODY_BYTES / 2 ** 20} MiB; not read further`,
            { url, limit: MAX_BODY_BYTES, retryable: false },
          );
        text = body.data.toString("utf8");
      } catch (e) {
        if (e instanceof KinemaError) throw e;
        if (isAbort(e) || signal?.aborted)
          throw new KinemaError("timeout", `reading the reply from ${url} timed out`, { url });
        throw new KinemaError("network", `connection lost while reading ${url}`, { url });
      }
      if (res.status === 429)
        throw new KinemaError("rate_limited", `rate limited by ${url} (HTTP 429)`, {
          status: 429,
          retryAfter: parseRetryAfter(res.headers.get("retry-after")),
        });
      if (res.status < 200 || res.status >= 300)
        throw new KinemaError("http_status", `HTTP ${res.status} from ${url}: ${clean(text).slice(0, 200)}`, {
          status: res.status,
          retryAfter: parseRetryAfter(res.headers.get("retry-after")),
        });
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        throw new KinemaError("bad_response", `reply from ${url} is not JSON: ${clean(text).slice(0, 120)}`, {
          url,
        });
      }
      const choice = Array.isArray(json?.choices) ? json.choices[0] : undefined;
      if (!choice) throw new KinemaError("bad_response", `reply from ${url} has no choices`, { url });
      const content = choice.message?.content;
      const out =
        typeof content === "string"
          ? content
          : Array.isArray(content)
            ? content.map((p: { text?: string }) => p?.text ?? "").join("")
            : content == null
              ? ""
              : undefined;
      if (out === undefined)
        throw new KinemaError("bad_response", `reply from ${url} has a non-text message content`, { url });
      const u = json.usage;
      const capped = capReply(clean(out));
      return {
        text: capped.text,
        ...(capped.truncated ? { truncated: capped.truncated } : {}),
        servedModel: typeof json.model === "string" ? clean(json.model) : undefined,
        usage: u
          ? {
              promptTokens: u.prompt_tokens,
              completionTokens: u.completion_tokens,
              totalTokens: u.total_tokens,
            }
          : undefined,
        finishReason: typeof choice.finish_reason === "string" ? choice.finish_reason : undefined,
        systemFingerprint:
          typeof json.system_fingerprint === "string" ? clean(json.system_fingerprint) : undefined,
      };
    },
  };
}

/**
 * Region input as content parts: for each object (in `<region>` order) and each frame sent, a text label
 * `Mask of <object0> on frame 2 of 8 (video frame 57):` and the mask as a grayscale PNG (255 = object) at the
 * annotation's own resolution; a frame without a mask gets the label with `(no mask)` and no image.
 */
export function regionParts(req: ModelRequest, detail?: string): Record<string, unknown>[] {
  const r = req.regions;
  if (!r) return [];
  const parts: Record<string, unknown>[] = [];
  for (const o of r.objects)
    o.masks.forEach((m, i) => {
      const label = `Mask of ${o.tag} on frame ${i + 1} of ${r.frames.length} (video frame ${r.frames[i]}):`;
      if (!m) {
        parts.push({ type: "text", text: `${label} (no mask)` });
        return;
      }
      const png = encodeMaskPng(decodeMask(m), m.size[0], m.size[1]);
      parts.push({ type: "text", text: label });
      parts.push({
        type: "image_url",
        image_url: { url: `data:image/png;base64,${png.toString("base64")}`, ...(detail ? { detail } : {}) },
      });
    });
  return parts;
}

/** The chat-completions body: images (base64 data URLs), then region masks when asked, before the text of
 *  the last user message. */
export function buildBody(
  model: string,
  req: ModelRequest,
  detail?: string,
  regions = false,
): Record<string, unknown> {
  let lastUser = -1;
  req.messages.forEach((m, i) => {
    if (m.role === "user") lastUser = i;
  });
  const masks = regions ? regionParts(req, detail) : [];
  const messages = req.messages.map((m, i) => {
    if (i !== lastUser || (req.images.length === 0 && masks.length === 0))
      return { role: m.role, content: m.content };
    return {
      role: m.role,
      content: [
        ...req.images.map((img) => ({
          type: "image_url",
          image_url: {
            url: `data:${img.mime};base64,${img.data.toString("base64")}`,
            ...(detail ? { detail } : {}),
          },
        })),
        ...masks,
        { type: "text", text: m.content },
      ],
    };
  });
  const body: Record<string, unknown> = { model, messages };
  if (req.params.temperature !== undefined) body.temperature = req.params.temperature;
  if (req.params.maxTokens !== undefined) body.max_tokens = req.params.maxTokens;
  if (req.params.seed !== undefined) body.seed = req.params.seed;
  if (req.params.topP !== undefined) body.top_p = req.params.topP;
  if (req.params.presencePenalty !== undefined) body.presence_penalty = req.params.presencePenalty;
  return body;
}
