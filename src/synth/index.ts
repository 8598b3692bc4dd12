// generateDataset: plans, renders, encodes and exports a synthetic motion dataset (MotionBench or
// VideoRefer layout) with exact timelines, per-object masks and questions. Deterministic in its options.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Rle, area as rleArea } from "../masks/rle.ts";
import { KinemaError } from "../util/errors.ts";
import { acquireLock } from "../util/lock.ts";
import { encodeMp4 } from "./encode.ts";
import { idsToRles } from "./masks.ts";
import {
  LetterBalancer,
  MOTIONBENCH_TYPES,
  type MotionBenchType,
  motionBenchQuestionV2,
  type SynthQuestion,
  VIDEOREFER_TYPES,
  type VideoReferType,
  videoReferQuestion,
} from "./questions.ts";
import { renderFrame } from "./render.ts";
import { type SynthReport, synthReport } from "./report.ts";
import { createRng, type Rng } from "./rng.ts";
import { buildTimeline, describeObject, type Timeline } from "./timeline.ts";
import {
  DEFAULT_SAMPLED_FRAMES,
  type Knobs,
  PRESETS,
  type Preset,
  VIDEOREFER_PRESET_VALUES,
} from "./vocab.ts";
import { planScene, type ScenePlan } from "./world.ts";
import { planSceneV2 } from "./world2.ts";

export const GENERATOR_VERSION = "kinema-synth/2";

export interface SynthOptions extends Partial<Omit<Knobs, "size">> {
  preset?: Preset;
  /** Number of questions. */
  n: number;
  seed: number;
  /** Output directory (created). */
  out: string;
  kind?: "motionbench" | "videorefer";
  /** Share of questions whose answer is hidden ("NA") and written to answers.json instead. */
  testFraction?: number;
  size?: { w: number; h: number };
  /** Parallel ffmpeg encodes (default 2). */
  concurrency?: number;
}

export interface ClipRecord {
  clip: string;
  video: string;
  frames: number;
  fps: number;
  questions: number;
}

export interface ExportedQuestion extends SynthQuestion {
  uid: string;
  letter: string;
  split: "dev" | "test";
}

export interface SynthManifest {
  generator: string;
  seed: number;
  kind: "motionbench" | "videorefer";
  preset: Preset;
  options: Knobs & { n: number; testFraction: number };
  clips: number;
  questions: number;
  perCategory: Record<string, number>;
  files: string[];
}

export interface SynthResult {
  manifest: SynthManifest;
  clips: ClipRecord[];
  questions: ExportedQuestion[];
  report: SynthReport;
}

/** Merges preset and overrides and validates them (bad values → KinemaError bad_spec naming the field). */
export function resolveKnobs(opts: Partial<SynthOptions>): Knobs {
  const preset = opts.preset ?? "motionbench";
  const base = PRESETS[preset];
  if (!base)
    throw new KinemaError("bad_spec", `unknown preset "${preset}" (easy, motionbench, hard)`, {
      field: "preset",
    });
  const k: Knobs = {
    ...base,
    ...(opts.kind === "videorefer" ? VIDEOREFER_PRESET_VALUES[preset] : {}),
    size: { ...base.size },
  };
  for (const key of Object.keys(base) as (keyof Knobs)[]) {
    const v = (opts as Record<string, unknown>)[key];
    if (v !== undefined) (k as unknown as Record<string, unknown>)[key] = v;
  }
  const bad = (field: string, why: string) => new KinemaError("bad_spec", why, { field });
  const num = (field: string, v: number, lo: number, hi: number) => {
    if (!Number.isFinite(v) || v < lo || v > hi)
      throw bad(field, `must be between ${lo} and ${hi}, got ${v}`);
  };
  num("fps", k.fps, 2, 60);
  num("duration", k.duration, 1, 120);
  num("speed", k.speed, 0.2, 5);
  num("repsPerSecond", k.repsPerSecond, 0.2, 10);
  num("distractors", k.distractors, 0, 4);
  num("occlusion", k.occlusion, 0, 1);
  num("noise", k.noise, 0, 40);
  num("actions", k.actions, 2, 4);
  num("questionsPerClip", k.questionsPerClip, 1, 6);
  num("cameraSwing", k.cameraSwing, 0.25, 3);
  if (!Number.isInteger(k.distractors)) throw bad("distractors", "must be an integer");
  if (!Array.isArray(k.reps) || k.reps[0] < 1 || k.reps[1] < k.reps[0] || k.reps[1] > 20)
    throw bad("reps", "must be [lo, hi] with 1 ≤ lo ≤ hi ≤ 20");
  const { w, h } = k.size;
  if (
    !Number.isInteger(w) ||
    !Number.isInteger(h) ||
    w < 32 ||
    h < 32 ||
    w > 1024 ||
    h > 1024 ||
    w % 2 ||
    h % 2
  )
    throw bad("size", `must be even integers in 32..1024, got ${w}x${h}`);
  return k;
}

