// Run view: summary, plots, and a server-paginated per-sample table whose filters live in the URL.

import { encodeIdSegment } from "../../../src/server/path-id.ts";
import { get, type RunSummary, type SamplePage } from "../api.ts";
import { categoryChart, letterChart } from "../charts.ts";
import { ci, h, pct, thead } from "../dom.ts";
import { badge, filterQuery, go, link } from "../nav.ts";

export async function runView(runId: string, q: URLSearchParams): Promise<HTMLElement> {
  const f = filterQuery(q);
  const page = Number(q.get("page") ?? 1);
  const enc = encodeIdSegment(runId);
  // the table comes first; the summary (bootstrap intervals, plots) fills in when it arrives
  // (asked after the page: the server is single-threaded, and the page is what a person waits for)
  const data = await get<SamplePage>(`/api/runs/${enc}/samples?${f}&page=${page}&pageSize=50`);
  const summary = get<RunSummary & { plots: { categories: any[]; letterBias: any } }>(`/api/runs/${enc}`);
  const run = data.info;
  const root = h("section", { id: "run" });
  const setFilter = (key: string, value: string | null) => {
    const p = filterQuery(new URLSearchParams(location.search));
    if (value) p.set(key, value);
    else p.delete(key);
    go(`/runs/${enc}?${p}`, true);
  };
  const cats = data.categories;
  const catSel = h(
    "select",
    {
      id: "f-category",
      onchange: (e: Event) => setFilter("category", (e.target as HTMLSelectElement).value),
    },
    h("option", { value: "" }, "all categories"),
    ...cats.map((c) => h("option", { value: c }, c)),
  );
  catSel.value = f.get("category") ?? "";
  const outSel = h(
    "select",
    { id: "f-outcome", onchange: (e: Event) => setFilter("outcome", (e.target as HTMLSelectElement).value) },
    h("option", { value: "" }, "any outcome"),
    ...["correct", "wrong", "failed", "unparsed", "unscored"].map((o) => h("option", { value: o }, o)),
  );
  outSel.value = f.get("outcome") ?? "";
  const check = (key: string, label: string, title: string) =>
    h(
      "label",
      { title },
      h("input", {
        type: "checkbox",
        id: `f-${key}`,
        checked: f.get(key) === "1",
        onchange: (e: Event) => setFilter(key, (e.target as HTMLInputElement).checked ? "1" : null),
      }),
      label,
    );
  const search = h("input", {
    type: "search",
    id: "f-q",
    placeholder: "search question, options, output…",
    value: f.get("q") ?? "",
    onchange: (e: Event) => setFilter("q", (e.target as HTMLInputElement).value.trim() || null),
  });
  const labels = (c: string) => c;
  const facts = h(
    "dl",
    { className: "kv", id: "run-facts" },
    h("dt", {}, "run"),
    h("dd", {}, run.id),
    h("dt", {}, "benchmark"),
    h("dd", {}, run.benchmark),
    run.judge ? [h("dt", {}, "judge"), h("dd", {}, run.judge)] : null,
  );
  const charts = h("div", { className: "charts", id: "run-charts" });
  summary
    .then((s) => {
      facts.append(
        h("dt", {}, "accuracy"),
        h("dd", {}, `${pct(s.overall.acc)}% ${ci(s.overall.ci95)} on ${s.overall.n} scored dev questions`),
        ...(s.test
          ? [
              h("dt", {}, "test accuracy"),
              h("dd", {}, `${pct(s.test.acc)}% ${ci(s.test.ci95)} on ${s.test.n}`),
            ]
          : []),
        h("dt", {}, "samples"),
        h(
          "dd",
          {},
          `${s.counts.total} total · ${s.counts.ok} ok · ${s.counts.failed} failed · ${s.counts.unparsed} unparsed · ${s.counts.pending} pending`,
        ),
      );
      charts.append(categoryChart(s.plots.categories, labels), letterChart(s.plots.letterBias));
      charts.dataset.ready = "1";
    })
    .catch((e) => charts.append(h("p", { className: "error" }, `Summary failed: ${(e as Error).message}`)));
  root.append(
    h(
      "div",
      { className: "nav-row" },
      link(`/?bench=${encodeURIComponent(run.benchmark)}`, `← ${run.benchmark} leaderboard`),
    ),
    h("h1", {}, `${run.model} · ${run.frames}`),
    facts,
    charts,
    h("h2", {}, "Samples"),
    h(
      "div",
      { className: "filters" },
      catSel,
      outSel,
      check("allWrong", "wrong for every model", "wrong (or unparsed) in every run on this benchmark"),
      check("disagree", "runs disagree", "runs on this benchmark gave different answers"),
      search,
      h("span", { className: "muted", id: "total" }, `${data.total} match`),
    ),
  );
  const rowLink = (id: string) => `/runs/${enc}/samples/${encodeIdSegment(id)}?${f}`;
  const table = h(
    "table",
    { className: "samples" },
    thead("#", "id", "category", "question", "truth", "parsed", "outcome", "raw output"),
    h(
      "tbody",
      {},
      ...data.rows.map((r, i) =>
        h(
          "tr",
          { className: "clickable", "data-id": r.id, onclick: () => go(rowLink(r.id)) },
          h("td", { className: "num muted" }, String((data.page - 1) * data.pageSize + i + 1)),
          h("td", {}, link(rowLink(r.id), r.id)),
          h("td", {}, r.category),
          h("td", { className: "cell-text", title: r.question }, r.question),
          h("td", {}, r.answer),
          h("td", {}, r.parsed ?? ""),
          h("td", {}, badge(r.outcome)),
          h("td", { className: "cell-text raw-cell", title: r.raw }, r.raw),
        ),
      ),
    ),
  );
  const pageTo = (p: number) => {
    const u = new URLSearchParams(f);
    u.set("page", String(p));
    go(`/runs/${enc}?${u}`, true);
  };
  const pager = h(
    "div",
    { className: "pager" },
    h(
      "button",
      { id: "prev-page", disabled: data.page <= 1, onclick: () => pageTo(data.page - 1) },
      "‹ prev",
    ),
    h("span", {}, `page ${data.page} of ${data.pages}`),
    h(
      "button",
      { id: "next-page", disabled: data.page >= data.pages, onclick: () => pageTo(data.page + 1) },
      "next ›",
    ),
    h(
      "span",
      { className: "exports" },
      "export this filter: ",
      h("a", { href: `/api/runs/${enc}/samples.csv?${f}` }, "CSV"),
      h("a", { href: `/api/runs/${enc}/samples.json?${f}` }, "JSON"),
    ),
  );
  root.append(table, pager);
  return root;
}
