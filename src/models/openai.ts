// `openai:<model>` adapter: translates a kinema request to an OpenAI-compatible chat-completions call and back.
import { KinemaError } from "../util/errors.ts";
import { redactSecrets } from "../util/redact.ts";
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
    needs: { images: true, rgb: false },
    maxImages,
    describe() {
      return {
        kind: "openai",
        model,
        baseUrl,
        headerNames: Object.keys(opts.headers ?? {}).sort(),
        maxImages: maxImages ?? null,
        imageDetail: opts.imageDetail ?? null,
      };
    },
    async generate(req: ModelRequest, signal?: AbortSignal): Promise<ModelResponse> {
      if (maxImages && req.images.length > maxImages.limit)
        throw new KinemaError(
          "bad_input",
          `${req.images.length} images exceed this model's limit of ${maxImages.limit} per request`,
          { field: "images", limit: maxImages.limit },
        );
      const body = buildBody(model, req, opts.imageDetail);
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
      try {
        text = await res.text();
      } catch (e) {
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
      return {
        text: clean(out),
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

/** The chat-completions body: images (base64 data URLs) before the text of the last user message. */
export function buildBody(model: string, req: ModelRequest, detail?: string): Record<string, unknown> {
  let lastUser = -1;
  req.messages.forEach((m, i) => {
    if (m.role === "user") lastUser = i;
  });
  const messages = req.messages.map((m, i) => {
    if (i !== lastUser || req.images.length === 0) return { role: m.role, content: m.content };
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
        { type: "text", text: m.content },
      ],
    };
  });
  const body: Record<string, unknown> = { model, messages };
  if (req.params.temperature !== undefined) body.temperature = req.params.temperature;
  if (req.params.maxTokens !== undefined) body.max_tokens = req.params.maxTokens;
  if (req.params.seed !== undefined) body.seed = req.params.seed;
  return body;
}
