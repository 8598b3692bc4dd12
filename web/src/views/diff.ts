// Diff view of two runs on one benchmark: paired deltas per category, McNemar tests, flipped questions.

import { encodeIdSegment } from "../../../src/server/path-id.ts";
import { type Comparison, get, type Paired } from "../api.ts";
import { ci, h, numTh, pct, thead } from "../dom.ts";
import { link } from "../nav.ts";

const p = (x: number) => (x < 0.001 ? "<0.001" : x.toFixed(3));

function row(name: string, s: Paired) {
  const cls = s.delta === null ? "" : s.delta > 0 ? "delta-pos" : s.delta < 0 ? "delta-neg" : "";
  return h(
    "tr",
    {},
    h("td", {}, name),
    h("td", { className: "num" }, String(s.n)),
    h("td", { className: "num" }, pct(s.accA)),
    h("td", { className: "num" }, pct(s.accB)),
    h(
      "td",
      { className: `num ${cls}` },
      s.delta === null ? "–" : `${s.delta > 0 ? "+" : ""}${pct(s.delta)}`,
      h("span", { className: "ci" }, ci(s.ci95)),
    ),
    h("td", { className: "num" }, `${s.gained} / ${s.lost}`),
    h("td", { className: "num" }, p(s.mcnemar.exactP)),
    h("td", { className: "num" }, `${s.mcnemar.chi2.toFixed(2)} (p ${p(s.mcnemar.chi2P)})`),
  );
}

export async function diffView(q: URLSearchParams): Promise<HTMLElement> {
  const a = q.get("a") ?? "";
  const b = q.get("b") ?? "";
  const c = await get<Comparison>(`/api/diff?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  const root = h("section", { id: "diff" });
  root.append(
    h(
      "div",
      { className: "nav-row" },
      link(`/?bench=${encodeURIComponent(c.benchmark)}`, `← ${c.benchmark} leaderboard`),
    ),
    h("h1", {}, `Diff: ${c.a.model} · ${c.a.frames}  →  ${c.b.model} · ${c.b.frames}`),
    h(
      "p",
      { className: "muted" },
      `A = ${c.a.run}, B = ${c.b.run}. Paired over questions scored in both runs (${c.unpaired} unpaired). Δ = B − A in points with a 95% paired bootstrap interval over videos.`,
    ),
    h(
      "table",
      {},
      thead(
        "category",
        numTh("n"),
        numTh("A %"),
        numTh("B %"),
        numTh("Δ"),
        numTh("gained / lost"),
        numTh("McNemar exact p"),
        numTh("χ² (cc)"),
      ),
      h("tbody", {}, row("overall", c.overall), ...Object.entries(c.categories).map(([k, v]) => row(k, v))),
    ),
    h("h2", {}, `Flipped questions (${c.flipped.length})`),
    h(
      "p",
      { className: "exports" },
      h("a", { href: `/api/diff.csv?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}` }, "Export CSV"),
    ),
    h(
      "table",
      {},
      thead("id", "category", "question", "truth", "A", "B", "flip"),
      h(
        "tbody",
        {},
        ...c.flipped
          .slice(0, 1000)
          .map((x) =>
            h(
              "tr",
              {},
              h("td", {}, link(`/runs/${encodeIdSegment(c.b.run)}/samples/${encodeIdSegment(x.id)}`, x.id)),
              h("td", {}, x.category),
              h("td", { className: "cell-text", title: x.question }, x.question),
              h("td", {}, x.answer),
              h("td", {}, x.a ?? ""),
              h("td", {}, x.b ?? ""),
              h("td", { className: x.direction === "gained" ? "delta-pos" : "delta-neg" }, x.direction),
            ),
          ),
      ),
    ),
  );
  return root;
}
