// `kinema serve`: the run explorer's HTTP server — a JSON API over the run store (read-only), the exact frames
// of each sample, CSV/JSON exports, and the bundled web app. Binds 127.0.0.1 unless told otherwise.
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { createExplorer, type Explorer } from "../analysis/explorer.ts";
import type { RunSource } from "../analysis/types.ts";
import { KinemaError } from "../util/errors.ts";
import { DIST_DIR, ensureWebBundle } from "./bundle.ts";
import { createFrameStore } from "./frames.ts";
import { type ApiRequest, errorReply, HttpError, hostAllowed, type Reply, reply, segments } from "./http.ts";
import { createReviewApi, type ReviewApi } from "./review.ts";
import { type ApiContext, routeApi } from "./routes.ts";

export interface ServeOptions {
  source: RunSource & { prepare?(runIds: string[]): Promise<void> };
  /** Where sweeps/*.json live (the run dir); optional. */
  runDir?: string;
  /** The compression study's results JSON, when it exists. */
  studyPath?: string;
  host?: string;
  port?: number;
  /** Serve the web app (default true; API-only servers skip the bundle). */
  web?: boolean;
  /** An engine run to review at /review (decisions need the token the server returns). */
  review?: { dir: string; token?: string };
}

export interface ExplorerServer {
  url: string;
  server: Server;
  explorer: Explorer;
  /** Token for the review API's state-changing requests (only with `review`). */
  reviewToken?: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

/** First path segments the web app routes itself (web/src/main.ts). */
const CLIENT_ROUTES = new Set(["runs", "diff", "sweeps", "study", "review"]);

/** The whole server without its socket: a request in, a reply out (tests call `handle` directly). */
export interface ExplorerHandler {
  handle(req: ApiRequest): Promise<Reply>;
  explorer: Explorer;
  reviewToken?: string;
  close(): void;
}

/** The bundled web app's files; client-side routes (/runs/x, /diff) get index.html, missing assets 404. */
async function staticFile(distRoot: string, parts: string[]): Promise<Reply> {
  const rel = parts.length === 0 ? "index.html" : parts.join("/");
  const full = resolve(distRoot, normalize(rel));
  if (full !== distRoot && !full.startsWith(distRoot + sep)) throw new HttpError(400, "bad path");
  let body: Buffer;
  let ext = extname(full);
  try {
    body = await readFile(full);
  } catch {
    if (parts[0] === "assets" || ext) throw new HttpError(404, "not found");
    body = await readFile(join(distRoot, "index.html"));
    ext = ".html";
  }
  return reply(200, body, MIME[ext] ?? "application/octet-stream", {
    "cache-control": parts[0] === "assets" ? "public, max-age=31536000, immutable" : "no-store",
  });
}

export function createHandler(opts: Omit<ServeOptions, "port">): ExplorerHandler {
  const host = opts.host ?? "127.0.0.1";
  const web = opts.web ?? true;
  const source = opts.source;
  const ex = createExplorer(source);
  const ctx: ApiContext = {
    ex,
    frames: createFrameStore(),
    prepare: async (ids) => {
      if (source.prepare) await source.prepare(ids);
    },
    runDir: opts.runDir,
    studyPath: opts.studyPath,
  };
  const distRoot = resolve(DIST_DIR);
  const review: ReviewApi | undefined = opts.review
    ? createReviewApi(opts.review.dir, { token: opts.review.token })
    : undefined;

  async function route(req: ApiRequest): Promise<Reply> {
    if (!hostAllowed(req.headers.host, host)) throw new HttpError(403, "bad Host header");
    const url = new URL(req.url || "/", "http://localhost");
    if (review && url.pathname.startsWith("/api/review")) {
      const parts = segments(url.pathname, { ids: true });
      // the origin this page is served from, as the browser names it (Host as sent: 127.0.0.1 or localhost)
      if (parts[1] === "review") return review.handle(req, parts, `http://${req.headers.host ?? ""}`);
    }
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "read-only server");
    // refuse traversal in the raw path too (URL() already folds plain ../ but not %2e%2e)
    const first = url.pathname.split("/").find((p) => p !== "");
    if (first === "api")
      return routeApi(ctx, segments(url.pathname, { ids: true }).slice(1), url.searchParams);
    // the app's own routes carry ids (`/runs/R/samples/a%2Fb`, `.../clip.mp4`): always the app, no file lookup
    if (web && first !== undefined && CLIENT_ROUTES.has(first)) return staticFile(distRoot, []);
    if (web) return staticFile(distRoot, segments(url.pathname));
    throw new HttpError(404, "not found");
  }

  return {
    explorer: ex,
    reviewToken: review?.token,
    close: () => review?.close(),
    handle: (req) => route(req).catch(errorReply),
  };
}

/** The request as the handler reads it; the body is read on demand, refused past `limit` bytes. */
function fromNode(req: IncomingMessage): ApiRequest {
  return {
    method: req.method ?? "GET",
    url: req.url ?? "/",
    headers: req.headers,
    async body(limit = 64 * 1024) {
      let n = 0;
      const chunks: Buffer[] = [];
      for await (const c of req) {
        n += (c as Buffer).length;
        if (n > limit) throw new HttpError(413, "body too large");
        chunks.push(c as Buffer);
      }
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

export async function startServer(opts: ServeOptions): Promise<ExplorerServer> {
  const host = opts.host ?? "127.0.0.1";
  if (opts.web ?? true) await ensureWebBundle();
  const h = createHandler(opts);
  const server = createServer(async (req, res) => {
    const r = await h.handle(fromNode(req));
    if (res.headersSent) res.destroy();
    else {
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", (e) =>
      fail(new KinemaError("bad_input", `cannot listen on ${host}:${opts.port ?? 0}: ${e.message}`, {})),
    );
    server.listen(opts.port ?? 0, host, () => ok());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}`,
    server,
    explorer: h.explorer,
    reviewToken: h.reviewToken,
    close: () =>
      new Promise<void>((ok) => {
        h.close();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
