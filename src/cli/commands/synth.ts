// `kinema synth`: generate a synthetic motion dataset (MotionBench or VideoRefer layout) with exact answers.

import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { generateDataset, planDataset, type SynthOptions } from "../../synth/index.ts";
import type { SynthReport } from "../../synth/report.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText, textTable } from "../output.ts";

export interface SynthSummary {
  out: string;
  kind: string;
  preset: string;
  seed: number;
  clips: number;
  questions: number;
  perCategory: Record<string, number>;
  /** Per option count: share (%) of answers per letter. */
  letters: Record<string, Record<string, number>>;
  report: SynthReport;
}

/** Plain async command: generates the dataset and returns its summary. */
export async function synth(opts: SynthOptions): Promise<SynthSummary> {
  const r = await generateDataset(opts);
  return {
    out: opts.out,
    kind: r.manifest.kind,
    preset: r.manifest.preset,
    seed: r.manifest.seed,
    clips: r.manifest.clips,
    questions: r.manifest.questions,
    perCategory: r.report.perCategory,
    letters: Object.fromEntries(Object.entries(r.report.letters).map(([k, v]) => [k, v.share])),
    report: r.report,
  };
}

/** Text view of the balance and text-only heuristic numbers. */
export function reportText(rep: SynthReport): string {
  const cat = textTable([["category", "questions"], ...Object.entries(rep.perCategory)]);
  const letters = textTable([
    ["options", "n", "A%", "B%", "C%", "D%", "max dev (pts)"],
    ...Object.entries(rep.letters).map(([k, v]) => [
      k,
      v.n,
      ...["A", "B", "C", "D"].map((l) => (v.share[l] === undefined ? "-" : v.share[l])),
      v.maxDeviation,
    ]),
  ]);
  const heur = textTable([
    ["text-only heuristic", "score %", "chance %", "gap (pts)"],
    [
      "longest option",
      rep.heuristics.longest.score,
      rep.heuristics.longest.chance,
      rep.heuristics.longest.gap,
    ],
    [
      "most words shared with question",
      rep.heuristics.overlap.score,
      rep.heuristics.overlap.chance,
      rep.heuristics.overlap.gap,
    ],
  ]);
  const text = textTable([
    ["text-only model (held out)", "n", "acc %", "chance %", "chance 95% CI", "at chance"],
    ...Object.entries(rep.textOnly).map(([c, v]) => [
      c,
      v.n,
      v.acc,
      v.chance,
      `[${v.ci95[0]}, ${v.ci95[1]}]`,
      v.atChance ? "yes" : "NO",
    ]),
  ]);
  return `${cat}\n\n${letters}\n\n${heur}\n\n${text}`;
}

const num = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n))
    throw new KinemaError("bad_spec", `${flag} expects a number, got "${v}"`, { field: flag });
  return n;
};

function parseSize(v: string): { w: number; h: number } {
  const m = /^(\d+)x(\d+)$/i.exec(v.trim());
  if (!m)
    throw new KinemaError("bad_spec", `--size expects WxH (e.g. 128x128), got "${v}"`, { field: "size" });
  return { w: Number(m[1]), h: Number(m[2]) };
}

function parseRange(v: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(v.trim());
  if (!m) throw new KinemaError("bad_spec", `--reps expects LO-HI (e.g. 2-6), got "${v}"`, { field: "reps" });
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

export function register(program: Command): void {
  program
    .command("synth")
    .description("generate synthetic motion clips with exact timelines, masks and questions")
    .option("--preset <preset>", "easy | motionbench | hard", "motionbench")
    .option("--n <n>", "number of questions", num("--n"), 60)
    .option("--seed <seed>", "random seed", num("--seed"), 0)
    .requiredOption("--out <dir>", "output directory")
    .option("--kind <kind>", "motionbench | videorefer", "motionbench")
    .option("--fps <fps>", "frames per second", num("--fps"))
    .option("--size <WxH>", "frame size, e.g. 128x128", parseSize)
    .option("--duration <s>", "minimum clip length in seconds", num("--duration"))
    .option("--speed <x>", "pace of non-counted actions", num("--speed"))
    .option("--reps-per-second <r>", "repetitions per second of the counted action", num("--reps-per-second"))
    .option("--reps <lo-hi>", "range of counted repetitions", parseRange)
    .option("--distractors <k>", "extra figures", num("--distractors"))
    .option("--occlusion <p>", "probability of a foreground pillar (0-1)", num("--occlusion"))
    .option("--noise <amp>", "per-pixel noise amplitude (0-40)", num("--noise"))
    .option("--questions-per-clip <q>", "questions carried by one clip (1-6)", num("--questions-per-clip"))
    .option(
      "--camera-swing <x>",
      "scale the camera swings' amplitude (MotionBench sets; default 1)",
      num("--camera-swing"),
    )
    .option(
      "--test-fraction <x>",
      "share of answers hidden as NA (written to answers.json)",
      num("--test-fraction"),
    )
    .option("--strip <png>", "also write a frame strip (8 frames) of the first clip to this PNG")
    .option("--json", "print a machine-readable summary")
    .option(
      "--report",
      "print letter balance, text-only heuristics and a text-only model's accuracy per category",
    )
    .action(async (o: Record<string, unknown>) => {
      const opts: SynthOptions = {
        preset: o.preset as SynthOptions["preset"],
        n: o.n as number,
        seed: o.seed as number,
        out: o.out as string,
        kind: o.kind as SynthOptions["kind"],
        fps: o.fps as number | undefined,
        size: o.size as SynthOptions["size"],
        duration: o.duration as number | undefined,
        speed: o.speed as number | undefined,
        repsPerSecond: o.repsPerSecond as number | undefined,
        reps: o.reps as [number, number] | undefined,
        distractors: o.distractors as number | undefined,
        occlusion: o.occlusion as number | undefined,
        noise: o.noise as number | undefined,
        questionsPerClip: o.questionsPerClip as number | undefined,
        cameraSwing: o.cameraSwing as number | undefined,
        testFraction: o.testFraction as number | undefined,
      };
      const s = await synth(opts);
      if (typeof o.strip === "string") {
        // Loaded here so other commands do not pay for the native canvas module at startup.
        const { frameStrip } = await import("../../synth/strip.ts");
        const first = planDataset({ ...opts, n: 1 }).clips[0];
        writeFileSync(o.strip, frameStrip(first.scene, 8, 2));
      }
      if (o.json) {
        const { report, ...rest } = s;
        printJson(o.report ? s : rest);
        return;
      }
      printText(
        `wrote ${s.questions} questions on ${s.clips} clips (${s.kind}, preset ${s.preset}, seed ${s.seed}) to ${s.out}`,
      );
      if (o.report) printText(reportText(s.report));
    });
}
