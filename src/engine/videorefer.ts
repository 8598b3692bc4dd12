// `kinema engine videorefer`: VideoRefer's multi-agent data engine as a resumable pipeline over
// OpenAI-compatible models: Analyzer (LLM: objects of a caption) → Annotator (VLM: appearance, motion and a
// first-frame box of one object) → Segmentor (box → mask → masklet) → Reviewer (VLM: do description and mask
// refer to the same object?) → Refiner (LLM: detailed and short descriptions, multiple-choice QA).
// The paper released no prompts: kinema's are below, hashed into the run config. Every step is stored.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { bbox, decodeMask, type Rle } from "../masks/rle.ts";
import { type AdapterOptions, createAdapter } from "../models/index.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "../models/retry.ts";
import type { ChatMessage, ModelAdapter, ModelImage } from "../models/types.ts";
import { type EngineStore, openEngineStore, type StepRow } from "../store/engine.ts";
import { errorRecord, KinemaError } from "../util/errors.ts";
import { encodeImages, loadFrames, probe } from "../video/index.ts";
import { ask, putAsked } from "./ask.ts";
import { type Box, createSegmentor, type Masklet, readSynthMasks, type Segmentor } from "./segmentor.ts";

export const PROMPTS = {
  analyzer:
    'List the distinct people, animals and objects that this video caption mentions as subjects or moving things. Return only a JSON list of short noun phrases (at most 8), each naming one object so that it can be told apart from the others, e.g. ["the man in the red shirt", "the ball"].\n\nCaption: ',
  annotator:
    'These are frames of one video, in order. Look at {OBJECT}. Return only a JSON object {"appearance": "...", "motion": "...", "box": [x0, y0, x1, y1]}: its appearance, how it moves and acts over the video, and its bounding box on the first frame as fractions (0-1) of the image width and height.',
  reviewer:
    "These are frames of one video, in order. The object of interest has the bounding box given per frame (pixels, x0 y0 x1 y1):\n{BOXES}\nDescription: {DESCRIPTION}\nDo the description and the boxed object refer to the same object? Answer yes or no.",
  refiner:
    'An object in a video is described by an annotator:\nAppearance: {APPEARANCE}\nMotion: {MOTION}\nReturn only a JSON object {"detailed": "...", "short": "...", "qa": [{"question": "...", "options": ["...", "...", "...", "..."], "answer": "A", "type": "Basic Questions"}]}: a detailed description (appearance and motion, several sentences), a one-sentence short description, and up to 2 multiple-choice questions about the object (4 options, answer letter, type one of Basic Questions, Sequential Questions, Relationship Questions, Reasoning Questions, Future Predictions). Refer to the object as <region> in descriptions and questions.',
};
export const PROMPTS_SHA256 = createHash("sha256").update(JSON.stringify(PROMPTS)).digest("hex");
const Q_TYPES = [
  "Basic Questions",
  "Sequential Questions",
  "Relationship Questions",
  "Reasoning Questions",
  "Future Predictions",
];

export interface VideoreferOptions {
  /** A `kinema synth --kind videorefer` folder: captions from its Bench-D file, truth masks for the report. */
  synth?: string;
  /** Or: JSONL of {video, caption}, videos relative to --videos. */
  captions?: string;
  videos?: string;
  analyzer: string;
  annotator: string;
  reviewer: string;
  refiner: string;
  segmentor: string;
  out: string;
  frames?: number;
  maxAsks?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  adapterOptions?: AdapterOptions;
}

export interface ClipInput {
  clip: string;
  video: string;
  videoName: string;
  caption: string;
}

