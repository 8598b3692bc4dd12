// `kinema serve`: the run explorer's HTTP server — a JSON API over the run store (read-only), the exact frames
// of each sample, CSV/JSON exports, and the bundled web app. Binds 127.0.0.1 unless told otherwise.
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { compareRuns } from "../analysis/compare.ts";
import { createExplorer, type Explorer, filterFromQuery } from "../analysis/explorer.ts";
import { toCsv } from "../analysis/export.ts";
import { readSweeps } from "../analysis/source-sqlite.ts";
import { studyPoints } from "../analysis/study.ts";
import { sweepPoints } from "../analysis/sweep-data.ts";
import type { RunSource } from "../analysis/types.ts";
import { isKinemaError, KinemaError } from "../util/errors.ts";
import { DIST_DIR, ensureWebBundle } from "./bundle.ts";
import { createFrameStore, type FrameStore } from "./frames.ts";
import { idFromSegment } from "./path-id.ts";
import { createReviewApi, type ReviewApi, ReviewHttpError } from "./review.ts";

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

// The UI only loads its own bundle; any injected markup could not run scripts or load remote content.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

class HttpError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "x-content-type-options": "nosniff",
    "content-security-policy": CSP,
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    ...extra,
  });
  res.end(body);
}

function json(res: ServerResponse, data: unknown, status = 200) {
  send(res, status, JSON.stringify(data), "application/json; charset=utf-8");
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

/** First path segments the web app routes itself (web/src/main.ts). */
const CLIENT_ROUTES = new Set(["runs", "diff", "sweeps", "study", "review"]);

function hostAllowed(req: IncomingMessage, boundHost: string): boolean {
  // DNS-rebinding guard: a loopback server answers only to loopback host names
  if (!["127.0.0.1", "localhost", "::1"].includes(boundHost)) return true;
  const h = (req.headers.host ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return ["127.0.0.1", "localhost", "::1"].includes(h);
}

export async function startServer(opts: ServeOptions): Promise<ExplorerServer> {
  const host = opts.host ?? "127.0.0.1";
  const web = opts.web ?? true;
  if (web) await ensureWebBundle();
  const source = opts.source;
  const ex = createExplorer(source);
  const frames: FrameStore = createFrameStore();
  const distRoot = resolve(DIST_DIR);
  let review: ReviewApi | undefined;
  let origin = "";

  async function prepare(ids: string[]) {
    if (source.prepare) await source.prepare(ids);
  }

  async function api(parts: string[], q: URLSearchParams, res: ServerResponse): Promise<void> {
    const [, head, id, sub, sid, sub2, k] = parts;
    if (head === "overview") {
      const runs = ex.runs();
      await prepare(runs.map((r) => r.id));
      return json(res, {
        benchmarks: ex.benchmarks(),
        runs: runs.map((r) => {
          const s = ex.summary(r.id);
          return { ...r, config: undefined, counts: s.counts, overall: s.overall };
        }),
        sweeps: opts.runDir ? readSweeps(opts.runDir) : [],
        study: !!(opts.studyPath && existsSync(opts.studyPath)),
      });
    }
    if (head === "leaderboard" || head === "leaderboard.csv") {
      const bench = q.get("bench") ?? ex.benchmarks()[0];
      if (!bench) return json(res, { benchmark: null, categories: [], abbreviations: {}, rows: [] });
      await prepare(
        ex
          .runs()
          .filter((r) => r.benchmark === bench)
          .map((r) => r.id),
      );
      const lb = ex.leaderboard(bench);
      if (head === "leaderboard.csv") {
        const rows = lb.rows.map((r) => {
          const o: Record<string, unknown> = {
            run: r.id,
            model: r.model,
            frames: r.frames,
            judge: r.judge ?? "",
            n: r.overall.n,
            acc: r.overall.acc,
            ci_lo: r.overall.ci95?.[0],
            ci_hi: r.overall.ci95?.[1],
          };
          for (const c of lb.categories) o[lb.abbreviations[c]] = r.categories[c]?.acc ?? "";
          o.failure_rate = r.failureRate;
          o.unparsed_rate = r.unparsedRate;
          return o;
        });
        return send(res, 200, toCsv(rows), "text/csv; charset=utf-8", {
          "content-disposition": `attachment; filename="leaderboard-${bench.replace(/[^\w.-]/g, "_")}.csv"`,
        });
      }
      return json(res, lb);
    }
    if (head === "study") {
      if (!opts.studyPath || !existsSync(opts.studyPath))
        throw new HttpError(404, "no compression study results");
      return json(res, studyPoints(JSON.parse(readFileSync(opts.studyPath, "utf8"))));
    }
    if (head === "sweeps" && id) {
      const sw = (opts.runDir ? readSweeps(opts.runDir) : []).find((s) => s.id === id);
      if (!sw) throw new HttpError(404, "no such sweep");
      await prepare(sw.points.map((p) => p.run));
      return json(res, { ...sw, points: sweepPoints(ex, sw) });
    }
    if (head === "diff" || head === "diff.csv") {
      const a = q.get("a");
      const b = q.get("b");
      if (!a || !b) throw new HttpError(400, "diff needs ?a=RUN&b=RUN");
      await prepare([a, b]);
      const c = compareRuns(ex, a, b);
      if (head === "diff.csv") return send(res, 200, toCsv(c.flipped as any), "text/csv; charset=utf-8");
      return json(res, c);
    }
    if (head === "runs" && id) {
      ex.run(id); // 404 before any work
      await prepare([id]);
      if (!sub) {
        const s = ex.summary(id);
        return json(res, { ...s, plots: { categories: ex.categoryPlot(id), letterBias: ex.letterBias(id) } });
      }
      const f = filterFromQuery(q);
      if (sub === "samples" && !sid) {
        const { config: _c, ...info } = ex.run(id);
        // the run's identity rides along so the view can draw its table before the (slower) summary
        return json(res, {
          ...ex.page(id, f, Number(q.get("page") ?? 1), Number(q.get("pageSize") ?? 50)),
          info,
        });
      }
      if (sub === "samples.json" || sub === "samples.csv") {
        const rows = ex.filtered(id, f).map((s) => ({
          id: s.id,
          videoId: s.videoId,
          category: s.category,
          question: s.question,
          options: s.options,
          answer: s.answer,
          parsed: s.parsed,
          status: s.status,
          correct: s.correct,
          raw: s.raw,
          error: s.error ?? null,
          frames: s.frames?.indices ?? null,
        }));
        const name = `${id}-samples`.replace(/[^\w.-]/g, "_");
        if (sub === "samples.json")
          return send(res, 200, JSON.stringify(rows, null, 1), "application/json; charset=utf-8", {
            "content-disposition": `attachment; filename="${name}.json"`,
          });
        return send(res, 200, toCsv(rows as any), "text/csv; charset=utf-8", {
          "content-disposition": `attachment; filename="${name}.csv"`,
        });
      }
      if (sub === "samples" && sid) {
        const d = ex.sample(id, sid, f);
        if (!sub2) {
          const fm = await frames.meta(d.run, d.sample);
          const masks = frameMasks(
            d.sample,
            fm.map((m) => m.index),
          );
          return json(res, { ...d, frames: fm, masks, window: d.sample.video?.window ?? null });
        }
        if (sub2 === "frames" && k !== undefined) {
          if (!/^\d{1,4}$/.test(k)) throw new HttpError(400, "frame number must be an integer");
          const img = await frames.image(d.run, d.sample, Number(k));
          return send(res, 200, img.data, img.mime, { "cache-control": "private, max-age=3600" });
        }
      }
    }
    throw new HttpError(404, "no such endpoint");
  }

  async function staticFile(parts: string[], res: ServerResponse) {
    const rel = parts.length === 0 ? "index.html" : parts.join("/");
    const full = resolve(distRoot, normalize(rel));
    if (full !== distRoot && !full.startsWith(distRoot + sep)) throw new HttpError(400, "bad path");
    let body: Buffer;
    let ext = extname(full);
    try {
      body = await readFile(full);
    } catch {
      // client-side routes (/runs/x, /diff) get the app; missing assets are 404
      if (parts[0] === "assets" || ext) throw new HttpError(404, "not found");
      body = await readFile(join(distRoot, "index.html"));
      ext = ".html";
    }
    send(res, 200, body, MIME[ext] ?? "application/octet-stream", {
      "cache-control": parts[0] === "assets" ? "public, max-age=31536000, immutable" : "no-store",
    });
  }

  if (opts.review) review = createReviewApi(opts.review.dir, send, { token: opts.review.token });
  const server = createServer(async (req, res) => {
    try {
      if (!hostAllowed(req, host)) throw new HttpError(403, "bad Host header");
      const url = new URL(req.url ?? "/", "http://localhost");
      if (review && url.pathname.startsWith("/api/review")) {
        const parts = segments(url.pathname, { ids: true });
        if (parts[1] === "review") {
          // the origin this page is served from, as the browser names it (Host as sent: 127.0.0.1 or localhost)
          await review.handle(req, res, parts, `http://${req.headers.host ?? ""}`);
          return;
        }
      }
      if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "read-only server");
      // refuse traversal in the raw path too (URL() already folds plain ../ but not %2e%2e)
      const first = url.pathname.split("/").find((p) => p !== "");
      if (first === "api") await api(segments(url.pathname, { ids: true }), url.searchParams, res);
      // the app's own routes carry ids (`/runs/R/samples/a%2Fb`, `.../clip.mp4`): always the app, no file lookup
      else if (web && first !== undefined && CLIENT_ROUTES.has(first)) await staticFile([], res);
      else if (web) await staticFile(segments(url.pathname), res);
      else throw new HttpError(404, "not found");
    } catch (e) {
      const status =
        e instanceof HttpError || e instanceof ReviewHttpError
          ? e.status
          : isKinemaError(e, "not_found") || isKinemaError(e, "index_out_of_range")
            ? 404
            : isKinemaError(e, "bad_input") || isKinemaError(e, "bad_spec")
              ? 400
              : 500;
      const message = e instanceof Error ? e.message : String(e);
      if (!res.headersSent)
        json(res, { error: message, code: e instanceof KinemaError ? e.code : undefined }, status);
      else res.destroy();
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
  origin = `http://${shown}:${addr.port}`;
  return {
    url: origin,
    server,
    explorer: ex,
    reviewToken: review?.token,
    close: () =>
      new Promise<void>((ok) => {
        review?.close();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** Masks (COCO RLE) of each object on each received frame, keyed by the frame's position k. */
function frameMasks(
  s: { masks?: import("../benchmarks/types.ts").ObjectMasks[] | null },
  indices: number[],
): { k: number; object: number; rle: import("../benchmarks/types.ts").Rle }[] {
  const out: { k: number; object: number; rle: import("../benchmarks/types.ts").Rle }[] = [];
  if (!s.masks) return out;
  indices.forEach((idx, k) => {
    s.masks!.forEach((obj, o) => {
      const rle = obj[String(idx)];
      if (rle) out.push({ k, object: o, rle });
    });
  });
  return out;
}
