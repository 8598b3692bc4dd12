// `kinema report`: one self-contained HTML file (inline CSS and SVG, thumbnails as data: URIs, no scripts)
// with the leaderboard tables, plots, paired comparisons and a gallery of failures, for a paper or a PR.
import { partialText } from "../run/failures.ts";
import { KinemaError } from "../util/errors.ts";
import { decode, encodeImages, probeDetail } from "../video/index.ts";
import { compareRuns } from "./compare.ts";
import {
  createExplorer,
  type Explorer,
  MOTIONBENCH_ABBR,
  outcomeOf,
  type RunSummary,
  scoredCorrect,
} from "./explorer.ts";
import { barChart, esc, lineChart } from "./svg.ts";
import { specX } from "./sweep-data.ts";
import type { RunSource, SampleRecord } from "./types.ts";

export interface ReportOptions {
  /** Failures shown in the gallery per benchmark (default 24). */
  gallery?: number;
  /** Frames per gallery item (default 4, evenly picked from what the model received). */
  thumbs?: number;
  /** Thumbnail longer side in pixels (default 112). */
  thumbSize?: number;
  title?: string;
}

export interface ReportResult {
  html: string;
  runs: string[];
  gallery: number;
  thumbnails: number;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "–" : (x * 100).toFixed(1));
