// `kinema study compression|encoder-free`: MotionBench's compression study and Video-Panda's STAB ablations at
// small scale on the synthetic world.
import type { Command } from "commander";
import { compressionStudy, type StudyResult, studyMarkdown } from "../../study/compression.ts";
import { type EncoderFreeResult, encoderFreeMarkdown, encoderFreeStudy } from "../../study/encoder-free.ts";
import { type ObjectStudyResult, objectStudy, objectStudyMarkdown } from "../../study/object.ts";
import { PROBES, type ShortcutsResult, shortcutsStudy, shortcutsText } from "../../study/shortcuts.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText } from "../output.ts";

export interface StudyCliOptions {
  quick?: boolean;
  out?: string;
  seeds?: string;
  bases?: string;
  start?: string;
  steps?: string;
  baseSteps?: string;
  workers?: string;
  trainN?: string;
  testN?: string;
  preset?: string;
  saveBuiltins?: string;
  json?: boolean;
  frames?: string;
  size?: string;
  method?: string;
  k?: string;
  aux?: string;
  balanced?: boolean;
  maxSeconds?: string;
  head?: string;
  probes?: string;
  trainSeed?: string;
  testSeed?: string;
}

const int = (v: string | undefined, field: string) => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new KinemaError("bad_spec", `--${field} must be a positive integer, got "${v}"`, { field });
  return Number(v);
};

const STARTS = ["fair", "plain", "scratch"] as const;
function startOf(v: string | undefined): (typeof STARTS)[number] | undefined {
  if (v !== undefined && !(STARTS as readonly string[]).includes(v))
    throw new KinemaError("bad_spec", `--start must be one of ${STARTS.join(", ")}, got "${v}"`, {
      field: "start",
    });
  return v as (typeof STARTS)[number] | undefined;
}

const PRESETS = ["easy", "motionbench", "hard"];
function preset(v: string | undefined) {
  if (v !== undefined && !PRESETS.includes(v))
    throw new KinemaError("bad_spec", `--preset must be one of ${PRESETS.join(", ")}, got "${v}"`, {
      field: "preset",
    });
  return v as "easy" | "motionbench" | "hard" | undefined;
}

const num = (v: string | undefined, field: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new KinemaError("bad_spec", `--${field} must be a non-negative number, got "${v}"`, { field });
  return n;
};

/** `kinema study shortcuts`: order-free probes against the ordered model. */
export async function shortcuts(o: StudyCliOptions, onLine?: (l: string) => void) {
  return shortcutsStudy({
    quick: o.quick,
    out: o.out ?? (o.quick ? "results/shortcuts-quick" : "results/shortcuts"),
    preset: preset(o.preset),
    trainN: int(o.trainN, "train-n"),
    testN: int(o.testN, "test-n"),
    steps: int(o.steps, "steps"),
    frames: int(o.frames, "frames"),
    size: int(o.size, "size"),
    k: int(o.k, "k"),
    method: o.method,
    aux: num(o.aux, "aux"),
    balanced: o.balanced,
    head: headOf(o.head),
    probes: probesOf(o.probes),
    trainSeed: seedOf(o.trainSeed, "train-seed"),
    testSeed: seedOf(o.testSeed, "test-seed"),
    maxSeconds: num(o.maxSeconds, "max-seconds"),
    saveBuiltins: o.saveBuiltins,
    onLine,
  });
}

function headOf(v: string | undefined): "joint" | "match" | undefined {
  if (v !== undefined && v !== "joint" && v !== "match")
    throw new KinemaError("bad_spec", `--head must be joint or match, got "${v}"`, { field: "head" });
  return v;
}

function probesOf(v: string | undefined): (typeof PROBES)[number][] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(",").filter(Boolean);
  for (const x of xs)
    if (!(PROBES as readonly string[]).includes(x))
      throw new KinemaError("bad_spec", `--probes: unknown probe "${x}" (known: ${PROBES.join(", ")})`, {
        field: "probes",
      });
  if (xs.length === 0) throw new KinemaError("bad_spec", "--probes names no probe", { field: "probes" });
  return xs as (typeof PROBES)[number][];
}

function seedOf(v: string | undefined, field: string) {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 2 ** 32 - 1)
    throw new KinemaError("bad_spec", `--${field} must be an integer in 0..4294967295, got "${v}"`, {
      field,
    });
  return Number(v);
}

/** `kinema study object`: VideoRefer's TTM union, single vs multi-frame, region tokens vs set-of-mark. */
export async function object(o: StudyCliOptions, onLine?: (l: string) => void) {
  return objectStudy({
    quick: o.quick,
    out: o.out ?? (o.quick ? "results/study-object-quick" : "results/study-object"),
    seeds: int(o.seeds, "seeds"),
    steps: int(o.steps, "steps"),
    trainN: int(o.trainN, "train-n"),
    testN: int(o.testN, "test-n"),
    maxSeconds: num(o.maxSeconds, "max-seconds"),
    onLine,
  });
}

