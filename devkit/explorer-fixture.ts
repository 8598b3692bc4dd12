// Synthetic run stores for the explorer's tests and perf script: runs written through the real store API
// (src/store), a real ffmpeg-made clip, deterministic answers, and one hostile model output.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../src/store/index.ts";
import { testClip } from "./clip.ts";

export const CATEGORIES = [
  "Motion Recognition",
  "Location-related Motion",
  "Camera Motion",
  "Repetition Count",
];
export const HOSTILE = `<img src=x onerror=alert(1)> <script>window.__xss = 1</script> B`;

/** A 40-frame 10 fps 96×64 clip whose frames differ (testsrc), made by one ffmpeg call. */
export function makeClip(dir: string, name = "clip.mp4"): string {
  return testClip(join(dir, name), { seconds: 4, rate: 10, size: "96x64", gop: 10 });
}

export interface FixtureRun {
  model: string;
  frames: string;
  /** Index list the model "received" for every sample. */
  indices?: number[] | null;
  /** Letter answer for sample i (null: the request failed; "?" unparsed). */
  answer(i: number, truth: string): string | null;
}

export interface FixtureSpec {
  runDir: string;
  n: number;
  video?: string;
  runs: FixtureRun[];
  benchmark?: string;
  /** Sample i of the first run gets the hostile output. */
  hostileAt?: number;
  /** Sample ids (default q00000, q00001, ...). */
  sampleId?: (i: number) => string;
}

const LETTERS = ["A", "B", "C", "D"];

/** Deterministic ground truth of sample i. */
export const truthOf = (i: number) => LETTERS[(i * 7 + 3) % 4];

/** Writes the runs; returns their ids in order. */
export function buildStore(spec: FixtureSpec): string[] {
  const store = openStore(spec.runDir);
  const bench = spec.benchmark ?? "motionbench";
  const ids: string[] = [];
  try {
    spec.runs.forEach((r, ri) => {
      const id = `${bench}-${r.model.replace(/[^\w]+/g, "-")}-${r.frames.replace(/[^\w]+/g, "-")}-${ri}`;
      store.createRun({
        id,
        configHash: `hash-${id}`,
        benchmark: bench,
        benchSpec: `${bench}:/nonexistent/${bench}`,
        model: r.model,
        config: {
          benchmark: bench,
          model: r.model,
          frames: r.frames,
          size: null,
          fit: null,
          params: { temperature: 0 },
        },
      });
      ids.push(id);
      const rows = Array.from({ length: spec.n }, (_, i) => ({
        sampleId: spec.sampleId?.(i) ?? `q${String(i).padStart(5, "0")}`,
        idx: i,
        videoId: `v${Math.floor(i / 3)}`,
        category: CATEGORIES[i % CATEGORIES.length],
        split: "dev",
        answer: truthOf(i),
        question: `What does the square do in clip ${i}? <b>bold?</b>`,
        options: ["moves left", "moves right", "rotates", "stays still"],
        video: spec.video ? { path: spec.video } : { path: "/nonexistent.mp4" },
      }));
      store.addSamples(id, rows);
      for (let i = 0; i < spec.n; i++) {
        const truth = truthOf(i);
        const a = r.answer(i, truth);
        const sampleId = rows[i].sampleId;
        const frameIndices = r.indices ?? undefined;
        if (a === null) {
          store.recordResult(id, sampleId, {
            status: "failed",
            frameIndices,
            error: { code: "http_status", message: "HTTP 500 from server", status: 500 },
          });
          continue;
        }
        const raw =
          ri === 0 && i === spec.hostileAt
            ? HOSTILE
            : a === "?"
              ? "I cannot tell from these frames."
              : `${a}. option`;
        const parsed = a === "?" ? "" : a;
        store.recordResult(id, sampleId, {
          status: a === "?" ? "unparsed" : "ok",
          frameIndices,
          prompt: `${rows[i].question}\nA. moves left\nB. moves right\nC. rotates\nD. stays still`,
          raw,
          parsed,
          correct: parsed === truth,
        });
      }
      store.setRunStatus(id, "done");
    });
  } finally {
    store.close();
  }
  return ids;
}

/** Links runs as one sweep (what `kinema sweep` writes). */
export function writeSweep(
  runDir: string,
  id: string,
  bench: string,
  model: string,
  points: { frames: string; run: string }[],
) {
  mkdirSync(join(runDir, "sweeps"), { recursive: true });
  writeFileSync(
    join(runDir, "sweeps", `${id}.json`),
    JSON.stringify({ id, benchmark: bench, model, createdAt: new Date().toISOString(), points }),
  );
}

/** Three runs of different quality on n samples (one with failures and unparsed), all with frames. */
export function standardRuns(video: string | undefined): FixtureRun[] {
  return [
    {
      model: "openai:good-model",
      frames: "uniform:4",
      indices: video ? [0, 13, 26, 39] : null,
      answer: (i, t) => (i % 5 === 4 ? "A" : t),
    },
    {
      model: "random:0",
      frames: "uniform:4",
      indices: video ? [0, 13, 26, 39] : null,
      answer: (i) => LETTERS[(i * 13 + 1) % 4],
    },
    {
      model: "openai:flaky",
      frames: "uniform:8",
      indices: video ? [0, 5, 11, 16, 22, 27, 33, 39] : null,
      answer: (i, t) => (i % 11 === 0 ? null : i % 13 === 0 ? "?" : i % 3 === 0 ? "C" : t),
    },
  ];
}

/** Deterministic per-(seed, i) uniform number in [0, 1) (splitmix-style hash). */
export function hash01(seed: number, i: number): number {
  let x = (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

/** A model that is right with probability acc[category]; wrong answers spread over the other letters. */
function simulated(seed: number, acc: number[], failRate = 0, unparsedRate = 0) {
  return (i: number, truth: string): string | null => {
    const u = hash01(seed, i);
    if (u < failRate) return null;
    if (u < failRate + unparsedRate) return "?";
    if (hash01(seed + 100, i) < acc[i % acc.length]) return truth;
    const others = LETTERS.filter((l) => l !== truth);
    return others[Math.floor(hash01(seed + 200, i) * others.length)];
  };
}

const spread = (k: number) => Array.from({ length: k }, (_, j) => Math.round((j * 39) / (k - 1)));

/** Four plausible runs for screenshots and demos: one model at 4/8/16 frames, a flaky API model, random. */
export function demoRuns(video: string | undefined): FixtureRun[] {
  const idx = (k: number) => (video ? spread(k) : null);
  return [
    {
      model: "openai:qwen2-vl-7b",
      frames: "uniform:16",
      indices: idx(16),
      answer: simulated(1, [0.72, 0.6, 0.66, 0.44], 0, 0.01),
    },
    {
      model: "openai:qwen2-vl-7b",
      frames: "uniform:8",
      indices: idx(8),
      answer: simulated(2, [0.68, 0.55, 0.62, 0.36], 0, 0.01),
    },
    {
      model: "openai:qwen2-vl-7b",
      frames: "uniform:4",
      indices: idx(4),
      answer: simulated(3, [0.6, 0.5, 0.58, 0.3], 0, 0.02),
    },
    {
      model: "openai:gpt-4o",
      frames: "uniform:8",
      indices: idx(8),
      answer: simulated(4, [0.7, 0.58, 0.52, 0.4], 0.06, 0.04),
    },
    {
      model: "random:0",
      frames: "uniform:4",
      indices: idx(4),
      answer: simulated(5, [0.25, 0.25, 0.25, 0.25]),
    },
  ];
}
