// The explorer server's HTTP vocabulary, independent of node:http: a request as routes see it, the reply they
// return (status, body, type, headers), the one error class that carries a status, path segments decoded once,
// the DNS-rebinding guard, and how any thrown error becomes a JSON reply.
import type { IncomingHttpHeaders } from "node:http";
import { isKinemaError, KinemaError } from "../util/errors.ts";
import { idFromSegment } from "./path-id.ts";

/** A request as the handler sees it: what a test builds by hand, or what the server reads off the socket. */
export interface ApiRequest {
  method: string;
  /** The path and query as sent (`/api/runs/R?page=2`). */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body as text; refuses more than `limit` bytes with 413. */
  body(limit?: number): Promise<string>;
}

export interface Reply {
  status: number;
  body: string | Buffer;
  type: string;
  headers: Record<string, string>;
}

// The UI only loads its own bundle; any injected markup could not run scripts or load remote content.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export class HttpError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** A reply with the headers every response carries (type sniffing off, CSP, no referrer, not cached). */
export function reply(
  status: number,
  body: string | Buffer,
  type: string,
  extra: Record<string, string> = {},
): Reply {
  return {
    status,
    body,
    type,
    headers: {
      "content-type": type,
      "content-length": String(Buffer.byteLength(body)),
      "x-content-type-options": "nosniff",
      "content-security-policy": CSP,
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
      ...extra,
    },
  };
}

/** A JSON reply; `T` names the shape when a route promises one. */
export function jsonReply<T = unknown>(data: T, status = 200): Reply {
  return reply(status, JSON.stringify(data), "application/json; charset=utf-8");
}

/** A download: `name` is made safe for the content-disposition header. */
export function attachment(body: string, type: string, name: string): Reply {
  return reply(200, body, type, {
    "content-disposition": `attachment; filename="${name.replace(/[^\w.-]/g, "_")}"`,
  });
}

/** The status an error is answered with: its own, or one derived from a KinemaError code; else 500. */
function statusOf(e: unknown): number {
  if (e instanceof HttpError) return e.status;
  if (isKinemaError(e, "not_found") || isKinemaError(e, "index_out_of_range")) return 404;
  if (isKinemaError(e, "bad_input") || isKinemaError(e, "bad_spec")) return 400;
  return 500;
}

export function errorReply(e: unknown): Reply {
  const message = e instanceof Error ? e.message : String(e);
  return jsonReply({ error: message, code: e instanceof KinemaError ? e.code : undefined }, statusOf(e));
}

/**
 * Path segments of a request, decoded once. Static files: `..`, `.`, NUL and separators inside a segment are
 * refused. API paths (`ids`): a segment is a run or sample id looked up in the store, never a file path, so
 * any id (`a/b`, `..`, `50%`) is addressable with its segment percent-encoded; only NUL is refused.
 */
export function segments(pathname: string, opts: { ids?: boolean } = {}): string[] {
  const parts = pathname.split("/").filter((p) => p !== "");
  return parts.map((p) => {
    let d: string;
    try {
      d = decodeURIComponent(p);
    } catch {
      throw new HttpError(400, "bad URL encoding");
    }
    if (d.includes("\0")) throw new HttpError(400, "bad path segment");
    if (!opts.ids && (d === ".." || d === "." || d.includes("/") || d.includes("\\")))
      throw new HttpError(400, "bad path segment");
    return opts.ids ? idFromSegment(d) : d;
  });
}

const LOOPBACK = ["127.0.0.1", "localhost", "::1"];

/** DNS-rebinding guard: a loopback server answers only to loopback host names. */
export function hostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (!LOOPBACK.includes(boundHost)) return true;
  const h = (hostHeader ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return LOOPBACK.includes(h);
}
