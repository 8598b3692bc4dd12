// The engine run report, computed from the store only: items per stage, drop and failure reasons, tokens per
// stage, category and answer-letter balance and the text-only heuristics of `kinema synth --report`.
import type { EngineStore, StepRow } from "../store/engine.ts";
import { type SynthReport, synthReport } from "../synth/report.ts";
import { addUsage } from "./ask.ts";
import { progress, queue, type ReviewProgress } from "./review.ts";

export interface MotionbenchQaReport {
  stages: {
    captions: { read: number; badLines: number };
    generate: {
      requests: number;
      ok: number;
      invalid: number;
      failed: number;
      fenced: number;
      captionsWithQuestions: number;
      captionsGivenUp: number;
      questionsValid: number;
      questionsRejected: number;
    };
    filter: { requests: number; ok: number; unparsed: number; failed: number; kept: number; dropped: number };
    review: ReviewProgress;
  };
  /** reason → count, per stage. */
  reasons: {
    badLines: Record<string, number>;
    generate: Record<string, number>;
    questions: Record<string, number>;
    filter: Record<string, number>;
    dropped: Record<string, number>;
  };
  tokens: Record<string, Record<string, number>>;
  /** Who answered what in the first-frame filter: model → {asked, right}. */
  filterModels: Record<string, { answered: number; right: number; failed: number }>;
  /** Balance and heuristics over the kept questions (before review) and the accepted ones. */
  kept: SynthReport;
  accepted: SynthReport;
}

const inc = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

/** Stored steps by status. */
function stepCounts(steps: StepRow[]): { ok: number; invalid: number; failed: number } {
  const n = (status: StepRow["status"]) => steps.filter((s) => s.status === status).length;
  return { ok: n("ok"), invalid: n("invalid"), failed: n("failed") };
}

export function motionbenchQaReport(store: EngineStore): MotionbenchQaReport {
  const bad = JSON.parse(store.getMeta("badLines") ?? "[]") as { message: string; field: string }[];
  const config = JSON.parse(store.getMeta("config") ?? "{}");
  const gen = store.steps("generate");
  const fil = store.steps("filter");
  const filterCounts = stepCounts(fil);
  const tokens: Record<string, Record<string, number>> = { generate: {}, filter: {} };
  const reasons: MotionbenchQaReport["reasons"] = {
    badLines: {},
    generate: {},
    questions: {},
    filter: {},
    dropped: {},
  };
  for (const b of bad)
    inc(reasons.badLines, `${b.field || "line"}: ${b.message.replace(/\/.*$/, "").slice(0, 60)}`);
  const byCaption = new Map<string, string[]>();
  let fenced = 0;
  let valid = 0;
  let rejected = 0;
  for (const s of gen) {
    addUsage(tokens.generate, s.usage);
    const cid = s.key.split("#")[0];
    byCaption.set(cid, [...(byCaption.get(cid) ?? []), s.status]);
    if (s.status !== "ok")
      inc(
        reasons.generate,
        `${s.status}: ${String(s.error?.code === "invalid_reply" ? s.error?.message : s.error?.code).replace(/ \(.*$/, "")}`,
      );
    const d = s.data as { fenced?: boolean; questions?: unknown[]; rejected?: { reason: string }[] } | null;
    if (d?.fenced) fenced++;
    for (const r of d?.rejected ?? []) {
      rejected++;
      inc(reasons.questions, r.reason.replace(/"[^"]*"/g, '"…"'));
    }
    if (s.status === "ok") valid += d?.questions?.length ?? 0;
  }
  const maxAsks = Number(config.maxAsks ?? 3);
  let withQ = 0;
  let givenUp = 0;
  for (const st of byCaption.values()) {
    if (st.includes("ok")) withQ++;
    else if (st.length >= maxAsks) givenUp++;
  }
  const filterModels: MotionbenchQaReport["filterModels"] = {};
  for (const s of fil) {
    addUsage(tokens.filter, s.usage);
    const m = (filterModels[s.model ?? "?"] ??= { answered: 0, right: 0, failed: 0 });
    if (s.status === "failed") {
      m.failed++;
      inc(reasons.filter, `failed: ${s.error?.code}`);
    } else {
      m.answered++;
      if ((s.data as { correct?: boolean })?.correct) m.right++;
      if (s.status === "invalid") inc(reasons.filter, "unparsed reply");
    }
  }
  const items = store.items();
  for (const it of items) if (it.state === "dropped") inc(reasons.dropped, it.dropReason ?? "?");
  const toQ = (d: Record<string, any>) => ({
    type: d.category,
    question: d.question,
    options: d.options,
    answer: d.answer,
    clip: d.captionId,
  });
  const q = queue(store);
  const accepted = q.filter((e) => e.decision && e.decision.decision !== "reject");
  return {
    stages: {
      captions: { read: Number(store.getMeta("captions") ?? byCaption.size), badLines: bad.length },
      generate: {
        requests: gen.length,
        ...stepCounts(gen),
        fenced,
        captionsWithQuestions: withQ,
        captionsGivenUp: givenUp,
        questionsValid: valid,
        questionsRejected: rejected,
      },
      filter: {
        requests: fil.length,
        ok: filterCounts.ok,
        unparsed: filterCounts.invalid, // a filter reply without an option letter
        failed: filterCounts.failed,
        kept: items.filter((i) => i.state === "kept").length,
        dropped: items.filter((i) => i.state === "dropped").length,
      },
      review: progress(store),
    },
    reasons,
    tokens,
    filterModels,
    kept: synthReport(q.map((e) => toQ(e.item.data))),
    accepted: synthReport(accepted.map((e) => toQ(e.effective))),
  };
}
