// Typed fetch helper for the explorer's JSON API; the shapes are the server's own types (import type only:
// nothing of src/ is bundled).
export type { Comparison, PairedStats as Paired } from "../../src/analysis/compare.ts";
export type { Leaderboard, RunSummary, SampleRow } from "../../src/analysis/explorer.ts";
export type { Accuracy as Acc } from "../../src/analysis/stats.ts";
export type { RunInfo } from "../../src/analysis/types.ts";
export type { Rle } from "../../src/benchmarks/types.ts";
export type {
  Overview,
  SampleReply as SampleDetail,
  SamplesReply as SamplePage,
} from "../../src/server/routes.ts";

export async function get<T>(path: string): Promise<T> {
  const r = await fetch(path, { headers: { accept: "application/json" } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error((body as { error?: string }).error ?? `HTTP ${r.status}`);
  return body as T;
}
