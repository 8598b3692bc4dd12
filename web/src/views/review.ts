// Review queue of an engine run (`kinema serve --review RUN`): one item at a time with its frames (and masks),
// the generated item and the first-frame answers. Keys: a accept, r reject, e edit (Ctrl+Enter saves, Esc
// cancels), 1–6 set the category, j/k next/previous. Decisions go to the server with the per-server token.

import { MOTIONBENCH_CATEGORY_NAMES as CATEGORIES } from "../../../src/benchmarks/motionbench/categories.ts";
import type { QueueReply as Queue, ReviewItemView } from "../../../src/server/review.ts";
import type { Rle } from "../api.ts";
import { clear, h } from "../dom.ts";
import { drawMask } from "../masks.ts";

type Item = ReviewItemView;

const letter = (i: number) => String.fromCharCode(65 + i);

function token(): string {
  const m = location.hash.match(/token=([\w-]+)/);
  if (m) sessionStorage.setItem("kinema-review-token", m[1]);
  return m?.[1] ?? sessionStorage.getItem("kinema-review-token") ?? "";
}

async function load(): Promise<Queue> {
  const r = await fetch("/api/review/queue", { headers: { accept: "application/json" } });
  const b = await r.json();
  if (!r.ok) throw new Error(b.error ?? `HTTP ${r.status}`);
  return b;
}