const ci = (c: [number, number] | null | undefined) => (c ? `[${pct(c[0])}, ${pct(c[1])}]` : "");
const figure = (caption: string, svg: string) =>
  `<figure><figcaption>${esc(caption)}</figcaption>${svg}</figure>`;

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111827;margin:24px;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0}th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.ci{display:block;color:#6b7280;font-size:11px;white-space:nowrap}
.muted{color:#6b7280}.pos{color:#15803d}.neg{color:#b91c1c}
.card{border:1px solid #e5e7eb;border-radius:6px;padding:10px;margin:10px 0}.strip{display:flex;gap:4px;flex-wrap:wrap;margin:6px 0}
.strip figure{margin:0;text-align:center;font-size:10px;color:#6b7280}.strip img{display:block;border:1px solid #e5e7eb}
pre{white-space:pre-wrap;word-break:break-word;background:#f9fafb;border:1px solid #e5e7eb;padding:6px;margin:4px 0}
.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;font-weight:600}
figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}.wrong{background:#fee2e2;color:#b91c1c}.failed{background:#fde68a;color:#78350f}.unparsed{background:#e0e7ff;color:#3730a3}`;

function leaderboardTable(rows: RunSummary[], cats: string[]): string {
  const hasTest = rows.some((r) => r.test);
  const abbr = (c: string) => MOTIONBENCH_ABBR[c] ?? c.replace(/ Questions?$/, "");
  const cell = (a: { acc: number | null; ci95: [number, number] | null; n: number } | null | undefined) =>
    `<td class="n" title="n = ${a?.n ?? 0}">${pct(a?.acc)}<span class="ci">${esc(ci(a?.ci95))}</span></td>`;
  let t = `<table><thead><tr><th>Model</th><th>Frames</th><th>N</th><th>Dev AVG</th>${hasTest ? "<th>Test AVG</th>" : ""}${cats.map((c) => `<th title="${esc(c)}">${esc(abbr(c))}</th>`).join("")}<th>Failed %</th><th>Unparsed %</th><th>Run</th></tr></thead><tbody>`;
  for (const r of rows)
    t += `<tr><td>${esc(r.model)}${r.partial ? ` <span class="badge failed" title="${esc(partialText(r.partial))}">partial ${r.partial.answered}/${r.partial.of}</span>` : ""}</td><td>${esc(r.frames)}</td><td class="n">${r.overall.n}</td>${cell(r.overall)}${hasTest ? cell(r.test) : ""}${cats.map((c) => cell(r.categories[c])).join("")}<td class="n">${pct(r.failureRate)}</td><td class="n">${pct(r.unparsedRate)}</td><td class="muted">${esc(r.id)}</td></tr>`;
  const legend = cats.filter((c) => abbr(c) !== c).map((c) => `${abbr(c)} ${c}`);
  return `${t}</tbody></table><p class="muted">Accuracy in %${legend.length ? `; ${esc(legend.join(", "))}` : ""}.</p>`;
}

async function thumbnails(
  s: SampleRecord,
  n: number,
  size: number,
): Promise<{ src: string; index: number; time: number | null }[]> {
  if (!s.video || !s.frames?.indices.length) return [];
  const all = s.frames.indices;
  const pick =
    n >= all.length
      ? all
      : Array.from({ length: n }, (_, i) => all[Math.floor(((i + 0.5) * all.length) / n)]);
  try {
    const detail = await probeDetail(s.video.path, { fps: s.video.fps });
    const rgb = await decode(s.video.path, pick, { probe: detail, size, fit: "max-side", fps: s.video.fps });
    const jpgs = await encodeImages(rgb, "jpeg", 70);
    return jpgs.map((b, i) => ({
      src: `data:image/jpeg;base64,${b.toString("base64")}`,
      index: pick[i],
      time: detail.pts?.[pick[i]] ?? pick[i] / detail.meta.fpsValue,
    }));
  } catch {
    return []; // video gone: the card still shows the text
  }
}

/** Failures worth looking at first: wrong for every run, then wrong, unparsed, failed. */
function galleryItems(
  ex: Explorer,
  runIds: string[],
  limit: number,
): { run: string; s: SampleRecord; everyone: boolean }[] {
  const out: { run: string; s: SampleRecord; everyone: boolean }[] = [];
  const seen = new Set<string>();
  const allWrong = new Map<string, boolean>();
  for (const id of runIds) for (const s of ex.filtered(id, { allWrong: true })) allWrong.set(s.id, true);
  const tiers: ((s: SampleRecord) => boolean)[] = [
    (s) => allWrong.has(s.id) && scoredCorrect(s) === false,
    (s) => outcomeOf(s) === "wrong",
    (s) => outcomeOf(s) === "unparsed",
    (s) => outcomeOf(s) === "failed",
  ];
  for (const tier of tiers)
    for (const id of runIds)
      for (const s of ex.filtered(id, {})) {
        if (out.length >= limit) return out;
        if (seen.has(s.id) || !tier(s)) continue;
        seen.add(s.id);
        out.push({ run: id, s, everyone: allWrong.has(s.id) });
      }
  return out;
}

export async function buildReport(
  source: RunSource,
  runIds: string[],
  o: ReportOptions = {},
): Promise<ReportResult> {
  const ex = createExplorer(source);
  if (runIds.length === 0)
    throw new KinemaError("bad_input", "name at least one run (see `kinema runs`)", { field: "runs" });
  for (const id of runIds) ex.run(id); // not_found early, naming the run
  const galleryN = o.gallery ?? 24;
  const nThumbs = o.thumbs ?? 4;
  const thumbSize = o.thumbSize ?? 112;
  const byBench = new Map<string, string[]>();
  for (const id of runIds) {
    const b = ex.run(id).benchmark;
    byBench.set(b, [...(byBench.get(b) ?? []), id]);
  }
  let body = "";
  let shown = 0;
  let thumbCount = 0;
  for (const [bench, ids] of byBench) {
    const rows = ids
      .map((id) => ex.summary(id))
      .sort((a, b) => (b.overall.acc ?? -1) - (a.overall.acc ?? -1));
    const cats = ex.leaderboard(bench).categories.filter((c) => rows.some((r) => r.categories[c]));
    body += `<h2>${esc(bench)}</h2>${leaderboardTable(rows, cats)}`;
    body += `<p class="muted">Accuracy in %; small numbers are 95% bootstrap intervals resampling videos. Failed samples are excluded from accuracy and counted in Failed %; unparsed answers count as wrong.</p>`;
    body += figure(
      `Accuracy per category (%), whiskers: 95% interval`,
      barChart({
        title: `${bench}: accuracy per category`,
        groups: ["AVG", ...cats.map((c) => MOTIONBENCH_ABBR[c] ?? c.replace(/ Questions?$/, ""))],
        series: rows.map((r) => ({
          name: `${r.model} · ${r.frames}`,
          values: [r.overall.acc, ...cats.map((c) => r.categories[c]?.acc ?? null)],
          ci: [r.overall.ci95, ...cats.map((c) => r.categories[c]?.ci95 ?? null)],
        })),
        yMax: 1,
        yLabel: "accuracy (%)",
      }),
    );
    // accuracy vs frames, per model with several frame settings
    const byModel = new Map<string, RunSummary[]>();
    for (const r of rows) byModel.set(r.model, [...(byModel.get(r.model) ?? []), r]);
    const sweepSeries = [...byModel.entries()]
      .map(([m, rs]) => ({
        name: m,
        points: rs
          .map((r) => ({ x: specX(r.frames), y: r.overall.acc }))
          .filter((p) => p.x.unit === "frames" && p.x.x !== null && p.y !== null)
          .map((p) => ({ x: p.x.x!, y: p.y! })),
      }))
      .filter((s) => s.points.length >= 2);
    if (sweepSeries.length)
      body += figure(
        "Accuracy vs frames (models evaluated at several frame settings)",
        lineChart({ title: `${bench}: accuracy vs frames`, xLabel: "frames per clip", series: sweepSeries }),
      );
    const bias = ids.map((id) => ({ id, ...ex.letterBias(id) }));
    const letters = [...new Set(bias.flatMap((b) => b.letters))].sort();
    if (letters.length) {
      const truth = letters.map((l) => bias[0].truth[bias[0].letters.indexOf(l)] ?? 0);
      body += figure(
        "Option-letter bias: answers per letter, ground truth first",
        barChart({
          title: `${bench}: option-letter bias`,
          groups: letters,
          series: [
            { name: "ground truth", values: truth },
            ...bias.map((b) => ({
              name: ex.run(b.id).model + " · " + ex.run(b.id).frames,
              values: letters.map((l) => b.predicted[b.letters.indexOf(l)] ?? 0),
            })),
          ],
          yLabel: "answers",
        }),
      );
    }
    if (rows.length >= 2) {
      body += `<h3>Paired comparisons against the best run (${esc(rows[0].model)} · ${esc(rows[0].frames)})</h3><table><thead><tr><th>Run</th><th>n</th><th>Δ (points)</th><th>95% interval</th><th>gained / lost</th><th>McNemar exact p</th></tr></thead><tbody>`;
      for (const r of rows.slice(1)) {
        const c = compareRuns(ex, rows[0].id, r.id);
        const d = c.overall.delta;
        body += `<tr><td>${esc(r.model)} · ${esc(r.frames)}</td><td class="n">${c.overall.n}</td><td class="n ${d !== null && d < 0 ? "neg" : "pos"}">${d === null ? "–" : (d * 100).toFixed(1)}</td><td class="n">${esc(ci(c.overall.ci95))}</td><td class="n">${c.overall.gained} / ${c.overall.lost}</td><td class="n">${c.overall.mcnemar.exactP < 0.001 ? "&lt;0.001" : c.overall.mcnemar.exactP.toFixed(3)}</td></tr>`;
      }
      body += "</tbody></table>";
    }
    const items = galleryItems(ex, ids, galleryN);
    body += `<h3>Failure gallery (${items.length})</h3>`;
    for (const it of items) {
      const s = it.s;
      const run = ex.run(it.run);
      const thumbs = await thumbnails(s, nThumbs, thumbSize);
      thumbCount += thumbs.length;
      const others = ids
        .filter((id) => id !== it.run)
        .map((id) => ex.filtered(id, {}).find((x) => x.id === s.id))
        .filter((x): x is SampleRecord => !!x);
      const outcome = outcomeOf(s);
      body += `<div class="card"><b>${esc(s.id)}</b> <span class="badge ${outcome}">${esc(outcome)}</span>${it.everyone ? ' <span class="badge wrong">wrong for every run</span>' : ""} <span class="muted">${esc(s.category)} · video ${esc(s.videoId)} · ${esc(run.model)} · ${esc(run.frames)}</span>`;
      if (thumbs.length)
        body += `<div class="strip">${thumbs.map((t) => `<figure><img src="${t.src}" alt="frame ${t.index}"><figcaption>frame ${t.index}${t.time === null ? "" : ` · ${t.time.toFixed(2)} s`}</figcaption></figure>`).join("")}</div>`;
      body += `<div>${esc(s.question)}</div>`;
      if (s.options.length)
        body += `<ol type="A">${s.options.map((op, i) => `<li${String.fromCharCode(65 + i) === s.answer ? ' style="background:#dcfce7"' : ""}>${esc(op)}</li>`).join("")}</ol>`;
      body += `<div>truth <b>${esc(s.answer)}</b> · parsed <b>${esc(s.parsed ?? "–")}</b>${others.length ? ` · other runs: ${others.map((x) => esc(`${x.parsed || "–"} (${outcomeOf(x)})`)).join(", ")}` : ""}</div>`;
      body += `<pre>${esc(s.raw ?? s.error ?? "")}</pre></div>`;
      shown++;
    }
  }
  const title = o.title ?? `kinema report: ${[...byBench.keys()].join(", ")}`;
  // CSP: the report runs no scripts and loads nothing from outside (images are data: URIs)
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head><body><h1>${esc(title)}</h1><p class="muted">${runIds.length} run(s) · generated ${esc(new Date().toISOString())} by kinema</p>${body}</body></html>\n`;
  return { html, runs: runIds, gallery: shown, thumbnails: thumbCount };
}