const B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function uidFrom(rng: Rng): string {
  let s = "";
  for (let i = 0; i < 16; i++) s += B62[rng.int(0, 61)];
  return s;
}

/** What one clip contributes before encoding: plan, its frames, masks per object per frame. */
export interface RenderedClip {
  scene: ScenePlan;
  timeline: Timeline;
  video: Buffer;
  /** Object ids (actors then items) and their RLE per frame. */
  masks: { id: string; maskIndex: number; rles: Rle[] }[];
}

/** Renders every frame of a clip and encodes the masks of every annotated object. */
export function renderClip(scene: ScenePlan, clip: string): RenderedClip {
  const { w, h } = scene.size;
  const objs = [
    ...scene.actors.map((a) => ({ id: a.id, maskIndex: a.index })),
    ...scene.items.map((i) => ({ id: i.id, maskIndex: i.index })),
  ];
  const masks = objs.map((o) => ({ ...o, rles: [] as Rle[] }));
  const video = Buffer.alloc(w * h * 3 * scene.frames);
  const frame = { rgb: new Uint8Array(w * h * 3), ids: new Uint8Array(w * h) };
  for (let t = 0; t < scene.frames; t++) {
    renderFrame(scene, t, frame);
    video.set(frame.rgb, t * w * h * 3);
    const rles = idsToRles(
      frame.ids,
      w,
      h,
      objs.map((o) => o.maskIndex),
    );
    rles.forEach((r, i) => masks[i].rles.push(r));
  }
  return { scene, timeline: buildTimeline(scene, clip), video, masks };
}

/** Write-then-rename: a reader (or a killed run) never sees a half-written file. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
const writeJson = (path: string, data: unknown) => writeAtomic(path, `${JSON.stringify(data)}\n`);

export interface PlannedClip {
  clip: string;
  scene: ScenePlan;
  questions: SynthQuestion[];
}

export interface PlannedDataset {
  kind: "motionbench" | "videorefer";
  preset: Preset;
  knobs: Knobs;
  testFraction: number;
  clips: PlannedClip[];
  /** Continues the seeded stream for uids and the split (after planning). */
  rng: Rng;
}

/** Validates options and plans every clip and question without rendering (fast; used by --report checks). */
export function planDataset(opts: Omit<SynthOptions, "out"> & { out?: string }): PlannedDataset {
  const kind = opts.kind ?? "motionbench";
  if (kind !== "motionbench" && kind !== "videorefer")
    throw new KinemaError("bad_spec", `kind must be motionbench or videorefer, got "${kind}"`, {
      field: "kind",
    });
  if (!Number.isInteger(opts.n) || opts.n < 1 || opts.n > 100_000)
    throw new KinemaError("bad_spec", `n must be an integer in 1..100000, got ${opts.n}`, { field: "n" });
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 2 ** 32 - 1)
    throw new KinemaError("bad_spec", `seed must be a non-negative 32-bit integer, got ${opts.seed}`, {
      field: "seed",
    });
  const testFraction = opts.testFraction ?? 0;
  if (!(testFraction >= 0 && testFraction <= 1))
    throw new KinemaError("bad_spec", `testFraction must be in [0, 1], got ${testFraction}`, {
      field: "testFraction",
    });
  const knobs = resolveKnobs(opts);
  if (kind === "motionbench" && knobs.reps[1] > 6)
    throw new KinemaError(
      "bad_spec",
      `reps must be at most 6 for MotionBench questions (each repetition spans ≥ 4 of ${DEFAULT_SAMPLED_FRAMES} sampled frames), got ${knobs.reps[1]}`,
      { field: "reps" },
    );
  if (kind === "videorefer" && knobs.cameraSwing !== 1)
    throw new KinemaError(
      "bad_spec",
      `cameraSwing applies to MotionBench sets (world v2) only, got ${knobs.cameraSwing} for kind videorefer`,
      { field: "cameraSwing" },
    );
  const rng = createRng(opts.seed);
  const bal = new LetterBalancer(rng.fork("letters"));
  const types: readonly (MotionBenchType | VideoReferType)[] =
    kind === "motionbench" ? MOTIONBENCH_TYPES : VIDEOREFER_TYPES;
  const perClip = kind === "videorefer" ? Math.min(knobs.questionsPerClip, 5) : knobs.questionsPerClip;
  const nClips = Math.ceil(opts.n / perClip);
  const clips: PlannedClip[] = [];
  let qi = 0;
  for (let c = 0; c < nClips; c++) {
    const clip = `synth_${opts.seed}_${String(c).padStart(5, "0")}`;
    const crng = rng.fork(`clip${c}`);
    // MotionBench questions come from world v2 (motion-only options); VideoRefer keeps the first world.
    const scene =
      kind === "motionbench"
        ? planSceneV2(crng.fork("scene"), knobs, c % 4)
        : planScene(crng.fork("scene"), knobs, c % 4);
    const qrng = crng.fork("questions");
    const questions: SynthQuestion[] = [];
    // Categories rotate across clips so every type gets the same share of questions.
    for (let j = 0; j < perClip && qi < opts.n; j++, qi++) {
      const type = types[(c * perClip + j) % types.length];
      questions.push(
        kind === "motionbench"
          ? motionBenchQuestionV2(scene, clip, type as MotionBenchType, qrng, bal)
          : videoReferQuestion(scene, clip, type as VideoReferType, qrng, bal),
      );
    }
    clips.push({ clip, scene, questions });
  }
  return { kind, preset: opts.preset ?? "motionbench", knobs, testFraction, clips, rng };
}