function loadInputs(o: VideoreferOptions): ClipInput[] {
  if (o.synth) {
    const file = join(o.synth, "VideoRefer-Bench-D.json");
    let d: { video: string; caption: string }[];
    try {
      d = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new KinemaError("not_found", `cannot read ${file}: ${(e as Error).message}`, { file });
    }
    const seen = new Set<string>();
    return d
      .filter((r) => !seen.has(r.video) && seen.add(r.video))
      .map((r) => ({
        clip: r.video.replace(/\.[^.]+$/, ""),
        video: join(o.synth!, "videos", r.video),
        videoName: r.video,
        caption: r.caption,
      }));
  }
  if (!o.captions || !o.videos)
    throw new KinemaError("bad_spec", "give --synth DIR, or --captions FILE and --videos DIR", {
      field: "captions",
    });
  const Line = z.object({ video: z.string().min(1), caption: z.string().min(1) });
  const out: ClipInput[] = [];
  readFileSync(o.captions, "utf8")
    .split("\n")
    .forEach((raw, i) => {
      if (!raw.trim()) return;
      let v: unknown;
      try {
        v = JSON.parse(raw);
      } catch {
        throw new KinemaError("bad_input", "not JSON", { file: o.captions, line: i + 1 });
      }
      const p = Line.safeParse(v);
      if (!p.success)
        throw new KinemaError("bad_input", p.error.issues[0].message, {
          file: o.captions,
          line: i + 1,
          field: p.error.issues[0].path.join("."),
        });
      const video = resolve(o.videos!, p.data.video);
      if (!existsSync(video))
        throw new KinemaError("not_found", `no video ${video}`, {
          file: o.captions,
          line: i + 1,
          field: "video",
        });
      out.push({
        clip: p.data.video.replace(/\.[^.]+$/, ""),
        video,
        videoName: p.data.video,
        caption: p.data.caption,
      });
    });
  return out;
}

const stripFence = (t: string) =>
  t
    .trim()
    .replace(/^```[a-zA-Z]*\s*\n([\s\S]*?)\n?```$/, "$1")
    .trim();
function jsonOf(t: string): unknown {
  return JSON.parse(stripFence(t));
}

const AnalyzerReply = z.array(z.string().trim().min(1)).min(1).max(8);
const AnnotatorReply = z.object({
  appearance: z.string().trim().min(1),
  motion: z.string().trim().min(1),
  box: z
    .tuple([z.number(), z.number(), z.number(), z.number()])
    .refine(
      (b) => b.every((x) => x >= 0 && x <= 1) && b[2] > b[0] && b[3] > b[1],
      "box must be 0-1 fractions with x1 > x0, y1 > y0",
    ),
});
const RefinerReply = z.object({
  detailed: z.string().trim().min(1),
  short: z.string().trim().min(1),
  qa: z
    .array(
      z
        .object({
          question: z.string().trim().min(1),
          options: z.array(z.string().trim().min(1)).min(2).max(4),
          answer: z.string().regex(/^[A-D]$/),
          type: z.enum(Q_TYPES as [string, ...string[]]),
        })
        .refine((q) => q.answer.charCodeAt(0) - 65 < q.options.length, {
          message: "answer is not among the options",
          path: ["answer"],
        }),
    )
    .max(4),
});

/** Validates a reply with a zod schema; the reason names the field. */
function check<T>(
  schema: z.ZodType<T>,
  text: string,
): { ok: true; value: T } | { ok: false; reason: string } {
  let v: unknown;
  try {
    v = jsonOf(text);
  } catch (e) {
    return { ok: false, reason: `not JSON (${(e as Error).message.slice(0, 60)})` };
  }
  const p = schema.safeParse(v);
  if (!p.success)
    return {
      ok: false,
      reason: `${p.error.issues[0].path.join(".") || "reply"}: ${p.error.issues[0].message}`,
    };
  return { ok: true, value: p.data };
}

interface StepCtx {
  store: EngineStore;
  askOpts: { timeoutMs: number; retry: RetryPolicy };
  maxAsks: number;
  counts: { asked: number; reused: number };
}

