// Sample view: the exact frames the model received (indices, timestamps, masks drawn over them), the question,
// options, raw output, parsed answer, ground truth, judge reply, other runs' answers; prev/next in the filter.

import { encodeIdSegment } from "../../../src/server/path-id.ts";
import { get, type SampleDetail } from "../api.ts";
import { h, thead } from "../dom.ts";
import { drawMask } from "../masks.ts";
import { badge, filterQuery, go, link } from "../nav.ts";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function frameTile(
  src: string,
  f: SampleDetail["frames"][number],
  masks: SampleDetail["masks"],
  window: [number, number] | null,
) {
  const cv = h("canvas", { width: 1, height: 1, "data-k": f.k, "data-index": f.index });
  const img = new Image();
  img.onload = () => {
    cv.width = img.naturalWidth;
    cv.height = img.naturalHeight;
    const ctx = cv.getContext("2d")!;
    ctx.drawImage(img, 0, 0);
    for (const m of masks.filter((m) => m.k === f.k)) drawMask(ctx, m.rle, m.object, cv.width, cv.height);
    cv.dataset.loaded = "1";
  };
  img.onerror = () => {
    cv.dataset.loaded = "error";
  };
  img.src = src;
  const t =
    f.time === null
      ? ""
      : ` · ${f.time.toFixed(2)} s${window ? ` (clip ${(f.time - window[0]).toFixed(2)} s)` : ""}`;
  return h(
    "div",
    { className: "frame" },
    cv,
    h("div", { className: "cap" }, `#${f.k + 1} · frame ${f.index}${t}`),
  );
}

export async function sampleView(runId: string, sampleId: string, q: URLSearchParams): Promise<HTMLElement> {
  const f = filterQuery(q);
  const enc = encodeIdSegment(runId);
  const d = await get<SampleDetail>(`/api/runs/${enc}/samples/${encodeIdSegment(sampleId)}?${f}`);
  const s = d.sample;
  const to = (id: string) => `/runs/${enc}/samples/${encodeIdSegment(id)}?${f}`;
  const root = h("section", { id: "sample" });
  root.append(
    h(
      "div",
      { className: "nav-row" },
      link(`/runs/${enc}?${f}`, `← run ${d.run.model} · ${d.run.frames}`),
      d.prev ? link(to(d.prev), "‹ previous") : h("span", { className: "muted" }, "‹ previous"),
      h(
        "span",
        { className: "muted" },
        d.position >= 0 ? `${d.position + 1} of ${d.total} in this filter` : "not in this filter",
      ),
      d.next ? link(to(d.next), "next ›") : h("span", { className: "muted" }, "next ›"),
      h("span", { className: "muted" }, "(keys ← →)"),
    ),
    h("h1", {}, `Sample ${s.id} `, badge(d.outcome)),
  );
  if (d.frames.length) {
    const strip = h("div", { className: "filmstrip", id: "filmstrip" });
    for (const fr of d.frames)
      strip.append(
        frameTile(`/api/runs/${enc}/samples/${encodeIdSegment(s.id)}/frames/${fr.k}`, fr, d.masks, d.window),
      );
    root.append(h("h2", {}, `Frames the model received (${d.frames.length})`), strip);
  } else
    root.append(
      h(
        "p",
        { className: "muted" },
        "No frames recorded for this sample (text-only or failed before decoding).",
      ),
    );
  const options = h(
    "ol",
    { className: "options" },
    ...s.options.map((o, i) => {
      const L = LETTERS[i];
      const cls = [L === s.answer ? "truth" : "", L === s.parsed ? "pred" : ""].join(" ").trim();
      return h("li", { className: cls || null }, `${L}. `, o);
    }),
  );
  const dl = h(
    "dl",
    { className: "kv" },
    h("dt", {}, "category"),
    h("dd", {}, s.category),
    h("dt", {}, "video"),
    h(
      "dd",
      {},
      s.videoId,
      s.video
        ? h(
            "span",
            { className: "muted" },
            ` (${s.video.path}${s.video.window ? ` ${s.video.window[0]}–${s.video.window[1]} s` : ""})`,
          )
        : null,
    ),
    h("dt", {}, "question"),
    h("dd", { id: "question" }, s.question),
    h("dt", {}, "options"),
    h("dd", {}, options),
    h("dt", {}, "ground truth"),
    h("dd", { id: "truth" }, s.answer),
    h("dt", {}, "parsed answer"),
    h("dd", { id: "parsed" }, s.parsed ?? "—"),
    h("dt", {}, "status"),
    h("dd", {}, s.status),
    h("dt", {}, "raw output"),
    h("dd", {}, h("pre", { className: "raw", id: "raw" }, s.raw ?? "")),
    s.error
      ? [h("dt", {}, "error"), h("dd", {}, h("pre", { className: "raw", id: "error" }, s.error))]
      : null,
    s.judge
      ? [h("dt", {}, "judge reply"), h("dd", {}, h("pre", { className: "raw", id: "judge" }, s.judge.reply))]
      : null,
  );
  root.append(h("h2", {}, "Question and answer"), dl);
  // ← / → (or k / j) step through the filter; the listener lives as long as this view is on screen
  const onKey = (e: KeyboardEvent) => {
    if (!root.isConnected) return document.removeEventListener("keydown", onKey);
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    const target =
      e.key === "ArrowLeft" || e.key === "k"
        ? d.prev
        : e.key === "ArrowRight" || e.key === "j"
          ? d.next
          : null;
    if (target) {
      document.removeEventListener("keydown", onKey);
      go(to(target));
    }
  };
  document.addEventListener("keydown", onKey);
  if (d.others.length) {
    root.append(
      h("h2", {}, "Other runs on this question"),
      h(
        "table",
        {},
        thead("model", "frames", "parsed", "outcome"),
        h(
          "tbody",
          {},
          ...d.others.map((o) =>
            h(
              "tr",
              {},
              h("td", {}, link(`/runs/${encodeIdSegment(o.run)}/samples/${encodeIdSegment(s.id)}`, o.model)),
              h("td", {}, o.frames),
              h("td", {}, o.parsed ?? ""),
              h("td", {}, badge(o.outcome)),
            ),
          ),
        ),
      ),
    );
  }
  return root;
}