export async function study(which: string, o: StudyCliOptions, onLine?: (l: string) => void) {
  if (which !== "compression" && which !== "encoder-free")
    throw new KinemaError(
      "bad_spec",
      `unknown study "${which}" (known: compression, encoder-free, shortcuts, object)`,
      { field: "study" },
    );
  if (which === "encoder-free")
    return encoderFreeStudy({
      quick: o.quick,
      out: o.out ?? (o.quick ? "results/study-encoder-free-quick" : "results/study-encoder-free"),
      seeds: int(o.seeds, "seeds"),
      steps: int(o.steps, "steps"),
      teacherSteps: int(o.baseSteps, "base-steps"),
      trainN: int(o.trainN, "train-n"),
      testN: int(o.testN, "test-n"),
      preset: o.preset as "easy" | undefined,
      saveBuiltins: o.saveBuiltins,
      onLine,
    });
  return compressionStudy({
    quick: o.quick,
    out: o.out ?? (o.quick ? "results/study-quick" : "results/study-compression"),
    seeds: int(o.seeds, "seeds"),
    bases: int(o.bases, "bases"),
    start: startOf(o.start),
    steps: int(o.steps, "steps"),
    baseSteps: int(o.baseSteps, "base-steps"),
    workers: int(o.workers, "workers"),
    trainN: int(o.trainN, "train-n"),
    testN: int(o.testN, "test-n"),
    preset: preset(o.preset),
    saveBuiltins: o.saveBuiltins,
    onLine,
  });
}

export function register(program: Command): void {
  program
    .command("study")
    .description(
      "reproducible studies; `compression`: TE Fusion vs the compression baselines (MotionBench §5.2); " +
        "`shortcuts`: order-free probes (first, last, mean, shuffled frames) against the ordered model; " +
        "`encoder-free`: Video-Panda's STAB vs an encoder, and its ablations; " +
        "`object`: VideoRefer's TTM union u, single vs multi-frame, region tokens vs set-of-mark",
    )
    .argument("<which>", "compression | shortcuts | encoder-free | object")
    .option("--quick", "tiny grid and data (a few minutes): checks the pipeline end to end")
    .option("--out <dir>", "output folder (default results/study-compression, or results/study-quick)")
    .option(
      "--seeds <n>",
      "training seeds per cell (compression: per base, default 5; encoder-free 1; 1 with --quick)",
    )
    .option("--bases <n>", "compression: base models, each from its own seed (default 2; 1 with --quick)")
    .option(
      "--start <s>",
      "compression: fair (warm start + exact pass-through of new parts; default) | plain (v1 warm start) | scratch",
    )
    .option(
      "--base-steps <n>",
      "steps of the base model (compression: none, k=1; encoder-free: the teacher) (default 4000; 1500)",
    )
    .option("--steps <n>", "fine-tuning steps per cell (default 400; encoder-free 500)")
    .option("--workers <n>", "parallel training processes (default 2)")
    .option("--train-n <n>", "training questions (default 6000)")
    .option("--test-n <n>", "held-out questions (default: compression 3000; encoder-free 1920)")
    .option(
      "--preset <p>",
      "synthetic-world preset: easy | motionbench | hard (compression, encoder-free: easy; shortcuts: motionbench)",
    )
    .option(
      "--save-builtins <dir>",
      "keep seed-0 checkpoints of the N=16, k=4 cells (encoder-free: stab, encoder-baseline; shortcuts: the ordered model)",
    )
    .option("--json", "print the summary as JSON")
    .option("--frames <n>", "shortcuts: frames per clip (default 32)")
    .option("--size <px>", "shortcuts: frame side in pixels (default 48)")
    .option("--method <m>", "shortcuts: model family (default te-fusion)")
    .option("--k <k>", "shortcuts: compression ratio (default 4)")
    .option("--aux <w>", "shortcuts: weight of the ordered model's dense per-frame loss (default 1; 0 = off)")
    .option("--balanced", "shortcuts: per-category balanced batches")
    .option("--max-seconds <s>", "shortcuts: stop each probe's training after this long")
    .option("--head <h>", "shortcuts: option head of every probe, joint | match (default joint)")
    .option(
      "--probes <list>",
      "shortcuts: comma-separated probes to run (default first,last,mean,shuffled,ordered)",
    )
    .option("--train-seed <n>", "shortcuts: synthetic-world seed of the train set (default 4001)")
    .option("--test-seed <n>", "shortcuts: synthetic-world seed of the test set (default 5005)")
    .action(async (which: string, opts: StudyCliOptions) => {
      const log = (l: string) => {
        if (!opts.json) process.stderr.write(`${l}\n`);
      };
      if (which === "object") {
        const r: ObjectStudyResult & { files: string[] } = await object(opts, log);
        if (opts.json) printJson(r);
        else printText(`${objectStudyMarkdown(r)}\nwrote ${r.files.join(", ")}`);
        return;
      }
      if (which === "shortcuts") {
        const r: ShortcutsResult & { file: string } = await shortcuts(opts, log);
        if (opts.json) printJson(r);
        else printText(`${shortcutsText(r)}\nwrote ${r.file}`);
        return;
      }
      const r = await study(which, opts, (l) => {
        if (!opts.json) process.stderr.write(`${l}\n`);
      });
      if (opts.json) printJson(r);
      else if (which === "encoder-free")
        printText(`${encoderFreeMarkdown(r as EncoderFreeResult)}\n\nwrote ${r.files.join(", ")}`);
      else printText(`${studyMarkdown(r as StudyResult)}\n\nwrote ${r.files.join(", ")}`);
    });
}