/** Asks a validated JSON (or yes/no) step with bounded re-asks; every attempt is a stored step. */
async function validatedStep<T>(
  c: StepCtx,
  stage: string,
  key: string,
  adapter: ModelAdapter,
  messages: ChatMessage[],
  images: ModelImage[],
  validate: (text: string) => { ok: true; value: T } | { ok: false; reason: string },
): Promise<T | undefined> {
  const previous: ChatMessage[] = [];
  for (let n = 1; n <= c.maxAsks; n++) {
    const k = `${key}#${n}`;
    let s = c.store.step(stage, k);
    if (s && s.status !== "failed") c.counts.reused++;
    else {
      const msgs = [...messages, ...previous];
      const r = await ask(adapter, { messages: msgs, images, params: { temperature: 0 } }, c.askOpts);
      c.counts.asked++;
      const base = { stage, key: k, model: adapter.spec, request: { messages: msgs, images: images.length } };
      putAsked(c.store, base, r, (text) => {
        const v = validate(text);
        return v.ok
          ? { ok: true, error: null, data: { value: v.value } }
          : { ok: false, error: { code: "invalid_reply", message: v.reason }, data: null };
      });
      s = c.store.step(stage, k)!;
    }
    if (s.status === "ok") return (s.data as { value: T }).value;
    if (s.status === "invalid" && s.reply !== null)
      previous.push(
        { role: "assistant", content: s.reply },
        {
          role: "user",
          content: `Your reply could not be used: ${s.error?.message}. Answer again in the requested format.`,
        },
      );
  }
  return undefined;
}

export function parseYesNo(text: string): { ok: true; value: boolean } | { ok: false; reason: string } {
  const w = text
    .trim()
    .toLowerCase()
    .match(/^[^a-z]*([a-z]+)/)?.[1];
  if (w === "yes") return { ok: true, value: true };
  if (w === "no") return { ok: true, value: false };
  return { ok: false, reason: "neither yes nor no" };
}

export interface VrItemData {
  kind: "videorefer";
  clip: string;
  video: string;
  videoName: string;
  caption: string;
  object: string;
  appearance: string;
  motion: string;
  box: Box;
  masklet: Masklet;
  reviewer: boolean | null;
  detailed?: string;
  short?: string;
  qa?: { question: string; options: string[]; answer: string; type: string }[];
  /** Synthetic truth (only with --synth): the object the noun names, the object the mask covers, mask IoU. */
  truth?: { named: string | null; masked: string | null; iou: number | null; correct: boolean };
}

/** Intersection over union of two masks (1 when both are empty). */
export function maskIou(a: Rle | null, b: Rle | null): number {
  const ma = a ? decodeMask(a) : null;
  const mb = b ? decodeMask(b) : null;
  let i = 0;
  let u = 0;
  const n = ma?.length ?? mb?.length ?? 0;
  for (let p = 0; p < n; p++) {
    const x = ma ? ma[p] : 0;
    const y = mb ? mb[p] : 0;
    if (x && y) i++;
    if (x || y) u++;
  }
  return u === 0 ? 1 : i / u;
}

/** The synthetic object a noun phrase names (shirt colour for figures, kind for items), or null. */
export function nameToSynthObject(synthDir: string, clip: string, noun: string): string | null {
  const t = JSON.parse(readFileSync(join(synthDir, "timeline", `${clip}.json`), "utf8"));
  const w = new Set(noun.toLowerCase().match(/[a-z]+/g) ?? []);
  const hits: string[] = [];
  for (const a of t.actors ?? [])
    if (
      w.has(String(a.shirt)) &&
      ["figure", "person", "man", "woman", "shirt", "actor", "character"].some((x) => w.has(x))
    )
      hits.push(a.id);
  for (const it of t.items ?? [])
    if (
      w.has(String(it.kind)) &&
      (!it.color ||
        w.has(String(it.color)) ||
        ![...w].some((x) =>
          ["red", "blue", "green", "yellow", "orange", "purple", "white", "black", "pink"].includes(x),
        ))
    )
      hits.push(it.id);
  return hits.length === 1 ? hits[0] : null;
}

function truthOf(synthDir: string, clip: string, noun: string, masklet: Masklet): VrItemData["truth"] {
  const objs = readSynthMasks(synthDir, clip);
  const named = nameToSynthObject(synthDir, clip, noun);
  const keys = Object.keys(masklet);
  const meanIou = (id: string) => {
    const o = objs.find((x) => x.id === id);
    if (!o || keys.length === 0) return 0;
    return keys.reduce((s, k) => s + maskIou(masklet[k], o.frames[Number(k)] ?? null), 0) / keys.length;
  };
  let masked: string | null = null;
  let best = 0.5;
  for (const o of objs) {
    const v = meanIou(o.id);
    if (v >= best) {
      best = v;
      masked = o.id;
    }
  }
  const iou = named ? meanIou(named) : null;
  return { named, masked, iou, correct: named !== null && masked === named };
}

