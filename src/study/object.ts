// The object-model study (VideoRefer, seed 002): synthetic VideoRefer-Q train/test sets → region shards (frames
// and masks as the object built-in gets them, plus set-of-mark frames) → cells in PyTorch
// (py/kinema_py/object_study.py): TTM union u ∈ {1, 2, 4, 8} at fixed k (Table 7), single- vs multi-frame
// evaluation (Table 5), and region tokens vs set-of-mark frames on the same backbone → JSON and Markdown.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateDataset } from "../synth/index.ts";
import { writeRegionShards } from "../synth/region-shards.ts";
import { runPython } from "./compression.ts";

export interface ObjectStudyOptions {
  /** Tiny data, model and step count: checks the whole pipeline in well under a minute. */
  quick?: boolean;
  out: string;
  trainN?: number;
  testN?: number;
  trainSeed?: number;
  testSeed?: number;
  /** Steps per cell (default 400). */
  steps?: number;
  seeds?: number;
  /** Stop each cell's training after this many seconds. */
  maxSeconds?: number;
  python?: string;
  onLine?: (line: string) => void;
}

interface Eval {
  mode: "single" | "multi";
  acc: number;
  n: number;
  chance: number;
  per_category: Record<string, { acc: number; n: number }>;
}

export interface ObjectStudyRun {
  cell: "u1" | "u2" | "u4" | "u8" | "som";
  seed: number;
  u: number | null;
  k: number;
  regions: boolean;
  params: number;
  decoder_tokens: number;
  steps_done: number;
  train_seconds: number;
  final_loss: number;
  eval: { single: Eval; multi: Eval };
}

export interface ObjectStudyResult {
  version: 1;
  quick: boolean;
  /** The commands that made the two sets (reproducible). */
  train_set: string;
  test_set: string;
  n_train: number;
  n_test: number;
  n_frames: number;
  size: number;
  chance: number;
  steps: number;
  batch: number;
  lr: number;
  model: Record<string, number>;
  runs: ObjectStudyRun[];
}

const CELLS = ["u1", "u2", "u4", "u8", "som"];

async function regionSet(
  dir: string,
  n: number,
  seed: number,
  frames: number,
  size: number,
): Promise<string> {
  const shard = join(dir, "shard");
  if (existsSync(join(shard, "questions.json"))) return shard;
  await generateDataset({ kind: "videorefer", preset: "easy", n, seed, out: join(dir, "synth") });
  await writeRegionShards({ data: join(dir, "synth"), frames, size, objects: 2, som: true, out: shard });
  return shard;
}

export async function objectStudy(o: ObjectStudyOptions): Promise<ObjectStudyResult & { files: string[] }> {
  const quick = o.quick ?? false;
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const trainN = o.trainN ?? (quick ? 60 : 3000);
  const testN = o.testN ?? (quick ? 40 : 600);
  const trainSeed = o.trainSeed ?? 501;
  const testSeed = o.testSeed ?? 9009;
  const frames = 8; // k: u = 8 needs 8 frame tokens per object
  const size = quick ? 32 : 64;
  const steps = o.steps ?? (quick ? 6 : 400);
  const model = quick
    ? { dim: 16, "dec-dim": 16, patch: 8, layers: 1 }
    : { dim: 48, "dec-dim": 64, patch: 8, layers: 2 };
  o.onLine?.(`data: ${trainN} train / ${testN} test questions`);
  const train = await regionSet(join(out, `train-${trainN}-${trainSeed}`), trainN, trainSeed, frames, size);
  const test = await regionSet(join(out, `test-${testN}-${testSeed}`), testN, testSeed, frames, size);
  const raw = join(out, "cells.json");
  const args = [
    ...["--train", train, "--test", test, "--cells", CELLS.join(","), "--steps", String(steps)],
    ...["--seeds", [...Array(o.seeds ?? 1).keys()].join(","), "--out", raw],
    ...["--resume", join(out, "cells.jsonl")], // a stopped study picks up at the first unfinished cell
    ...Object.entries(model).flatMap(([k, v]) => [`--${k}`, String(v)]),
    ...(o.maxSeconds !== undefined ? ["--max-seconds", String(o.maxSeconds)] : []),
  ];
  await runPython("object_study", args, { python: o.python, onLine: o.onLine });
  const py = JSON.parse(readFileSync(raw, "utf8")) as {
    n_train: number;
    n_test: number;
    chance: number;
    batch: number;
    lr: number;
    runs: ObjectStudyRun[];
  };
  const synth = (n: number, seed: number) =>
    `kinema synth --kind videorefer --preset easy --n ${n} --seed ${seed}; kinema shards --kind videorefer --frames ${frames} --size ${size} --som`;
  const result: ObjectStudyResult = {
    version: 1,
    quick,
    train_set: synth(trainN, trainSeed),
    test_set: synth(testN, testSeed),
    n_train: py.n_train,
    n_test: py.n_test,
    n_frames: frames,
    size,
    chance: py.chance,
    steps,
    batch: py.batch,
    lr: py.lr,
    model,
    runs: py.runs,
  };
  const files = [join(out, "study.json"), join(out, "study.md")];
  writeFileSync(files[0], `${JSON.stringify(result, null, 1)}\n`);
  writeFileSync(files[1], objectStudyMarkdown(result));
  return { ...result, files };
}

