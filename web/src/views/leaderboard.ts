// Leaderboard per benchmark in MotionBench's Table 3 layout (models × categories), sortable; plus links to
// sweeps, the compression study and a two-run diff picker.

import { encodeIdSegment } from "../../../src/server/path-id.ts";
import { get, type Leaderboard, type Overview, type RunSummary } from "../api.ts";
import { ci, h, pct, thead } from "../dom.ts";
import { go, link } from "../nav.ts";

type SortKey = { col: string; dir: 1 | -1 };

function sortValue(r: RunSummary, col: string): number | string {
  if (col === "model") return r.model;
  if (col === "frames") return r.frames;
  if (col === "overall") return r.overall.acc ?? -1;
  if (col === "test") return r.test?.acc ?? -1;
  if (col === "failed") return r.failureRate;
  if (col === "unparsed") return r.unparsedRate;
  if (col === "n") return r.overall.n;
  return r.categories[col]?.acc ?? -1;
}

export async function leaderboardView(q: URLSearchParams): Promise<HTMLElement> {
  const ov = await get<Overview>("/api/overview");
  const root = h("section", { id: "leaderboard" });
  if (ov.benchmarks.length === 0) {
    root.append(h("h1", {}, "No runs yet"), h("p", {}, "Run `kinema eval` to fill the store, then reload."));
    return root;
  }
  const bench =
    q.get("bench") && ov.benchmarks.includes(q.get("bench")!) ? q.get("bench")! : ov.benchmarks[0];
  const lb = await get<Leaderboard>(`/api/leaderboard?bench=${encodeURIComponent(bench)}`);
  root.append(
    h("h1", {}, "Leaderboard"),
    h(
      "div",
      { className: "tabs" },
      ...ov.benchmarks.map((b) => {
        const a = link(`/?bench=${encodeURIComponent(b)}`, b);
        if (b === bench) a.className = "active";
        return a;
      }),
    ),
  );
  const table = leaderboardTable(lb, bench, {
    col: q.get("sort") ?? "overall",
    dir: q.get("dir") === "asc" ? 1 : -1,
  });
  root.append(
    h(
      "p",
      { className: "muted" },
      "Accuracy in %, with 95% bootstrap intervals that resample videos. Click a column to sort." +
        legendOf(lb),
    ),
    table,
    h(
      "p",
      { className: "exports" },
      h("a", { href: `/api/leaderboard.csv?bench=${encodeURIComponent(bench)}` }, "Export CSV"),
    ),
  );
  if (lb.rows.length >= 2) root.append(...diffPicker(lb));
  root.append(...studies(ov, bench));
  return root;
}

