// The explorer's view of the run store: runs and per-sample records, independent of the SQL layout.
import type { ObjectMasks } from "../benchmarks/types.ts";

export interface RunInfo {
  id: string;
  /** Benchmark name, e.g. `motionbench`, `videorefer-q`. Leaderboards group by it. */
  benchmark: string;
  /** Model spec, e.g. `openai:gpt-4o`, `random:0`. */
  model: string;
  /** Frame sampling spec, e.g. `uniform:16`, `fps:1`, `none`. */
  frames: string;
  /** Judge model spec when the benchmark is judged. */
  judge?: string | null;
  preset?: string | null;
  createdAt: string;
  /** Runs made by one `kinema sweep` share this id. */
  sweep?: string | null;
  /** Everything else the store keeps about the run (generation params, size, ...). */
  config?: Record<string, unknown>;
}

export type SampleStatus = "ok" | "failed" | "unparsed" | "pending";

export interface FrameInfo {
  /** Indices into the decoded frame list of the video (what the model received, in order). */
  indices: number[];
  /** Seconds from the start of the clip, one per index (when known). */
  timestamps?: number[];
  /** Frame size the model received, [width, height]. */
  size?: [number, number] | null;
}

export interface SampleRecord {
  id: string;
  videoId: string;
  category: string;
  question: string;
  options: string[];
  /** Ground truth; "NA" when hidden (test split). */
  answer: string;
  /** "dev" | "test" | null. Test questions are scored apart (Table 3's Test AVG), as `kinema eval` does. */
  split?: string | null;
  raw: string | null;
  parsed: string | null;
  status: SampleStatus;
  /** null: not scored (no ground truth, failed, pending). */
  correct: boolean | null;
  error?: string | null;
  frames?: FrameInfo | null;
  /** The video as the benchmark references it (file or JPEG folder), with the clip window. */
  video?: { path: string; window?: [number, number]; fps?: number } | null;
  /** `rating`: a judge verdict the official score takes (TempCompass: 1, 0, or -1 for an invalid caption verdict). */
  judge?: { reply: string; score?: number | null; rating?: number } | null;
  masks?: ObjectMasks[] | null;
}

/** What the explorer needs from a store. Implementations must be read-only. */
export interface RunSource {
  listRuns(): RunInfo[];
  /** All samples of a run, in benchmark order. */
  runSamples(runId: string): SampleRecord[];
  /** Changes whenever the run's stored samples change (lets callers cache runSamples). */
  version(runId: string): string;
  close(): void;
}

/** A RunSource over plain arrays: tests, reports of JSON exports. */
export function memorySource(runs: { info: RunInfo; samples: SampleRecord[] }[]): RunSource {
  const byId = new Map(runs.map((r) => [r.info.id, r]));
  return {
    listRuns: () => runs.map((r) => r.info),
    runSamples: (id) => byId.get(id)?.samples ?? [],
    version: (id) => String(byId.get(id)?.samples.length ?? 0),
    close: () => {},
  };
}
