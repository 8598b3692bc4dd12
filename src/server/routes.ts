// The explorer's read-only JSON API as a route table: the first segment after /api names a route, each route
// is a plain async function from (context, path, query) to a Reply, so tests call them without a socket.
import { existsSync, readFileSync } from "node:fs";
import { compareRuns } from "../analysis/compare.ts";
import {
  type Explorer,
  filterFromQuery,
  type RunSummary,
  type SampleDetail,
  type SampleFilter,
  type SamplePage,
} from "../analysis/explorer.ts";
import { toCsv } from "../analysis/export.ts";
import { readSweeps, type SweepFile } from "../analysis/source-sqlite.ts";
import type { Accuracy } from "../analysis/stats.ts";
import { studyPoints } from "../analysis/study.ts";
import { sweepPoints } from "../analysis/sweep-data.ts";
import type { RunInfo, SampleRecord } from "../analysis/types.ts";
import type { ObjectMasks, Rle } from "../benchmarks/types.ts";
import type { FrameMeta, FrameStore } from "./frames.ts";
import { attachment, HttpError, jsonReply, type Reply, reply } from "./http.ts";

export interface ApiContext {
  ex: Explorer;
  frames: FrameStore;
  /** Let a lazy source load these runs before they are read. */
  prepare(runIds: string[]): Promise<void>;
  /** Where sweeps/*.json live (the run dir); optional. */
  runDir?: string;
  /** The compression study's results JSON, when it exists. */
  studyPath?: string;
}

/** `parts`: the decoded segments after `api` (`["runs", "R", "samples"]`). */
type Route = (ctx: ApiContext, parts: string[], q: URLSearchParams) => Promise<Reply>;

const CSV = "text/csv; charset=utf-8";

// The JSON shapes the routes answer with where they add to the explorer's own types (the web app imports these).

/** `/api/overview`. */
export interface Overview {
  benchmarks: string[];
  runs: (RunInfo & { counts: RunSummary["counts"]; overall: Accuracy })[];
  sweeps: SweepFile[];
  study: boolean;
}

/** `/api/runs/R/samples`: a page of the table, with the run's identity. */
export interface SamplesReply extends SamplePage {
  info: Omit<RunInfo, "config">;
}

/** `/api/runs/R/samples/S`: the sample with the frames the model received and their masks. */
export interface SampleReply extends SampleDetail {
  frames: FrameMeta[];
  masks: { k: number; object: number; rle: Rle }[];
  window: [number, number] | null;
}

async function overview(ctx: ApiContext): Promise<Reply> {
  const { ex } = ctx;
  const runs = ex.runs();
  await ctx.prepare(runs.map((r) => r.id));
  return jsonReply<Overview>({
    benchmarks: ex.benchmarks(),
    runs: runs.map((r) => {
      const s = ex.summary(r.id);
      return { ...r, config: undefined, counts: s.counts, overall: s.overall };
    }),
    sweeps: ctx.runDir ? readSweeps(ctx.runDir) : [],
    study: !!(ctx.studyPath && existsSync(ctx.studyPath)),
  });
}

async function leaderboard(ctx: ApiContext, parts: string[], q: URLSearchParams): Promise<Reply> {
  const { ex } = ctx;
  const bench = q.get("bench") ?? ex.benchmarks()[0];
  if (!bench) return jsonReply({ benchmark: null, categories: [], abbreviations: {}, rows: [] });
  await ctx.prepare(
    ex
      .runs()
      .filter((r) => r.benchmark === bench)
      .map((r) => r.id),
  );
  const lb = ex.leaderboard(bench);
  if (parts[0] !== "leaderboard.csv") return jsonReply(lb);
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
  return attachment(toCsv(rows), CSV, `leaderboard-${bench}.csv`);
}

async function study(ctx: ApiContext): Promise<Reply> {
  if (!ctx.studyPath || !existsSync(ctx.studyPath)) throw new HttpError(404, "no compression study results");
  return jsonReply(studyPoints(JSON.parse(readFileSync(ctx.studyPath, "utf8"))));
}

async function sweep(ctx: ApiContext, [, id]: string[]): Promise<Reply> {
  if (!id) throw new HttpError(404, "no such endpoint");
  const sw = (ctx.runDir ? readSweeps(ctx.runDir) : []).find((s) => s.id === id);
  if (!sw) throw new HttpError(404, "no such sweep");
  await ctx.prepare(sw.points.map((p) => p.run));
  return jsonReply({ ...sw, points: sweepPoints(ctx.ex, sw) });
}