/** The agents and the segmentor of one engine run, with the step context they share. */
interface VrCtx extends StepCtx {
  annotator: ModelAdapter;
  reviewer: ModelAdapter;
  refiner: ModelAdapter;
  segmentor: Segmentor;
  synth?: string;
}

type ClipFrames = Awaited<ReturnType<typeof loadFrames>>;

/** A clip's frames for the VLMs and the segmentor; a decode failure is a stored failed segment step (null). */
async function clipFrames(store: EngineStore, inp: ClipInput, count: number): Promise<ClipFrames | null> {
  try {
    // Evenly spaced frames starting at frame 0: the Annotator's box is on the first frame it sees.
    const total = (await probe(inp.video)).frames;
    const n = Math.max(1, Math.min(count, total));
    const idxs = [
      ...new Set(
        Array.from({ length: n }, (_, i) => (n === 1 ? 0 : Math.round((i * (total - 1)) / (n - 1)))),
      ),
    ];
    return await loadFrames({ path: inp.video }, `indices:${idxs.join(",")}`, {
      images: "jpeg",
      fit: "stretch",
    });
  } catch (e) {
    store.putStep({
      stage: "segment",
      key: inp.clip,
      status: "failed",
      model: null,
      request: null,
      reply: null,
      usage: null,
      error: errorRecord(e),
      data: null,
      attempts: 0,
    });
    return null;
  }
}

/** The Segmentor's step for one object: a stored step too (a service call can be slow or fail). */
async function segmentStep(v: VrCtx, id: string, clip: string, fr: ClipFrames, box: Box): Promise<StepRow> {
  const { width, height } = fr.meta;
  let seg = v.store.step("segment", id);
  if (seg && seg.status !== "failed") v.counts.reused++;
  else {
    try {
      const sampled = fr.indices;
      const frames = v.segmentor.needsFrames ? await encodeImages(fr.rgb, "png") : undefined;
      const r = await v.segmentor.segment(
        { clip, indices: sampled, frames, width, height, box },
        AbortSignal.timeout(v.askOpts.timeoutMs),
      );
      v.store.putStep({
        stage: "segment",
        key: id,
        status: "ok",
        model: v.segmentor.spec,
        request: { box, indices: sampled },
        reply: null,
        usage: null,
        error: null,
        data: { masklet: r.masklet, calls: r.calls },
        attempts: 1,
      });
    } catch (e) {
      v.store.putStep({
        stage: "segment",
        key: id,
        status: "failed",
        model: v.segmentor.spec,
        request: { box },
        reply: null,
        usage: null,
        error: errorRecord(e),
        data: null,
        attempts: 1,
      });
    }
    v.counts.asked++;
    seg = v.store.step("segment", id)!;
  }
  return seg;
}

