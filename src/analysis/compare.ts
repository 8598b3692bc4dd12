// `kinema compare`: paired accuracy deltas between two runs on one benchmark, McNemar tests, flipped questions.
import { KinemaError } from "../util/errors.ts";
import { createExplorer, type Explorer, orderCategories, scoredCorrect } from "./explorer.ts";
import { mcnemarChi2, mcnemarExact, pairedBootstrap } from "./stats.ts";
import type { RunSource } from "./types.ts";

export interface PairedStats {
  n: number;
  accA: number | null;
  accB: number | null;
  /** accB − accA */
  delta: number | null;
  /** 95% paired bootstrap interval of the delta, resampling videos. */
  ci95: [number, number] | null;
  /** Discordant pairs: A right & B wrong (lost), A wrong & B right (gained). */
  lost: number;
  gained: number;
  mcnemar: { exactP: number; chi2: number; chi2P: number };
}

export interface Flip {
  id: string;
  videoId: string;
  category: string;
  question: string;
  answer: string;
  a: string | null;
  b: string | null;
  /** gained: B right where A was wrong; lost: the reverse. */
  direction: "gained" | "lost";
}

export interface Comparison {
  benchmark: string;
  a: { run: string; model: string; frames: string };
  b: { run: string; model: string; frames: string };
  overall: PairedStats;
  categories: Record<string, PairedStats>;
  /** Samples scored in one run but not the other (failed, pending, missing). */
  unpaired: number;
  flipped: Flip[];
}

function paired(items: { videoId: string; a: boolean; b: boolean }[]): PairedStats {
  const n = items.length;
  let ra = 0;
  let rb = 0;
  let lost = 0;
  let gained = 0;
  for (const x of items) {
    ra += x.a ? 1 : 0;
    rb += x.b ? 1 : 0;
    if (x.a && !x.b) lost++;
    if (!x.a && x.b) gained++;
  }
  const chi = mcnemarChi2(lost, gained);
  return {
    n,
    accA: n ? ra / n : null,
    accB: n ? rb / n : null,
    delta: n ? (rb - ra) / n : null,
    ci95: pairedBootstrap(items),
    lost,
    gained,
    mcnemar: { exactP: mcnemarExact(lost, gained), chi2: chi.chi2, chi2P: chi.p },
  };
}

export function compareRuns(src: RunSource | Explorer, runA: string, runB: string): Comparison {
  const ex = "summary" in src ? src : createExplorer(src);
  const ia = ex.run(runA);
  const ib = ex.run(runB);
  if (ia.benchmark !== ib.benchmark)
    throw new KinemaError(
      "bad_input",
      `runs are on different benchmarks (${ia.benchmark} vs ${ib.benchmark}); compare needs the same questions`,
      { runA, runB },
    );
  const bs = new Map(ex.filtered(runB, {}).map((s) => [s.id, s]));
  const all: { videoId: string; a: boolean; b: boolean }[] = [];
  const perCat = new Map<string, typeof all>();
  const flipped: Flip[] = [];
  let unpaired = 0;
  const seen = new Set<string>();
  for (const sa of ex.filtered(runA, {})) {
    seen.add(sa.id);
    const sb = bs.get(sa.id);
    const ka = scoredCorrect(sa);
    const kb = sb ? scoredCorrect(sb) : null;
    if (ka === null || kb === null || !sb) {
      if (ka !== null || kb !== null) unpaired++;
      continue;
    }
    const item = { videoId: sa.videoId, a: ka, b: kb };
    all.push(item);
    const l = perCat.get(sa.category) ?? [];
    l.push(item);
    perCat.set(sa.category, l);
    if (ka !== kb)
      flipped.push({
        id: sa.id,
        videoId: sa.videoId,
        category: sa.category,
        question: sa.question,
        answer: sa.answer,
        a: sa.parsed,
        b: sb.parsed,
        direction: kb ? "gained" : "lost",
      });
  }
  for (const [id, sb] of bs) if (!seen.has(id) && scoredCorrect(sb) !== null) unpaired++;
  const categories: Record<string, PairedStats> = {};
  for (const c of orderCategories(ia.benchmark, perCat.keys())) categories[c] = paired(perCat.get(c)!);
  return {
    benchmark: ia.benchmark,
    a: { run: ia.id, model: ia.model, frames: ia.frames },
    b: { run: ib.id, model: ib.model, frames: ib.frames },
    overall: paired(all),
    categories,
    unpaired,
    flipped,
  };
}
