// Preflight of an OpenAI-compatible endpoint: one cheap request (GET /models, else a 1-token completion)
// before a benchmark is sent, so that a server that cannot answer at all (refused, DNS, TLS, bad key, wrong
// URL or model name) stops the run at once with its cause, instead of every sample failing after retries.
import { KinemaError } from "../util/errors.ts";
import { redactSecrets } from "../util/redact.ts";

export interface PreflightTarget {
  /** Who the endpoint serves, for messages: the model under test, or the judge. */
  role: "model" | "judge";
  /** Server root including `/v1`. */
  baseUrl: string;
  model: string;
  headers?: Record<string, string>;
  /** The API key (read from the environment by the adapter; never stored). */
  key?: string;
  /** Env var the key comes from, named in messages. */
  keyEnv: string;
  /** The CLI flag that sets this endpoint's base URL / key env, named in messages. */
  flags?: { baseUrl: string; keyEnv: string };
}

export interface PreflightResult {
  /** Things worth saying that do not stop the run (no key for a remote server, an unchecked model name). */
  warnings: string[];
  /** How the endpoint was checked. */
  checked: "models" | "completion";
}

/** Default wait for the model listing: a live server answers it in milliseconds. */
export const PREFLIGHT_TIMEOUT_MS = 4000;

/** 127.0.0.0/8, ::1 and localhost: servers that usually need no key. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return false;
  }
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\./.test(host);
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|EPROTO|HANDSHAKE/i;

/** The typed reason a fetch threw before any HTTP status (refused, DNS, TLS, unreachable, timeout). */
export function describeFetchFailure(e: unknown, url: string, timedOut: boolean): KinemaError {
  const u = new URL(url);
  const hostPort = `${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
  if (timedOut)
    return new KinemaError(
      "preflight",
      `no reply from ${url} within the preflight wait (host unreachable?)`,
      {
        url,
        reason: "timeout",
      },
    );
  const cause = (e as { cause?: { code?: string; message?: string; cause?: { code?: string } } }).cause;
  const code = String(cause?.code ?? cause?.cause?.code ?? "");
  const msg = String(cause?.message ?? (e as Error)?.message ?? e);
  const f = (reason: string, text: string) =>
    new KinemaError("preflight", text, { url, reason, ...(code ? { cause: code } : {}) });
  if (code === "ECONNREFUSED")
    return f("refused", `connection refused by ${hostPort}: no server listens there (is it running?)`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME")
    return f("dns", `DNS failure: cannot resolve host "${u.hostname}" (${code})`);
  if (TLS_CODES.test(code) || TLS_CODES.test(msg))
    return f("tls", `TLS failure talking to ${hostPort}: ${code || msg}`);
  if (/^(EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET|UND_ERR_CONNECT_TIMEOUT|UND_ERR_SOCKET)$/.test(code))
    return f("unreachable", `cannot reach ${hostPort}: ${code}`);
  return f("network", `cannot reach ${url}: ${code || msg}`);
}

/** A short excerpt of an error body (servers put the reason there), with the key and header values redacted. */
function excerpt(text: string, t0?: PreflightTarget): string {
  let t = t0 ? redactSecrets(text, [t0.key, ...Object.values(t0.headers ?? {})]) : text;
  try {
    const j = JSON.parse(t);
    const m = j?.error?.message ?? j?.message ?? j?.detail ?? j?.error;
    if (typeof m === "string") t = m;
  } catch {
    /* not JSON: the raw text */
  }
  t = t.replace(/\s+/g, " ").trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

function authFailure(t: PreflightTarget, url: string, status: number, body: string): KinemaError {
  const keyFlag = t.flags?.keyEnv ?? "--api-key-env";
  const how = t.key
    ? `the key in ${t.keyEnv} was refused`
    : `no API key was sent (${t.keyEnv} is not set; name another variable with ${keyFlag})`;
  return new KinemaError("preflight", `HTTP ${status} from ${url}: ${how}: ${excerpt(body, t)}`, {
    url,
    status,
    reason: "auth",
  });
}

/**
 * Checks that the endpoint answers and knows the model. Throws KinemaError("preflight") with the cause
 * (fields: url, reason = refused | dns | tls | unreachable | network | timeout | auth | not_found |
 * unknown_model, status); returns warnings for what does not stop the run.
 */
export async function preflightOpenAI(
  t: PreflightTarget,
  opts: {
    timeoutMs?: number;
    completionTimeoutMs?: number;
    signal?: AbortSignal;
    /** Called with each warning as soon as it is known (also when the check then fails). */
    warn?: (w: string) => void;
  } = {},
): Promise<PreflightResult> {
  const warnings: string[] = [];
  const warn = (w: string) => {
    warnings.push(w);
    opts.warn?.(w);
  };
  const base = t.baseUrl.replace(/\/+$/, "");
  if (!t.key && !isLoopbackUrl(base))
    warn(
      `no API key for the ${t.role} server ${base}: ${t.keyEnv} is not set (${t.flags?.keyEnv ?? "--api-key-env"} names another variable)`,
    );
  const headers: Record<string, string> = { ...t.headers };
  if (t.key) headers.authorization = `Bearer ${t.key}`;
  const call = async (url: string, init: RequestInit, timeoutMs: number) => {
    const timer = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timer]) : timer;
    try {
      const res = await fetch(url, { ...init, headers: { ...headers, ...init.headers }, signal });
      return { status: res.status, text: await res.text() };
    } catch (e) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? e;
      throw describeFetchFailure(e, url, timer.aborted);
    }
  };

  const modelsUrl = `${base}/models`;
  const listed = await call(modelsUrl, { method: "GET" }, opts.timeoutMs ?? PREFLIGHT_TIMEOUT_MS);
  if (listed.status === 401 || listed.status === 403)
    throw authFailure(t, modelsUrl, listed.status, listed.text);
  if (listed.status >= 200 && listed.status < 300) {
    let ids: string[] | null = null;
    try {
      const j = JSON.parse(listed.text);
      if (Array.isArray(j?.data))
        ids = j.data.map((m: { id?: unknown }) => m?.id).filter((x: unknown) => typeof x === "string");
    } catch {
      /* not a model list: fall through to a completion */
    }
    if (ids && ids.length > 0) {
      if (ids.includes(t.model)) return { warnings, checked: "models" };
      const shown = ids.slice(0, 8).join(", ") + (ids.length > 8 ? `, … (${ids.length} in all)` : "");
      throw new KinemaError(
        "preflight",
        `unknown ${t.role === "judge" ? "judge " : ""}model "${t.model}": ${base} serves ${shown} (or pass --no-preflight if it routes other names)`,
        { url: modelsUrl, reason: "unknown_model", model: t.model },
      );
    }
    if (ids) return { warnings, checked: "models" }; // an empty listing: the name cannot be checked here
  }
  // No usable listing (404, 5xx, not JSON): one completion of one token tells whether URL and model work.
  const chatUrl = `${base}/chat/completions`;
  const body = JSON.stringify({
    model: t.model,
    messages: [{ role: "user", content: "Reply with OK." }],
    max_tokens: 1,
  });
  let done: { status: number; text: string };
  try {
    done = await call(
      chatUrl,
      { method: "POST", body, headers: { "content-type": "application/json" } },
      opts.completionTimeoutMs ?? 60_000,
    );
  } catch (e) {
    // A slow first completion (a model still loading) is not a reason to stop; a dead socket is.
    if ((e as KinemaError).fields?.reason === "timeout") {
      warn(`the ${t.role} server took too long to answer a 1-token preflight request; continuing`);
      return { warnings, checked: "completion" };
    }
    throw e;
  }
  if (done.status === 401 || done.status === 403) throw authFailure(t, chatUrl, done.status, done.text);
  const why = excerpt(done.text, t);
  if (done.status === 404)
    throw new KinemaError(
      "preflight",
      `HTTP 404 from ${chatUrl}: wrong ${t.flags?.baseUrl ?? "--base-url"} (it usually ends in /v1) or unknown ${t.role === "judge" ? "judge " : ""}model "${t.model}": ${why}`,
      { url: chatUrl, status: 404, reason: "not_found", model: t.model },
    );
  if ((done.status === 400 || done.status === 422) && /model/i.test(why) && /not|unknown|invalid/i.test(why))
    throw new KinemaError(
      "preflight",
      `unknown ${t.role === "judge" ? "judge " : ""}model "${t.model}": ${why}`,
      {
        url: chatUrl,
        status: done.status,
        reason: "unknown_model",
        model: t.model,
      },
    );
  if (done.status < 200 || done.status >= 300)
    warn(`the ${t.role} server answered a 1-token preflight request with HTTP ${done.status}: ${why}`);
  return { warnings, checked: "completion" };
}