/** One object of a clip through Annotator → Segmentor → Reviewer → Refiner; stored as a kept or dropped item. */
async function objectItem(
  v: VrCtx,
  inp: ClipInput,
  noun: string,
  fr: ClipFrames,
  images: ModelImage[],
  idx: number,
): Promise<void> {
  const { store, annotator, reviewer, refiner } = v;
  const { width, height } = fr.meta;
  const id = `${inp.clip}|${noun}`;
  const ann = await validatedStep(
    v,
    "annotate",
    id,
    annotator,
    [{ role: "user", content: PROMPTS.annotator.replace("{OBJECT}", noun) }],
    images,
    (t) => check(AnnotatorReply, t),
  );
  const base = { id, idx, source: inp.clip, filter: null };
  if (!ann) {
    store.putItem({
      ...base,
      state: "dropped",
      dropReason: "annotator: no usable reply",
      data: { kind: "videorefer", clip: inp.clip, object: noun },
    });
    return;
  }
  const box: Box = [ann.box[0] * width, ann.box[1] * height, ann.box[2] * width, ann.box[3] * height];
  const seg = await segmentStep(v, id, inp.clip, fr, box);
  const dataBase: VrItemData = {
    kind: "videorefer",
    clip: inp.clip,
    video: inp.video,
    videoName: inp.videoName,
    caption: inp.caption,
    object: noun,
    appearance: ann.appearance,
    motion: ann.motion,
    box,
    masklet: {},
    reviewer: null,
  };
  if (seg.status !== "ok") {
    store.putItem({
      ...base,
      state: "dropped",
      dropReason: `segmentor: ${seg.error?.code ?? "failed"}`,
      data: dataBase,
    });
    return;
  }
  const masklet = (seg.data as { masklet: Masklet }).masklet;
  dataBase.masklet = masklet;
  if (v.synth) dataBase.truth = truthOf(v.synth, inp.clip, noun, masklet);
  const boxes = Object.entries(masklet)
    .map(([k, m]) => {
      if (!m) return `frame ${k}: absent`;
      const [x, y, w, h] = bbox(m);
      return `frame ${k}: ${x} ${y} ${x + w} ${y + h}`;
    })
    .join("\n");
  const verdict = await validatedStep(
    v,
    "review",
    id,
    reviewer,
    [
      {
        role: "user",
        content: PROMPTS.reviewer
          .replace("{BOXES}", boxes)
          .replace("{DESCRIPTION}", `${noun}. ${ann.appearance} ${ann.motion}`),
      },
    ],
    images,
    parseYesNo,
  );
  dataBase.reviewer = verdict ?? null;
  if (verdict !== true) {
    store.putItem({
      ...base,
      state: "dropped",
      dropReason: verdict === false ? "reviewer: description and mask differ" : "reviewer: no usable reply",
      data: dataBase,
    });
    return;
  }
  const ref = await validatedStep(
    v,
    "refine",
    id,
    refiner,
    [
      {
        role: "user",
        content: PROMPTS.refiner.replace("{APPEARANCE}", ann.appearance).replace("{MOTION}", ann.motion),
      },
    ],
    [],
    (t) => check(RefinerReply, t),
  );
  if (!ref) {
    store.putItem({
      ...base,
      state: "dropped",
      dropReason: "refiner: no usable reply",
      data: dataBase,
    });
    return;
  }
  store.putItem({ ...base, state: "kept", dropReason: null, data: { ...dataBase, ...ref } });
}

export async function runVideorefer(o: VideoreferOptions): Promise<{ asked: number; reused: number }> {
  const inputs = loadInputs(o);
  const mk = (s: string) => createAdapter(s, o.adapterOptions ?? {});
  const [analyzer, annotator, reviewer, refiner] = await Promise.all([
    mk(o.analyzer),
    mk(o.annotator),
    mk(o.reviewer),
    mk(o.refiner),
  ]);
  const segmentor = createSegmentor(o.segmentor, { synthDir: o.synth });
  const store = openEngineStore(o.out);
  const counts = { asked: 0, reused: 0 };
  try {
    const config = {
      kind: "videorefer",
      promptsSha256: PROMPTS_SHA256,
      models: Object.fromEntries(
        [analyzer, annotator, reviewer, refiner].map((a, i) => [
          ["analyzer", "annotator", "reviewer", "refiner"][i],
          { spec: a.spec, ...a.describe() },
        ]),
      ),
      segmentor: segmentor.describe(),
      frames: o.frames ?? 4,
      maxAsks: o.maxAsks ?? 2,
      synth: o.synth ? resolve(o.synth) : null,
      inputs: inputs.map((i) => [i.clip, createHash("sha256").update(i.caption).digest("hex").slice(0, 12)]),
    };
    const prev = store.getMeta("config");
    if (prev && prev !== JSON.stringify(config))
      throw new KinemaError("bad_spec", `${store.path} was made with other settings; use a new --out`, {
        file: store.path,
      });
    store.setMeta("kind", "videorefer");
    store.setMeta("config", JSON.stringify(config));
    const c: StepCtx = {
      store,
      askOpts: { timeoutMs: o.timeoutMs ?? 120_000, retry: o.retry ?? DEFAULT_RETRY },
      maxAsks: o.maxAsks ?? 2,
      counts,
    };
    const v: VrCtx = { ...c, annotator, reviewer, refiner, segmentor, synth: o.synth };
    let idx = 0;
    for (const inp of inputs) {
      const nouns = await validatedStep(
        c,
        "analyze",
        inp.clip,
        analyzer,
        [{ role: "user", content: PROMPTS.analyzer + inp.caption }],
        [],
        (t) => check(AnalyzerReply, t),
      );
      if (!nouns) continue;
      const fr = await clipFrames(store, inp, o.frames ?? 4);
      if (!fr) continue;
      const images: ModelImage[] = (fr.images ?? []).map((data) => ({ data, mime: "image/jpeg" }));
      for (const noun of [...new Set(nouns)]) await objectItem(v, inp, noun, fr, images, idx++);
    }
    store.setMeta("status", "done");
    return counts;
  } finally {
    store.close();
  }
}