/** The Table-3 layout: one row per run, a column per category; a click on a column header sorts by it. */
function leaderboardTable(lb: Leaderboard, bench: string, sort: SortKey): HTMLTableElement {
  const rows = [...lb.rows].sort((a, b) => {
    const va = sortValue(a, sort.col);
    const vb = sortValue(b, sort.col);
    return (va < vb ? -1 : va > vb ? 1 : 0) * sort.dir;
  });
  const th = (col: string, label: string, title?: string, num = true) => {
    const cls = [
      "sortable",
      num ? "num" : "",
      sort.col === col ? (sort.dir === 1 ? "sorted-asc" : "sorted-desc") : "",
    ].join(" ");
    return h(
      "th",
      {
        className: cls,
        title: title ?? label,
        "data-col": col,
        onclick: () => {
          const p = new URLSearchParams(location.search);
          p.set("bench", bench);
          p.set("sort", col);
          p.set("dir", sort.col === col && sort.dir === -1 ? "asc" : "desc");
          go(`/?${p}`, true);
        },
      },
      label,
    );
  };
  const accCell = (a: { acc: number | null; ci95: [number, number] | null; n: number } | undefined) =>
    h(
      "td",
      { className: "num", title: a ? `n = ${a.n}` : "" },
      pct(a?.acc),
      h("span", { className: "ci" }, ci(a?.ci95)),
    );
  const hasJudge = lb.rows.some((r) => r.judge);
  const hasTest = lb.rows.some((r) => r.test);
  return h(
    "table",
    { className: "leaderboard" },
    thead(
      th("model", "Model", "model spec", false),
      th("frames", "Frames", "frame sampling spec", false),
      hasJudge ? "Judge" : null,
      th("n", "N", "scored questions"),
      th(
        "overall",
        "Dev AVG",
        "micro accuracy over scored dev questions (%, 95% interval resampling videos)",
      ),
      hasTest ? th("test", "Test AVG", "micro accuracy over test questions that have ground truth") : null,
      ...lb.categories.map((c) => th(c, lb.abbreviations[c], c)),
      th(
        "failed",
        "Failed %",
        "samples whose request failed after retries, of those asked (excluded from accuracy)",
      ),
      th("unparsed", "Unparsed %", "answers that could not be parsed (count as wrong)"),
      "Run",
    ),
    h(
      "tbody",
      {},
      ...rows.map((r) =>
        h(
          "tr",
          { "data-run": r.id },
          h(
            "td",
            {},
            r.model,
            r.partial
              ? h(
                  "span",
                  {
                    className: "badge partial",
                    title: `${r.partial.answered} of ${r.partial.of} samples (${r.partial.reason === "limit" ? "--limit" : "interrupted"})`,
                  },
                  `partial ${r.partial.answered}/${r.partial.of}`,
                )
              : null,
          ),
          h("td", {}, r.frames),
          hasJudge ? h("td", {}, r.judge ?? "") : null,
          h("td", { className: "num" }, String(r.overall.n)),
          accCell(r.overall),
          hasTest ? accCell(r.test ?? undefined) : null,
          ...lb.categories.map((c) => accCell(r.categories[c])),
          h("td", { className: "num" }, pct(r.failureRate)),
          h("td", { className: "num" }, pct(r.unparsedRate)),
          h("td", {}, link(`/runs/${encodeIdSegment(r.id)}`, r.id)),
        ),
      ),
    ),
  );
}

/** Two run menus and a button that opens their diff. */
function diffPicker(lb: Leaderboard): HTMLElement[] {
  const opts = () => lb.rows.map((r) => h("option", { value: r.id }, `${r.model} · ${r.frames} · ${r.id}`));
  const a = h("select", { id: "diff-a" }, ...opts());
  const b = h("select", { id: "diff-b" }, ...opts());
  b.selectedIndex = 1;
  return [
    h("h2", {}, "Compare two runs"),
    h(
      "div",
      { className: "filters" },
      a,
      " vs ",
      b,
      h(
        "button",
        {
          id: "diff-go",
          onclick: () => go(`/diff?a=${encodeURIComponent(a.value)}&b=${encodeURIComponent(b.value)}`),
        },
        "Diff",
      ),
    ),
  ];
}

/** Links to this benchmark's frame sweeps and the compression study, when there are any. */
function studies(ov: Overview, bench: string): HTMLElement[] {
  const sweeps = ov.sweeps.filter((s) => s.benchmark === bench);
  if (!sweeps.length && !ov.study) return [];
  const ul = h("ul", {});
  for (const s of sweeps)
    ul.append(
      h(
        "li",
        {},
        link(`/sweeps/${encodeIdSegment(s.id)}`, `Frame sweep ${s.id}`),
        ` — ${s.model}: ${s.points.map((p) => p.frames).join(", ")}`,
      ),
    );
  if (ov.study) ul.append(h("li", {}, link("/study", "Compression study: accuracy vs k")));
  return [h("h2", {}, "Studies"), ul];
}

/** The category abbreviations spelled out (MR Motion Recognition, ...), for the line under the table. */
function legendOf(lb: Leaderboard): string {
  const pairs = lb.categories.filter((c) => lb.abbreviations[c] && lb.abbreviations[c] !== c);
  return pairs.length ? ` ${pairs.map((c) => `${lb.abbreviations[c]} ${c}`).join(", ")}.` : "";
}
