// A loopback OpenAI-compatible chat-completions server for tests: scripted replies per request, injected
// failures (429 + Retry-After, 5xx, hangs, malformed JSON, empty choices, dropped connections), request log.
// GET /v1/models (the preflight's request) answers from `models` and is counted apart from `requests`.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the server received it. */
export interface ReceivedRequest {
  /** 0-based arrival order. */
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when it was not JSON). */
  body: any;
  /** Text of the last user message (text parts joined), handy for scripting by question. */
  text: string;
  /** Number of image parts in the last user message. */
  images: number;
  /** How many times a request with this same `text` was received before, this one included (1-based). */
  attempt: number;
  /** Arrival time (ms, performance.now()). */
  at: number;
}

/** What to do with one request. Every kind may wait `delayMs` before acting. */
export type Reply = { delayMs?: number } & (
  | { kind: "answer"; text: string; model?: string; usage?: Record<string, number>; finishReason?: string }
  | { kind: "status"; status: number; retryAfter?: string; body?: string }
  | { kind: "raw"; body: string; status?: number; contentType?: string }
  | { kind: "empty_choices" }
  /** Never answers; the client must time out. */
  | { kind: "hang" }
  /** Drops the TCP connection without a reply (a network error at the client). */
  | { kind: "destroy" }
);

export type Script = (req: ReceivedRequest) => Reply | Promise<Reply>;

export interface LoopbackServer {
  /** Base URL including `/v1`, for `--base-url`. */
  url: string;
  port: number;
  /** Every request received, in arrival order. */
  requests: ReceivedRequest[];
  /** Replies with an answer fully sent so far. */
  readonly answered: number;
  /** Requests received whose last user text contains `needle` (all when omitted). */
  count(needle?: string): number;
  setScript(script: Script): void;
  /** GET /v1/models requests received (not in `requests`). */
  readonly modelListRequests: number;
  close(): Promise<void>;
}

/** Shorthand replies. */
export const reply = {
  answer: (text: string, extra: Partial<Extract<Reply, { kind: "answer" }>> = {}): Reply => ({
    kind: "answer",
    text,
    ...extra,
  }),
  status: (status: number, retryAfter?: string): Reply => ({ kind: "status", status, retryAfter }),
  malformed: (): Reply => ({ kind: "raw", body: '{"choices": [ {"message": ' }),
  emptyChoices: (): Reply => ({ kind: "empty_choices" }),
  hang: (): Reply => ({ kind: "hang" }),
  destroy: (): Reply => ({ kind: "destroy" }),
};

function userText(body: any): { text: string; images: number } {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const last = [...msgs].reverse().find((m) => m?.role === "user");
  if (!last) return { text: "", images: 0 };
  if (typeof last.content === "string") return { text: last.content, images: 0 };
  const parts: any[] = Array.isArray(last.content) ? last.content : [];
  return {
    text: parts
      .filter((p) => p?.type === "text")
      .map((p) => p.text)
      .join("\n"),
    images: parts.filter((p) => p?.type === "image_url").length,
  };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

/** Starts the server on 127.0.0.1 (random port). Default script: answer "A" at once. */
export async function startLoopbackServer(
  opts: {
    script?: Script;
    latencyMs?: number;
    /** Ids GET /v1/models lists (default: an empty list, which names no model); null: that path is a 404. */
    models?: string[] | null;
    /** Every request must carry `Authorization: Bearer <apiKey>`, else `authStatus` (default 401). */
    apiKey?: string;
    authStatus?: number;
  } = {},
): Promise<LoopbackServer> {
  let script: Script = opts.script ?? (() => reply.answer("A"));
  const requests: ReceivedRequest[] = [];
  let answered = 0;
  const seen = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(() => {
        timers.delete(t);
        r();
      }, ms);
      timers.add(t);
    });

  let modelListRequests = 0;
  const server = createServer(async (req, res) => {
    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      req.resume();
      return send(res, opts.authStatus ?? 401, JSON.stringify({ error: { message: "invalid api key" } }));
    }
    if (req.method === "GET" && req.url === "/v1/models") {
      modelListRequests++;
      if (opts.models === null) return send(res, 404, JSON.stringify({ error: { message: "not found" } }));
      const data = (opts.models ?? []).map((id) => ({ id, object: "model", owned_by: "loopback" }));
      return send(res, 200, JSON.stringify({ object: "list", data }));
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const { text, images } = userText(body);
    const attempt = (seen.get(text) ?? 0) + 1;
    seen.set(text, attempt);
    const rec: ReceivedRequest = {
      index: requests.length,
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body,
      text,
      images,
      attempt,
      at: performance.now(),
    };
    requests.push(rec);
    if (req.url !== "/v1/chat/completions" || req.method !== "POST")
      return send(res, 404, JSON.stringify({ error: { message: "not found" } }));
    let r: Reply;
    try {
      r = await script(rec);
    } catch (e) {
      return send(res, 500, JSON.stringify({ error: { message: String(e) } }));
    }
    const delay = (r.delayMs ?? 0) + (opts.latencyMs ?? 0);
    if (delay > 0) await wait(delay);
    switch (r.kind) {
      case "answer":
        res.on("finish", () => answered++);
        return send(
          res,
          200,
          JSON.stringify({
            id: `cmpl-${rec.index}`,
            object: "chat.completion",
            model: r.model ?? body?.model ?? "loopback",
            system_fingerprint: "fp_loopback",
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: r.text },
                finish_reason: r.finishReason ?? "stop",
              },
            ],
            usage: r.usage ?? {
              prompt_tokens: 10 + images * 85,
              completion_tokens: 1,
              total_tokens: 11 + images * 85,
            },
          }),
        );
      case "status":
        return send(
          res,
          r.status,
          r.body ?? JSON.stringify({ error: { message: `injected ${r.status}` } }),
          r.retryAfter !== undefined ? { "retry-after": r.retryAfter } : {},
        );
      case "raw":
        res.writeHead(r.status ?? 200, { "content-type": r.contentType ?? "application/json" });
        return res.end(r.body);
      case "empty_choices":
        return send(
          res,
          200,
          JSON.stringify({ id: "x", object: "chat.completion", model: "loopback", choices: [] }),
        );
      case "hang":
        return; // the socket stays open until the client aborts or close() runs
      case "destroy":
        return req.socket.destroy();
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    get answered() {
      return answered;
    },
    count: (needle) =>
      needle === undefined ? requests.length : requests.filter((q) => q.text.includes(needle)).length,
    get modelListRequests() {
      return modelListRequests;
    },
    setScript(s) {
      script = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
