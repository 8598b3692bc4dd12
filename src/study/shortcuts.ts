// `kinema study shortcuts`: can a question set be answered without motion? Synthetic train/test sets →
// shards → order-free probes (first frame, last frame, mean frame, shuffled frames) and the ordered model of
// one model family, each scored per category against chance and a blind guesser's 95% interval.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateDataset } from "../synth/index.ts";
import { writeShards } from "../synth/shards.ts";
import type { Preset } from "../synth/vocab.ts";
import { KinemaError } from "../util/errors.ts";
import { runPython } from "./compression.ts";

export const PROBES = ["first", "last", "mean", "shuffled", "ordered"] as const;

export interface ShortcutsOptions {
  out: string;
  preset?: Preset;
  /** Tiny sets, model and steps: checks the pipeline in well under a minute. */
  quick?: boolean;
  trainN?: number;
  testN?: number;
  trainSeed?: number;
  testSeed?: number;
  /** Frames per clip (uniform) and their side in pixels. */
  frames?: number;
  size?: number;
  method?: string;
  k?: number;
  steps?: number;
  /** Weight of the dense per-frame loss of the ordered model (0: answers only). */
  aux?: number;
  balanced?: boolean;
  /** Option head of every probe (py model.ModelConfig.head); the model's default (joint) when unset. */
  head?: "joint" | "match";
  /** Probes to run (default all five, in PROBES order). */
  probes?: (typeof PROBES)[number][];
  /** Stop each probe's training after this many seconds. */
  maxSeconds?: number;
  /** Keep the ordered model's checkpoint as DIR/<method>-k<k>.pt (export it with kinema_py.export). */
  saveBuiltins?: string;
  python?: string;
  onLine?: (line: string) => void;
}

export interface ShortcutsResult {
  chance: Record<string, number>;
  chance_ci95: Record<string, [number, number]>;
  n_per_category: Record<string, number>;
  probes: Record<(typeof PROBES)[number], Record<string, number>>;
  overall: Record<string, number>;
  n: number;
  within_chance: Record<string, Record<string, boolean>>;
  above_chance: Record<string, Record<string, boolean>>;
  config: Record<string, unknown>;
  runs: Record<string, Record<string, unknown>>;
}

async function shardFor(
  dir: string,
  o: { n: number; seed: number; preset: Preset; frames: number; size: number },
): Promise<string> {
  const shard = join(dir, `shard-${o.frames}x${o.size}`);
  if (existsSync(join(shard, "questions.json"))) return shard;
  if (!existsSync(join(dir, "synth", "video_info.meta.jsonl")))
    await generateDataset({ n: o.n, seed: o.seed, preset: o.preset, out: join(dir, "synth") });
  await writeShards({ data: join(dir, "synth"), frames: o.frames, size: o.size, out: shard });
  return shard;
}

export async function shortcutsStudy(o: ShortcutsOptions): Promise<ShortcutsResult & { file: string }> {
  const quick = o.quick ?? false;
  const preset = o.preset ?? "motionbench";
  const trainSeed = o.trainSeed ?? 4001;
  const testSeed = o.testSeed ?? 5005;
  if (trainSeed === testSeed)
    throw new KinemaError("bad_spec", "the test set must come from another synthetic-world seed", {
      field: "testSeed",
    });
  const frames = o.frames ?? (quick ? 8 : 32);
  const size = o.size ?? (quick ? 32 : 48);
  const k = o.k ?? (quick ? 2 : 4);
  if (frames % k !== 0)
    throw new KinemaError("bad_spec", `k=${k} must divide the frame count ${frames}`, { field: "k" });
  const trainN = o.trainN ?? (quick ? 24 : 3000);
  const testN = o.testN ?? (quick ? 12 : 900);
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const data = join(out, "data");
  const train = await shardFor(join(data, `train-${preset}-${trainSeed}-${trainN}`), {
    n: trainN,
    seed: trainSeed,
    preset,
    frames,
    size,
  });
  const test = await shardFor(join(data, `test-${preset}-${testSeed}-${testN}`), {
    n: testN,
    seed: testSeed,
    preset,
    frames,
    size,
  });
  const args = ["--train", train, "--test", test, "--out", out, "--frames", String(frames), "--k", String(k)];
  args.push("--method", o.method ?? "te-fusion");
  args.push("--source", `kinema synth --preset ${preset} --n ${trainN} --seed ${trainSeed}`);
  if (quick) args.push("--quick");
  if (o.steps !== undefined) args.push("--steps", String(o.steps));
  if (o.aux !== undefined) args.push("--aux", String(o.aux));
  if (o.balanced) args.push("--balanced");
  if (o.head) args.push("--head", o.head);
  if (o.probes) args.push("--probes", o.probes.join(","));
  if (o.maxSeconds !== undefined) args.push("--max-seconds", String(o.maxSeconds));
  if (o.saveBuiltins) {
    mkdirSync(resolve(o.saveBuiltins), { recursive: true });
    args.push("--save-ordered", join(resolve(o.saveBuiltins), `${o.method ?? "te-fusion"}-k${k}.pt`));
  }
  await runPython("shortcuts", args, o);
  const file = join(out, "shortcuts.json");
  return { ...(JSON.parse(readFileSync(file, "utf8")) as ShortcutsResult), file };
}

const pct = (x: number) => (x * 100).toFixed(1);

/** A text table: one row per category, chance with its interval, then each probe's accuracy. */
export function shortcutsText(r: ShortcutsResult): string {
  const probes = Object.keys(r.probes);
  const head = ["category", "n", "chance % [95% CI]", ...probes.map((p) => `${p} %`)];
  const rows = Object.keys(r.chance).map((c) => [
    c,
    String(r.n_per_category[c]),
    `${pct(r.chance[c])} [${pct(r.chance_ci95[c][0])}, ${pct(r.chance_ci95[c][1])}]`,
    ...probes.map((p) => {
      const acc = r.probes[p as keyof typeof r.probes][c];
      if (acc === undefined) return "-";
      const mark = r.above_chance[p]?.[c] ? " +" : r.within_chance[p]?.[c] ? "" : " -";
      return `${pct(acc)}${mark}`;
    }),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((x, i) => x.padEnd(widths[i])).join("  ");
  return [
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    `n = ${r.n} held-out questions; "+" above chance's 95% interval, "-" below it.`,
  ].join("\n");
}
