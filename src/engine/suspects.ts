// "Suspect labels": benchmark items where several stored runs agree on one answer that differs from the ground
// truth, queued for review (confirm = accept, correct = edit the answer, broken = reject); the decisions are
// written as an errata file that `kinema eval --errata FILE` applies as a named variant.
import { writeFileSync } from "node:fs";
import { letterOf } from "../benchmarks/parse.ts";
import type { ErrataFile } from "../run/errata.ts";
import type { EngineStore } from "../store/engine.ts";
import { openEngineStore } from "../store/engine.ts";
import { openStore } from "../store/index.ts";
import { KinemaError } from "../util/errors.ts";
import { queue } from "./review.ts";

export interface SuspectOptions {
  runDir: string;
  bench: string;
  out: string;
  /** Fewest distinct runs agreeing on the same wrong letter (default 2). */
  minRuns?: number;
}

export function buildSuspects(o: SuspectOptions): { runs: number; samples: number; suspects: number } {
  const store = openStore(o.runDir);
  const eng = openEngineStore(o.out);
  try {
    const prevKind = eng.getMeta("kind");
    if (prevKind && prevKind !== "suspects")
      throw new KinemaError("bad_spec", `${eng.path} is a ${prevKind} run; use a new --out`);
    const runs = store.listRuns().filter((r) => r.benchmark === o.bench);
    const per = new Map<
      string,
      { s: ReturnType<typeof store.samples>[number]; votes: { run: string; model: string; answer: string }[] }
    >();
    for (const r of runs)
      for (const s of store.samples(r.id)) {
        if (s.status !== "ok" || !s.parsed || s.answer === "NA" || s.options.length === 0) continue;
        const e = per.get(s.sampleId) ?? { s, votes: [] };
        e.votes.push({ run: r.id, model: r.model, answer: s.parsed });
        per.set(s.sampleId, e);
      }
    const min = o.minRuns ?? 2;
    let n = 0;
    let idx = 0;
    for (const [id, { s, votes }] of [...per].sort((a, b) => a[1].s.idx - b[1].s.idx)) {
      const tally = new Map<string, Set<string>>();
      for (const v of votes)
        if (v.answer !== s.answer) tally.set(v.answer, (tally.get(v.answer) ?? new Set()).add(v.run));
      const best = [...tally].sort((a, b) => b[1].size - a[1].size)[0];
      if (!best || best[1].size < min) continue;
      n++;
      const itemId = `${o.bench}:${id}`;
      if (eng.item(itemId)) continue;
      eng.putItem({
        id: itemId,
        idx: idx++,
        source: s.videoId,
        state: "kept",
        dropReason: null,
        filter: votes.map((v) => ({
          model: `${v.model} (${v.run})`,
          status: "ok",
          answer: v.answer,
          correct: v.answer === s.answer,
        })),
        data: {
          kind: "suspect",
          benchmark: o.bench,
          sampleId: id,
          video: s.video.path,
          question: s.question,
          options: s.options,
          answer: s.answer.charCodeAt(0) - 65,
          category: s.category,
          agreed: best[0],
          agreeingRuns: best[1].size,
          runs: votes.length,
        },
      });
    }
    eng.setMeta("kind", "suspects");
    eng.setMeta(
      "config",
      JSON.stringify({ kind: "suspects", benchmark: o.bench, runDir: store.dir, minRuns: min }),
    );
    return { runs: runs.length, samples: per.size, suspects: n };
  } finally {
    eng.close();
    store.close();
  }
}

/** The review decisions of a suspects run as an errata file: edits → corrected answers, rejects → excluded. */
export function writeErrata(
  eng: EngineStore,
  file: string,
  name: string,
): { file: string; corrected: number; excluded: number; confirmed: number } {
  if (eng.getMeta("kind") !== "suspects")
    throw new KinemaError("bad_input", `${eng.path} is not a suspects run`, { file: eng.path });
  const benchmark = JSON.parse(eng.getMeta("config") ?? "{}").benchmark as string;
  const entries: ErrataFile["entries"] = [];
  let confirmed = 0;
  for (const e of queue(eng)) {
    const d = e.decision;
    if (!d) continue;
    const was = letterOf(e.item.data.answer);
    if (d.decision === "reject")
      entries.push({ id: e.item.data.sampleId, exclude: true, was, reviewer: d.reviewer, at: d.at });
    else if (d.decision === "edit" && e.effective.answer !== e.item.data.answer)
      entries.push({
        id: e.item.data.sampleId,
        answer: letterOf(e.effective.answer),
        was,
        reviewer: d.reviewer,
        at: d.at,
      });
    else confirmed++;
  }
  const out: ErrataFile = { kind: "kinema-errata", version: 1, name, benchmark, entries };
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  return {
    file,
    corrected: entries.filter((x) => x.answer).length,
    excluded: entries.filter((x) => x.exclude).length,
    confirmed,
  };
}