async function diff(ctx: ApiContext, parts: string[], q: URLSearchParams): Promise<Reply> {
  const a = q.get("a");
  const b = q.get("b");
  if (!a || !b) throw new HttpError(400, "diff needs ?a=RUN&b=RUN");
  await ctx.prepare([a, b]);
  const c = compareRuns(ctx.ex, a, b);
  if (parts[0] === "diff.csv") return reply(200, toCsv(c.flipped as any), CSV);
  return jsonReply(c);
}

/** `/api/runs/R[/samples[.json|.csv][/S[/frames/K]]]`. */
async function run(ctx: ApiContext, parts: string[], q: URLSearchParams): Promise<Reply> {
  const { ex } = ctx;
  const [, id, sub, sid] = parts;
  if (!id) throw new HttpError(404, "no such endpoint");
  ex.run(id); // 404 before any work
  await ctx.prepare([id]);
  if (!sub) {
    const s = ex.summary(id);
    return jsonReply({ ...s, plots: { categories: ex.categoryPlot(id), letterBias: ex.letterBias(id) } });
  }
  const f = filterFromQuery(q);
  if (sub === "samples" && !sid) {
    const { config: _c, ...info } = ex.run(id);
    // the run's identity rides along so the view can draw its table before the (slower) summary
    const page = ex.page(id, f, Number(q.get("page") ?? 1), Number(q.get("pageSize") ?? 50));
    return jsonReply<SamplesReply>({ ...page, info });
  }
  if (sub === "samples.json" || sub === "samples.csv") return exportSamples(ctx.ex.filtered(id, f), id, sub);
  if (sub === "samples" && sid) return sample(ctx, parts, f);
  throw new HttpError(404, "no such endpoint");
}

function exportSamples(samples: SampleRecord[], id: string, sub: string): Reply {
  const rows = samples.map((s) => ({
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
  if (sub === "samples.json")
    return attachment(JSON.stringify(rows, null, 1), "application/json; charset=utf-8", `${id}-samples.json`);
  return attachment(toCsv(rows as any), CSV, `${id}-samples.csv`);
}

async function sample(ctx: ApiContext, [, id, , sid, sub2, k]: string[], f: SampleFilter): Promise<Reply> {
  const d = ctx.ex.sample(id, sid, f);
  if (!sub2) {
    const fm = await ctx.frames.meta(d.run, d.sample);
    const masks = frameMasks(
      d.sample,
      fm.map((m) => m.index),
    );
    return jsonReply<SampleReply>({ ...d, frames: fm, masks, window: d.sample.video?.window ?? null });
  }
  if (sub2 === "frames" && k !== undefined) {
    if (!/^\d{1,4}$/.test(k)) throw new HttpError(400, "frame number must be an integer");
    const img = await ctx.frames.image(d.run, d.sample, Number(k));
    return reply(200, img.data, img.mime, { "cache-control": "private, max-age=3600" });
  }
  throw new HttpError(404, "no such endpoint");
}

/** Masks (COCO RLE) of each object on each received frame, keyed by the frame's position k. */
function frameMasks(
  s: { masks?: ObjectMasks[] | null },
  indices: number[],
): { k: number; object: number; rle: Rle }[] {
  const out: { k: number; object: number; rle: Rle }[] = [];
  if (!s.masks) return out;
  indices.forEach((idx, k) => {
    s.masks!.forEach((obj, o) => {
      const rle = obj[String(idx)];
      if (rle) out.push({ k, object: o, rle });
    });
  });
  return out;
}

export const API_ROUTES: Readonly<Record<string, Route>> = {
  overview,
  leaderboard,
  "leaderboard.csv": leaderboard,
  study,
  sweeps: sweep,
  diff,
  "diff.csv": diff,
  runs: run,
};

/** Answer `/api/...`; `parts` are the decoded segments after `api`. */
export function routeApi(ctx: ApiContext, parts: string[], q: URLSearchParams): Promise<Reply> {
  const route = Object.hasOwn(API_ROUTES, parts[0] ?? "") ? API_ROUTES[parts[0]] : undefined;
  if (!route) throw new HttpError(404, "no such endpoint");
  return route(ctx, parts, q);
}