async function post(body: unknown): Promise<void> {
  const r = await fetch("/api/review/decisions", {
    method: "POST",
    headers: { "content-type": "application/json", "x-kinema-token": token() },
    body: JSON.stringify(body),
  });
  if (!r.ok)
    throw new Error(((await r.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${r.status}`);
}

/** The item's frames (with its mask drawn where the masklet has one). */
function frameStrip(it: Item): HTMLElement {
  const strip = h("div", { className: "review-frames" });
  void fetch(`/api/review/items/${encodeURIComponent(it.id)}/frames`)
    .then((r) => r.json())
    .then((f: { indices: number[]; width: number; height: number }) => {
      f.indices.forEach((idx, k) => {
        const src = `/api/review/items/${encodeURIComponent(it.id)}/frames/${k}`;
        const m = it.data.masklet?.[String(idx)] as Rle | null | undefined;
        if (!m) {
          strip.appendChild(
            h(
              "figure",
              {},
              h("img", { src, alt: `frame ${idx}`, width: 160 }),
              h("figcaption", {}, `frame ${idx}`),
            ),
          );
          return;
        }
        const c = h("canvas", { width: f.width, height: f.height, style: "width:160px" });
        const img = new Image();
        img.onload = () => {
          const ctx = c.getContext("2d")!;
          ctx.drawImage(img, 0, 0, f.width, f.height);
          drawMask(ctx, m, 0, f.width, f.height);
        };
        img.src = src;
        strip.appendChild(h("figure", {}, c, h("figcaption", {}, `frame ${idx} (mask)`)));
      });
    })
    .catch(() => strip.appendChild(h("p", { className: "error" }, "frames unavailable")));
  return strip;
}

/** What the pipeline made of the item: the question and the filter's answers, or the object's descriptions. */
function itemDetails(it: Item): HTMLElement[] {
  const d = it.data;
  const parts: HTMLElement[] = [];
  if (d.kind === "motionbench-qa" || d.kind === "suspect") {
    parts.push(
      h("p", { className: "review-caption" }, h("b", {}, "Caption: "), d.caption),
      h("p", { className: "review-question", id: "question" }, d.question),
      h(
        "ol",
        { className: "review-options", type: "A" },
        ...(d.options as string[]).map((o, i) =>
          h("li", { className: i === d.answer ? "answer" : "" }, o, i === d.answer ? " ✓" : ""),
        ),
      ),
      h(
        "p",
        { id: "category" },
        h("b", {}, "Category: "),
        d.category,
        " (keys 1–6: ",
        CATEGORIES.map((c, i) => `${i + 1} ${c}`).join(", "),
        ")",
      ),
      h(
        "table",
        { className: "review-filter" },
        h("tr", {}, h("th", {}, "first-frame model"), h("th", {}, "answer"), h("th", {}, "right?")),
        ...(it.filter ?? []).map((f) =>
          h(
            "tr",
            {},
            h("td", {}, f.model),
            h("td", {}, f.status === "ok" ? (f.answer ?? "") : `failed: ${f.error ?? ""}`),
            h("td", {}, f.correct ? "yes" : "no"),
          ),
        ),
      ),
    );
  } else {
    parts.push(
      h("p", {}, h("b", {}, "Object: "), d.object),
      h("p", {}, h("b", {}, "Detailed: "), d.detailed ?? ""),
      h("p", {}, h("b", {}, "Short: "), d.short ?? ""),
      h(
        "ul",
        {},
        ...((d.qa ?? []) as { question: string; options: string[]; answer: string }[]).map((x) =>
          h(
            "li",
            {},
            `${x.question} ${x.options.map((o, i) => `(${letter(i)}) ${o}`).join(" ")} → ${x.answer}`,
          ),
        ),
      ),
    );
  }
  return parts;
}

let keyHandler: ((e: KeyboardEvent) => void) | undefined;

export async function reviewView(q: URLSearchParams): Promise<HTMLElement> {
  const root = h("section", { className: "review" });
  let queue = await load();
  let pos = Math.max(
    0,
    queue.items.findIndex((i) => !i.decision),
  );
  if (q.get("item"))
    pos = Math.max(
      0,
      queue.items.findIndex((i) => i.id === q.get("item")),
    );
  let editing = false;
  const status = h("p", { className: "review-status", role: "status" });
  const reviewerInput = h("input", {
    id: "reviewer",
    placeholder: "your name",
    value: localStorage.getItem("kinema-reviewer") ?? "",
    onchange: ((e: Event) =>
      localStorage.setItem("kinema-reviewer", (e.target as HTMLInputElement).value)) as EventListener,
  });
  const body = h("div", { className: "review-item" });
  const progressEl = h("p", { className: "review-progress" });

  const reviewer = () => reviewerInput.value.trim();
  async function act(payload: Record<string, unknown>) {
    const it = queue.items[pos];
    if (!it) return;
    if (!reviewer()) {
      status.textContent = "Enter your name first (reviewer).";
      reviewerInput.focus();
      return;
    }
    try {
      await post({ itemId: it.id, reviewer: reviewer(), ...payload });
      queue = await load();
      const next = queue.items.findIndex((i, j) => j > pos && !i.decision);
      pos = next >= 0 ? next : Math.min(pos + 1, queue.items.length - 1);
      status.textContent = `Saved: ${String(payload.decision)} ${it.id}`;
      editing = false;
      draw();
    } catch (e) {
      status.textContent = `Not saved: ${(e as Error).message}`;
    }
  }

  function editor(it: Item): HTMLElement {
    const d = it.data;
    const qa = h("textarea", { id: "edit-question", rows: 3, cols: 80 }, d.question ?? "");
    const opts = (d.options as string[]).map((o, i) =>
      h("input", { className: "edit-option", "data-i": i, value: o, size: 60 }),
    );
    const ans = h(
      "select",
      { id: "edit-answer" },
      ...(d.options as string[]).map((_, i) =>
        h("option", { value: i, selected: i === d.answer }, letter(i)),
      ),
    );
    const save = () =>
      act({
        decision: "edit",
        edit: { question: qa.value, options: opts.map((o) => o.value), answer: Number(ans.value) },
      });
    const form = h(
      "form",
      {
        className: "review-edit",
        onsubmit: ((e: Event) => {
          e.preventDefault();
          void save();
        }) as EventListener,
        onkeydown: ((e: KeyboardEvent) => {
          if (e.key === "Enter" && e.ctrlKey) {
            e.preventDefault();
            void save();
          } else if (e.key === "Escape") {
            editing = false;
            draw();
          }
        }) as EventListener,
      },
      h("label", {}, "Question ", qa),
      ...opts.map((o, i) => h("label", {}, `${letter(i)}. `, o)),
      h("label", {}, "Answer ", ans),
      h("button", { type: "submit" }, "Save edit (Ctrl+Enter)"),
    );
    setTimeout(() => qa.focus(), 0);
    return form;
  }

  function draw() {
    const p = queue.progress;
    progressEl.textContent = `${p.reviewed}/${p.items} reviewed · ${p.accepted} accepted (${p.edited} edited) · ${p.rejected} rejected · ${p.categoryChanged} category changes · reviewers: ${p.reviewers.join(", ") || "–"} · agreement: ${p.agreement.rate === null ? "– (no item has two reviewers)" : `${Math.round(p.agreement.rate * 100)}% of ${p.agreement.items}`}`;
    clear(body);
    const it = queue.items[pos];
    if (!it) {
      body.appendChild(h("p", {}, "Nothing to review."));
      return;
    }
    const d = it.data;
    const header = h(
      "h3",
      {},
      `Item ${pos + 1} of ${queue.items.length}: `,
      h("code", {}, it.id),
      it.decision ? ` — ${it.decision.decision} by ${it.decision.reviewer}` : " — undecided",
    );
    const parts: HTMLElement[] = [header, frameStrip(it), ...itemDetails(it)];
    if (editing && (d.kind === "motionbench-qa" || d.kind === "suspect")) parts.push(editor(it));
    parts.push(
      h(
        "p",
        { className: "review-keys" },
        "Keys: a accept · r reject · e edit · 1–6 category · j next · k previous",
      ),
    );
    for (const el of parts) body.appendChild(el);
  }

  if (keyHandler) document.removeEventListener("keydown", keyHandler);
  keyHandler = (e: KeyboardEvent) => {
    if (!root.isConnected) return;
    const t = e.target as HTMLElement;
    if (
      editing ||
      t.tagName === "INPUT" ||
      t.tagName === "TEXTAREA" ||
      t.tagName === "SELECT" ||
      e.ctrlKey ||
      e.metaKey ||
      e.altKey
    )
      return;
    const it = queue.items[pos];
    if (e.key === "a") void act({ decision: "accept" });
    else if (e.key === "r") void act({ decision: "reject" });
    else if (e.key === "e" && (it?.data.kind === "motionbench-qa" || it?.data.kind === "suspect")) {
      editing = true;
      draw();
    } else if (/^[1-6]$/.test(e.key) && it?.data.kind === "motionbench-qa")
      void act({ decision: "accept", category: CATEGORIES[Number(e.key) - 1] });
    else if (e.key === "j") {
      pos = Math.min(pos + 1, queue.items.length - 1);
      draw();
    } else if (e.key === "k") {
      pos = Math.max(pos - 1, 0);
      draw();
    } else return;
    e.preventDefault();
  };
  document.addEventListener("keydown", keyHandler);
  root.append(
    h("h2", {}, `Review: ${queue.run} (${queue.kind})`),
    h("label", {}, "Reviewer ", reviewerInput),
    progressEl,
    status,
    body,
  );
  token();
  draw();
  return root;
}
