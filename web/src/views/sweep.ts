// Plots of studies: accuracy vs frames for a `kinema sweep`, accuracy vs k for the compression study.

import { encodeIdSegment } from "../../../src/server/path-id.ts";
import { get } from "../api.ts";
import { lineChart } from "../charts.ts";
import { ci, h, numTh, pct, thead } from "../dom.ts";
import { link } from "../nav.ts";

interface SweepPoint {
  frames: string;
  run: string;
  x: number | null;
  unit: string | null;
  acc: number | null;
  ci95: [number, number] | null;
  n: number;
  categories: Record<string, number | null>;
}

export async function sweepView(id: string): Promise<HTMLElement> {
  const s = await get<{ id: string; benchmark: string; model: string; points: SweepPoint[] }>(
    `/api/sweeps/${encodeIdSegment(id)}`,
  );
  const root = h("section", { id: "sweep" });
  const units = [...new Set(s.points.map((p) => p.unit ?? "other"))];
  const cats = [...new Set(s.points.flatMap((p) => Object.keys(p.categories)))];
  root.append(
    h(
      "div",
      { className: "nav-row" },
      link(`/?bench=${encodeURIComponent(s.benchmark)}`, `← ${s.benchmark} leaderboard`),
    ),
    h("h1", {}, `Frame sweep: ${s.model}`),
  );
  for (const u of units) {
    const pts = s.points.filter((p) => (p.unit ?? "other") === u && p.x !== null).sort((a, b) => a.x! - b.x!);
    if (pts.length === 0) continue;
    const series = [
      { name: "overall", points: pts.map((p) => ({ x: p.x!, y: (p.acc ?? 0) * 100 })) },
      ...cats.map((c) => ({
        name: c,
        points: pts.map((p) => ({ x: p.x!, y: (p.categories[c] ?? 0) * 100 })),
      })),
    ];
    root.append(
      lineChart(
        `Accuracy vs ${u === "fps" ? "frames per second" : "frames"}`,
        `chart-sweep-${u}`,
        u === "fps" ? "fps" : "frames",
        series,
      ),
    );
  }
  root.append(
    h(
      "table",
      {},
      thead("frames", numTh("n"), numTh("accuracy %"), "run"),
      h(
        "tbody",
        {},
        ...s.points.map((p) =>
          h(
            "tr",
            {},
            h("td", {}, p.frames),
            h("td", { className: "num" }, String(p.n)),
            h("td", { className: "num" }, pct(p.acc), h("span", { className: "ci" }, ci(p.ci95))),
            h("td", {}, link(`/runs/${encodeIdSegment(p.run)}`, p.run)),
          ),
        ),
      ),
    ),
  );
  return root;
}

export async function studyView(): Promise<HTMLElement> {
  const s = await get<{
    series: { name: string; points: { k: number; acc: number; std: number | null }[] }[];
  }>("/api/study");
  const scale = (v: number) => (v <= 1 ? v * 100 : v);
  // one chart per protocol ("fixed-N · te-fusion" → protocol "fixed-N")
  const groups = new Map<string, typeof s.series>();
  for (const x of s.series) {
    const [protocol, method] = x.name.includes(" · ") ? x.name.split(" · ") : ["", x.name];
    groups.set(protocol, [...(groups.get(protocol) ?? []), { ...x, name: method }]);
  }
  const root = h(
    "section",
    { id: "study" },
    h("div", { className: "nav-row" }, link("/", "← leaderboard")),
    h("h1", {}, "Compression study: accuracy vs temporal compression ratio k"),
    h(
      "p",
      { className: "muted" },
      "Held-out accuracy (mean over training seeds) per method; hover a point for its value.",
    ),
  );
  const charts = h("div", { className: "charts" });
  let i = 0;
  for (const [protocol, series] of groups)
    charts.append(
      lineChart(
        protocol ? `Protocol ${protocol}` : "Accuracy vs k",
        `chart-study-${i++}`,
        "k",
        series.map((x) => ({ name: x.name, points: x.points.map((p) => ({ x: p.k, y: scale(p.acc) })) })),
      ),
    );
  root.append(charts);
  return root;
}