export interface VideoreferReport {
  stages: Record<string, { requests: number; ok: number; invalid: number; failed: number }>;
  items: { objects: number; kept: number; dropped: number };
  reasons: { steps: Record<string, number>; dropped: Record<string, number> };
  tokens: Record<string, Record<string, number>>;
  /** Only with --synth: the Reviewer against the truth (positive = description and mask name the same object). */
  reviewer: {
    n: number;
    tp: number;
    fp: number;
    fn: number;
    tn: number;
    precision: number | null;
    recall: number | null;
  } | null;
  /** Only with --synth: mean mask IoU of each object against the true masks of the object its noun names. */
  iou: { object: string; clip: string; named: string | null; iou: number | null }[] | null;
}

export function videoreferReport(store: EngineStore): VideoreferReport {
  const stages: VideoreferReport["stages"] = {};
  const tokens: VideoreferReport["tokens"] = {};
  const reasons: VideoreferReport["reasons"] = { steps: {}, dropped: {} };
  for (const st of ["analyze", "annotate", "segment", "review", "refine"]) {
    const steps = store.steps(st);
    stages[st] = { requests: steps.length, ok: 0, invalid: 0, failed: 0 };
    tokens[st] = {};
    for (const s of steps) {
      stages[st][s.status]++;
      for (const k of ["promptTokens", "completionTokens", "totalTokens"])
        if (typeof s.usage?.[k] === "number") tokens[st][k] = (tokens[st][k] ?? 0) + s.usage[k];
      if (s.status !== "ok") {
        const r = `${st} ${s.status}: ${String(s.error?.code === "invalid_reply" ? s.error.message : s.error?.code).replace(/ \(.*$/, "")}`;
        reasons.steps[r] = (reasons.steps[r] ?? 0) + 1;
      }
    }
  }
  const items = store.items().filter((i) => i.data.kind === "videorefer");
  for (const i of items)
    if (i.state === "dropped")
      reasons.dropped[i.dropReason ?? "?"] = (reasons.dropped[i.dropReason ?? "?"] ?? 0) + 1;
  const withTruth = items.filter((i) => i.data.truth);
  let reviewer: VideoreferReport["reviewer"] = null;
  let iou: VideoreferReport["iou"] = null;
  if (withTruth.length > 0) {
    const judged = withTruth.filter((i) => typeof i.data.reviewer === "boolean");
    const tp = judged.filter((i) => i.data.reviewer && i.data.truth.correct).length;
    const fp = judged.filter((i) => i.data.reviewer && !i.data.truth.correct).length;
    const fn = judged.filter((i) => !i.data.reviewer && i.data.truth.correct).length;
    const tn = judged.length - tp - fp - fn;
    reviewer = {
      n: judged.length,
      tp,
      fp,
      fn,
      tn,
      precision: tp + fp ? tp / (tp + fp) : null,
      recall: tp + fn ? tp / (tp + fn) : null,
    };
    iou = withTruth.map((i) => ({
      object: i.data.object,
      clip: i.data.clip,
      named: i.data.truth.named,
      iou: i.data.truth.iou,
    }));
  }
  return {
    stages,
    items: {
      objects: items.length,
      kept: items.filter((i) => i.state === "kept").length,
      dropped: items.filter((i) => i.state === "dropped").length,
    },
    reasons,
    tokens,
    reviewer,
    iou,
  };
}