const pct = (x: number | undefined) => (x === undefined ? "–" : (100 * x).toFixed(1));

/** Wilson 95% interval of a proportion p over n questions, in %. */
export function wilson95(p: number, n: number): [number, number] {
  const z = 1.959964;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [100 * (c - h), 100 * (c + h)];
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Tables 7 and 5 and the set-of-mark comparison, means over seeds, accuracy in % with chance beside. */
export function objectStudyMarkdown(r: ObjectStudyResult): string {
  const cells = [...new Set(r.runs.map((x) => x.cell))];
  const types = [...new Set(r.runs.flatMap((x) => Object.keys(x.eval.multi.per_category)))];
  const of = (c: string) => r.runs.filter((x) => x.cell === c);
  const acc = (c: string, m: "single" | "multi") => mean(of(c).map((x) => x.eval[m].acc));
  const typeAcc = (c: string, m: "single" | "multi", t: string) =>
    mean(of(c).map((x) => x.eval[m].per_category[t]?.acc ?? Number.NaN));
  const label = (c: string) =>
    c === "som" ? "set-of-mark frames, no region input" : `region tokens, u = ${c.slice(1)}`;
  const lines = [
    `# Object-model study${r.quick ? " (quick: pipeline check, numbers mean nothing)" : ""}`,
    "",
    `Train: \`${r.train_set}\` (${r.n_train} questions); test: \`${r.test_set}\` (${r.n_test} questions, unseen clips).`,
    `k = ${r.n_frames} frame tokens per object, ${r.size}px frames, ${r.steps} steps per cell, batch ${r.batch}, lr ${r.lr}; ` +
      `seeds per cell: ${of(cells[0]).length}. Chance (mean 1/options): ${pct(r.chance)}%.`,
    "",
    "## Table 7 analogue: TTM union u at fixed k, and Table 5 analogue: single- vs multi-frame mode (accuracy %)",
    "",
    "| cell | decoder tokens | single-frame | multi-frame |",
    "|---|---|---|---|",
    ...cells.map((c) => {
      const cell = (m: "single" | "multi") => {
        const [lo, hi] = wilson95(acc(c, m), r.n_test * of(c).length);
        return `${pct(acc(c, m))} [${lo.toFixed(1)}, ${hi.toFixed(1)}]`;
      };
      return `| ${label(c)} | ${of(c)[0].decoder_tokens} | ${cell("single")} | ${cell("multi")} |`;
    }),
    "",
    "Brackets: 95% interval (Wilson) over the test questions; questions of one clip are not independent, so the",
    "true interval is somewhat wider.",
    "",
    "## Per question type, multi-frame mode (single-frame in brackets)",
    "",
    `| cell | ${types.join(" | ")} |`,
    `|---|${types.map(() => "---").join("|")}|`,
    ...cells.map(
      (c) =>
        `| ${label(c)} | ${types.map((t) => `${pct(typeAcc(c, "multi", t))} (${pct(typeAcc(c, "single", t))})`).join(" | ")} |`,
    ),
    "",
    "Paper (VideoRefer, Table 7): u = 4 is best; Table 5: multi-frame mode is slightly better than single-frame on Bench-Q.",
    "",
  ];
  return lines.join("\n");
}
