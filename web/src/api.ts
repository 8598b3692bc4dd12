// Typed fetch helpers for the explorer's JSON API (shapes mirror src/analysis).

export interface Acc {
  acc: number | null;
  n: number;
  right: number;
  ci95: [number, number] | null;
}

export interface RunInfo {
  id: string;
  benchmark: string;
  model: string;
  frames: string;
  judge?: string | null;
  createdAt: string;
  sweep?: string | null;
  status?: string;
}

export interface RunSummary extends RunInfo {
  counts: { total: number; ok: number; failed: number; unparsed: number; pending: number; scored: number };
  overall: Acc;
  test: Acc | null;
  categories: Record<string, Acc>;
  failureRate: number;
  unparsedRate: number;
  judgeScore: number | null;
  /** Set when the run covers part of its benchmark (--limit) or has pending samples. */
  partial: { answered: number; of: number; reason: "limit" | "interrupted" } | null;
}

export interface Overview {
  benchmarks: string[];
  runs: (RunInfo & { counts: RunSummary["counts"]; overall: Acc })[];
  sweeps: {
    id: string;
    benchmark: string;
    model: string;
    createdAt: string;
    points: { frames: string; run: string }[];
  }[];
  study: boolean;
}

export interface Leaderboard {
  benchmark: string;
  categories: string[];
  abbreviations: Record<string, string>;
  rows: RunSummary[];
}

export interface SampleRow {
  id: string;
  videoId: string;
  category: string;
  question: string;
  answer: string;
  parsed: string | null;
  status: string;
  outcome: string;
  raw: string;
}

export interface SamplePage {
  run: string;
  info: RunInfo;
  categories: string[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
  rows: SampleRow[];
}

export interface Rle {
  size: [number, number];
  counts: string | number[];
}

export interface SampleDetail {
  run: RunInfo;
  sample: {
    id: string;
    videoId: string;
    category: string;
    question: string;
    options: string[];
    answer: string;
    raw: string | null;
    parsed: string | null;
    status: string;
    correct: boolean | null;
    error?: string | null;
    judge?: { reply: string; score?: number | null } | null;
    video?: { path: string; window?: [number, number] } | null;
  };
  outcome: string;
  position: number;
  total: number;
  prev: string | null;
  next: string | null;
  others: {
    run: string;
    model: string;
    frames: string;
    parsed: string | null;
    status: string;
    outcome: string;
  }[];
  frames: { k: number; index: number; time: number | null }[];
  masks: { k: number; object: number; rle: Rle }[];
  window: [number, number] | null;
}

export interface Paired {
  n: number;
  accA: number | null;
  accB: number | null;
  delta: number | null;
  ci95: [number, number] | null;
  lost: number;
  gained: number;
  mcnemar: { exactP: number; chi2: number; chi2P: number };
}

export interface Comparison {
  benchmark: string;
  a: { run: string; model: string; frames: string };
  b: { run: string; model: string; frames: string };
  overall: Paired;
  categories: Record<string, Paired>;
  unpaired: number;
  flipped: {
    id: string;
    category: string;
    question: string;
    answer: string;
    a: string | null;
    b: string | null;
    direction: string;
  }[];
}

export async function get<T>(path: string): Promise<T> {
  const r = await fetch(path, { headers: { accept: "application/json" } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error((body as { error?: string }).error ?? `HTTP ${r.status}`);
  return body as T;
}