export async function generateDataset(opts: SynthOptions): Promise<SynthResult> {
  const plan = planDataset(opts);
  mkdirSync(opts.out, { recursive: true });
  // One writer per folder: a second `kinema synth` into it refuses instead of interleaving files.
  const release = acquireLock(join(opts.out, ".kinema-synth.lock"), `the synthetic set in ${opts.out}`);
  try {
    return await writeDataset(opts, plan);
  } finally {
    release();
  }
}

async function writeDataset(opts: SynthOptions, plan: PlannedDataset): Promise<SynthResult> {
  const { kind, knobs, testFraction, preset, rng } = plan;
  const { out } = opts;
  mkdirSync(join(out, "videos"), { recursive: true });
  mkdirSync(join(out, "timeline"), { recursive: true });
  mkdirSync(join(out, "masks"), { recursive: true });
  const uidRng = rng.fork("uids");

  const clips: ClipRecord[] = [];
  const questions: SynthQuestion[] = [];
  const descriptions: { clip: string; object: string; caption: string }[] = [];
  const rendered = new Map<string, RenderedClip>();
  const inflight = new Set<Promise<void>>();
  const limit = Math.max(1, opts.concurrency ?? 2);
  let failure: unknown;
  for (const { clip, scene, questions: qs } of plan.clips) {
    questions.push(...qs);
    const data = renderClip(scene, clip);
    rendered.set(clip, data);
    clips.push({ clip, video: `${clip}.mp4`, frames: scene.frames, fps: scene.fps, questions: qs.length });
    writeJson(join(out, "timeline", `${clip}.json`), data.timeline);
    writeJson(join(out, "masks", `${clip}.json`), {
      clip,
      size: [knobs.size.h, knobs.size.w],
      objects: data.masks.map((m) => ({ id: m.id, frames: m.rles })),
    });
    if (kind === "videorefer")
      for (const id of [scene.actors[0].id, scene.actors[0].interaction!.item, scene.items.at(-1)!.id])
        descriptions.push({ clip, object: id, caption: describeObject(scene, id) });
    // Encode while later clips render (at most `concurrency` ffmpeg processes); frames are dropped once encoded.
    while (inflight.size >= limit) await Promise.race(inflight);
    const job = encodeClip(data, join(out, "videos", `${clip}.mp4`)).then(
      () => void inflight.delete(job),
      (e) => {
        inflight.delete(job);
        failure ??= e;
      },
    );
    inflight.add(job);
    if (failure) break;
    // Let the event loop feed ffmpeg's stdin between clips.
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(inflight);
  if (failure) throw failure;

  // Uids and the hidden-answer split.
  const exported: ExportedQuestion[] = questions.map((q) => ({
    ...q,
    uid: uidFrom(uidRng),
    letter: String.fromCharCode(65 + q.answer),
    split: "dev",
  }));
  // VideoRefer has no hidden split upstream (an "NA" Answer would break its parser), so only MotionBench.
  const nTest = kind === "motionbench" ? Math.round(testFraction * exported.length) : 0;
  for (const i of rng.fork("split").sample([...exported.keys()], nTest)) exported[i].split = "test";

  const files: string[] = ["manifest.json"];
  if (kind === "motionbench") {
    const lines = exported.map((q) => {
      const clip = clips.find((c) => c.clip === q.clip)!;
      return JSON.stringify({
        question_type: q.type,
        video_type: "synthetic",
        key: q.clip,
        qa: [
          {
            uid: q.uid,
            start: null,
            end: null,
            answer: q.split === "test" ? "NA" : q.letter,
            question: `${q.question}${q.options.map((o, i) => `\n${String.fromCharCode(65 + i)}. ${o}`).join("")}`,
          },
        ],
        video_path: clip.video,
        video_info: {
          duration: Math.round((clip.frames / clip.fps) * 1000) / 1000,
          fps: clip.fps,
          resolution: { width: knobs.size.w, height: knobs.size.h },
        },
      });
    });
    writeAtomic(join(out, "video_info.meta.jsonl"), `${lines.join("\n")}\n`);
    files.push("video_info.meta.jsonl");
    if (nTest > 0) {
      writeJson(
        join(out, "answers.json"),
        Object.fromEntries(exported.filter((q) => q.split === "test").map((q) => [q.uid, q.letter])),
      );
      files.push("answers.json");
    }
  } else {
    const bench = exported.map((q, id) => {
      const data = rendered.get(q.clip)!;
      const ann = annotation(data, q.objects);
      return {
        id,
        video: `${q.clip}.mp4`,
        Question: q.question,
        type: q.type,
        options: q.options.map((o, i) => `(${String.fromCharCode(65 + i)}) ${o}`),
        Answer: `(${q.letter}) ${q.options[q.answer]}`,
        frame_idx: ann.frameIdx,
        annotation: ann.annotation,
      };
    });
    writeJson(join(out, "VideoRefer-Bench-Q.json"), bench);
    const benchD = descriptions.map((d, id) => {
      const ann = annotation(rendered.get(d.clip)!, [d.object]);
      return {
        id,
        video: `${d.clip}.mp4`,
        caption: d.caption,
        frame_idx: ann.frameIdx,
        annotation: ann.annotation,
      };
    });
    writeJson(join(out, "VideoRefer-Bench-D.json"), benchD);
    files.push("VideoRefer-Bench-Q.json", "VideoRefer-Bench-D.json");
  }
  files.push("videos/", "timeline/", "masks/");
  const report = synthReport(exported);
  const manifest: SynthManifest = {
    generator: GENERATOR_VERSION,
    seed: opts.seed,
    kind,
    preset,
    options: { ...knobs, n: opts.n, testFraction: kind === "motionbench" ? testFraction : 0 },
    clips: clips.length,
    questions: exported.length,
    perCategory: report.perCategory,
    files,
  };
  writeJson(join(out, "manifest.json"), manifest);
  return { manifest, clips, questions: exported, report };
}

async function encodeClip(data: RenderedClip, path: string): Promise<void> {
  const { w, h } = data.scene.size;
  // ffmpeg picks the container from the name, so the temporary file keeps the .mp4 ending
  const tmp = path.replace(/\.mp4$/, `.tmp-${process.pid}.mp4`);
  await encodeMp4(data.video, w, h, data.scene.fps, tmp);
  renameSync(tmp, path);
  // Free the raw frames; masks and timeline stay for the export.
  data.video = Buffer.alloc(0);
}

/**
 * Upstream-style annotation: one dict per object, keyed by frame index (≤ 32 uniformly spaced frames). A frame
 * where the object shows no pixel (occluded, off screen) gets `segmentation: null`, as upstream files write
 * it, never an empty RLE.
 */
function annotation(
  data: RenderedClip,
  objects: string[],
): { frameIdx: string; annotation: Record<string, { segmentation: Rle | null }>[] } {
  const T = data.scene.frames;
  const n = Math.min(32, T);
  const frames = [
    ...new Set(Array.from({ length: n }, (_, i) => Math.round((i * (T - 1)) / Math.max(1, n - 1)))),
  ];
  const annotation = objects.map((id) => {
    const m = data.masks.find((x) => x.id === id)!;
    return Object.fromEntries(
      frames.map((f) => [String(f), { segmentation: rleArea(m.rles[f]) > 0 ? m.rles[f] : null }]),
    );
  });
  // The single-frame reference: the annotated frame where the first object shows the most pixels.
  const first = data.masks.find((x) => x.id === objects[0])!;
  let best = frames[0];
  let bestArea = -1;
  for (const f of frames) {
    const a = rleArea(first.rles[f]);
    if (a > bestArea) {
      bestArea = a;
      best = f;
    }
  }
  return { frameIdx: String(best), annotation };
}
