// Human review of an engine run: the queue (items the pipeline kept), decisions (accept / edit / reject /
// change category, with time and reviewer), the effective item after edits, progress and agreement figures.
import { z } from "zod";
import type { DecisionRow, EngineStore, ItemRow } from "../store/engine.ts";
import { KinemaError } from "../util/errors.ts";
import { categoryOf, MB_CATEGORIES } from "./mcq.ts";

export const DecisionInput = z.object({
  itemId: z.string().min(1),
  decision: z.enum(["accept", "reject", "edit"]),
  reviewer: z.string().trim().min(1).max(80),
  /** New category (accept or edit). */
  category: z.string().optional(),
  /** Edited fields of a MotionBench question. */
  edit: z
    .object({
      question: z.string().trim().min(1).max(2000).optional(),
      options: z.array(z.string().trim().min(1).max(500)).min(2).max(4).optional(),
      answer: z.number().int().min(0).max(3).optional(),
    })
    .optional(),
});
export type DecisionInput = z.infer<typeof DecisionInput>;

/** Validates and stores one decision; throws bad_input naming the field. */
export function decide(store: EngineStore, input: unknown): DecisionRow {
  const p = DecisionInput.safeParse(input);
  if (!p.success) {
    const iss = p.error.issues[0];
    throw new KinemaError("bad_input", `bad decision: ${iss.path.join(".")}: ${iss.message}`, {
      field: iss.path.join("."),
    });
  }
  const d = p.data;
  const item = store.item(d.itemId);
  if (!item) throw new KinemaError("not_found", `no item ${d.itemId} in this run`, { field: "itemId" });
  let category: string | null = null;
  if (d.category !== undefined) {
    const c = categoryOf(d.category);
    if (!c)
      throw new KinemaError(
        "bad_input",
        `category "${d.category}" is not one of ${MB_CATEGORIES.join(", ")}`,
        {
          field: "category",
        },
      );
    category = c;
  }
  let data: Record<string, unknown> | null = null;
  if (d.decision === "edit") {
    if (!d.edit) throw new KinemaError("bad_input", "an edit needs edit fields", { field: "edit" });
    const merged = { ...effective(item, undefined), ...d.edit } as { options: string[]; answer: number };
    if (new Set(merged.options.map((o: string) => o.toLowerCase())).size !== merged.options.length)
      throw new KinemaError("bad_input", "edited options repeat", { field: "edit.options" });
    if (merged.answer >= merged.options.length)
      throw new KinemaError("bad_input", "edited answer is not among the options", { field: "edit.answer" });
    data = d.edit;
  }
  return store.addDecision({ itemId: d.itemId, decision: d.decision, data, category, reviewer: d.reviewer });
}

/** The item as the latest decision leaves it (edits and category applied). */
export function effective(item: ItemRow, d: DecisionRow | undefined): Record<string, any> {
  let out = { ...item.data };
  if (d?.data) out = { ...out, ...d.data };
  if (d?.category) out.category = d.category;
  return out;
}

export interface QueueEntry {
  item: ItemRow;
  decision: DecisionRow | null;
  effective: Record<string, any>;
}

/** Items to review: everything the pipeline kept (dropped ones are listed apart, with their reason). */
export function queue(store: EngineStore): QueueEntry[] {
  const latest = store.latestDecisions();
  return store
    .items()
    .filter((i) => i.state === "kept")
    .map((item) => {
      const d = latest.get(item.id);
      return { item, decision: d ?? null, effective: effective(item, d) };
    });
}

const verdict = (d: DecisionRow) => (d.decision === "reject" ? "reject" : "accept");

export interface ReviewProgress {
  items: number;
  reviewed: number;
  accepted: number;
  edited: number;
  rejected: number;
  categoryChanged: number;
  reviewers: string[];
  /** Items with a decision from at least two reviewers, and the share where their last verdicts agree. */
  agreement: { items: number; agree: number; rate: number | null };
}

export function progress(store: EngineStore): ReviewProgress {
  const q = queue(store);
  const all = store.decisions();
  const perItem = new Map<string, Map<string, DecisionRow>>();
  for (const d of all) {
    const m = perItem.get(d.itemId) ?? new Map();
    m.set(d.reviewer, d);
    perItem.set(d.itemId, m);
  }
  let items = 0;
  let agree = 0;
  for (const m of perItem.values()) {
    if (m.size < 2) continue;
    items++;
    if (new Set([...m.values()].map(verdict)).size === 1) agree++;
  }
  const decided = q.filter((e) => e.decision);
  return {
    items: q.length,
    reviewed: decided.length,
    accepted: decided.filter((e) => e.decision!.decision !== "reject").length,
    edited: decided.filter((e) => e.decision!.decision === "edit").length,
    rejected: decided.filter((e) => e.decision!.decision === "reject").length,
    categoryChanged: decided.filter(
      (e) => e.decision!.category && e.decision!.category !== e.item.data.category,
    ).length,
    reviewers: [...new Set(all.map((d) => d.reviewer))].sort(),
    agreement: { items, agree, rate: items ? agree / items : null },
  };
}

/** Only accepted (or edited) items, in their effective form. */
export function acceptedItems(store: EngineStore): QueueEntry[] {
  return queue(store).filter((e) => e.decision && e.decision.decision !== "reject");
}
