// `kinema engine motionbench-qa`: MotionBench's QA construction (paper §9) as a resumable pipeline:
// dense motion captions → generate (the §9.2 prompt, verbatim) → validate / re-ask → first-frame filter
// (drop a question every filter model answers right from the first frame alone) → review queue.
// Every model call is a stored step (src/store/engine.ts); a rerun never asks a stored step again.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { motionbenchPrompt, parseMotionBench } from "../benchmarks/motionbench/index.ts";
import { letterOf } from "../benchmarks/parse.ts";
import type { Sample } from "../benchmarks/types.ts";
import { type AdapterOptions, createAdapter } from "../models/index.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "../models/retry.ts";
import type { ChatMessage, ModelAdapter, ModelRequest } from "../models/types.ts";
import { type EngineStore, openEngineStore } from "../store/engine.ts";
import { errorRecord, KinemaError } from "../util/errors.ts";
import { encodeImages, loadFrames } from "../video/index.ts";
import { type AskOptions, ask, putAsked } from "./ask.ts";
import { type Mcq, validateReply } from "./mcq.ts";
import { MOTIONBENCH_QA_PROMPT, MOTIONBENCH_QA_PROMPT_SHA256 } from "./prompt.ts";

export interface MotionbenchQaOptions {
  captions: string;
  videos: string;
  model: string;
  filterModels?: string[];
  out: string;
  /** Generation requests per caption, re-asks included (default 3). */
  maxAsks?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  temperature?: number;
  maxTokens?: number;
  adapterOptions?: AdapterOptions;
  /** Called after each stored step (progress; tests). */
  onStep?: (stage: string, key: string) => void;
}

export interface CaptionRecord {
  id: string;
  line: number;
  videoPath: string;
  video: string;
  caption: string;
}

export interface BadLine {
  file: string;
  line: number;
  field: string;
  message: string;
}

const CaptionLine = z.object({ video_path: z.string().min(1), motion_caption: z.string().min(1) });

/** Reads MotionBenchCaption-train JSONL ({video_path, motion_caption}); bad lines are returned, not thrown. */
export function loadCaptions(file: string, videos: string): { captions: CaptionRecord[]; bad: BadLine[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new KinemaError("not_found", `cannot read captions ${file}: ${(e as Error).message}`, { file });
  }
  const captions: CaptionRecord[] = [];
  const bad: BadLine[] = [];
  const seen = new Set<string>();
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      bad.push({ file, line, field: "", message: `not JSON: ${(e as Error).message}` });
      return;
    }
    const p = CaptionLine.safeParse(v);
    if (!p.success) {
      const iss = p.error.issues[0];
      bad.push({ file, line, field: iss.path.join(".") || "", message: iss.message });
      return;
    }
    const video = resolve(videos, p.data.video_path);
    if (!existsSync(video)) {
      bad.push({ file, line, field: "video_path", message: `no video ${video}` });
      return;
    }
    const id = `c${createHash("sha256").update(`${p.data.video_path}\n${p.data.motion_caption}`).digest("hex").slice(0, 10)}`;
    if (seen.has(id)) {
      bad.push({ file, line, field: "", message: "duplicate of an earlier line" });
      return;
    }
    seen.add(id);
    captions.push({ id, line, videoPath: p.data.video_path, video, caption: p.data.motion_caption });
  });
  return { captions, bad };
}

/** The generation conversation: the verbatim prompt as system message, the caption as user message. */
export function generationMessages(
  caption: string,
  previous: { reply: string; reason: string }[] = [],
): ChatMessage[] {
  const msgs: ChatMessage[] = [
    { role: "system", content: MOTIONBENCH_QA_PROMPT },
    { role: "user", content: caption },
  ];
  for (const p of previous) {
    msgs.push({ role: "assistant", content: p.reply });
    msgs.push({ role: "user", content: `${REASK_PREFIX}${p.reason}. Return only the JSON list.` });
  }
  return msgs;
}
/** kinema's re-ask message (not from the paper), followed by the validation reason. */
export const REASK_PREFIX = "Your reply could not be used: ";

export interface QaItemData {
  kind: "motionbench-qa";
  captionId: string;
  videoPath: string;
  video: string;
  caption: string;
  question: string;
  options: string[];
  answer: number;
  category: string;
  categorySource: string;
}

export interface FilterAnswer {
  model: string;
  status: "ok" | "failed";
  answer?: string;
  correct?: boolean;
  error?: string;
}

function sampleOf(d: QaItemData, id: string): Sample {
  return {
    id,
    videoId: d.captionId,
    video: { path: d.video },
    category: d.category,
    question: d.question,
    options: d.options,
    answer: letterOf(d.answer),
  };
}

function configOf(o: MotionbenchQaOptions, gen: ModelAdapter, filters: ModelAdapter[], captionsSha: string) {
  return {
    kind: "motionbench-qa",
    promptSha256: MOTIONBENCH_QA_PROMPT_SHA256,
    model: { spec: gen.spec, ...gen.describe() },
    filterModels: filters.map((f) => ({ spec: f.spec, ...f.describe() })),
    maxAsks: o.maxAsks ?? 3,
    params: { temperature: o.temperature ?? null, maxTokens: o.maxTokens ?? null },
    captions: resolve(o.captions),
    captionsSha256: captionsSha,
    videos: resolve(o.videos),
    filterPrompt: "motionbench kinema preset, first frame (indices:0), lenient parse",
  };
}

export interface StageCounts {
  captions: number;
  badLines: BadLine[];
  asked: number;
  reused: number;
}

interface QaCtx {
  o: MotionbenchQaOptions;
  store: EngineStore;
  counts: StageCounts;
  askOpts: AskOptions;
}

/** Stage 1: generate questions per caption, re-asking with the reason up to maxAsks times; items in caption order. */
async function generateStage(x: QaCtx, gen: ModelAdapter, captions: CaptionRecord[]): Promise<void> {
  const { o, store, counts, askOpts } = x;
  const params = { temperature: o.temperature, maxTokens: o.maxTokens };
  let idx = 0;
  for (const c of captions) {
    let questions: Mcq[] | undefined;
    const previous: { reply: string; reason: string }[] = [];
    for (let n = 1; n <= (o.maxAsks ?? 3) && !questions; n++) {
      const key = `${c.id}#${n}`;
      let s = store.step("generate", key);
      if (s && s.status !== "failed") counts.reused++;
      else {
        const messages = generationMessages(c.caption, previous);
        const r = await ask(gen, { messages, images: [], params }, askOpts);
        counts.asked++;
        const base = { stage: "generate", key, model: gen.spec, request: { messages, params } };
        putAsked(store, base, r, (text) => {
          const v = validateReply(text);
          return {
            ok: !v.error,
            error: v.error ? { code: "invalid_reply", message: v.error } : null,
            data: {
              questions: v.questions,
              rejected: v.rejected,
              fenced: v.fenced,
              servedModel: r.ok ? (r.response.servedModel ?? null) : null,
            },
          };
        });
        o.onStep?.("generate", key);
        s = store.step("generate", key)!;
      }
      if (s.status === "ok") questions = (s.data as { questions: Mcq[] }).questions;
      else if (s.status === "invalid" && s.reply !== null)
        previous.push({ reply: s.reply, reason: String(s.error?.message) });
    }
    for (const [i, q] of (questions ?? []).entries()) {
      const id = `${c.id}-q${i + 1}`;
      if (!store.item(id))
        store.putItem({
          id,
          idx: idx,
          source: c.id,
          state: "generated",
          dropReason: null,
          filter: null,
          data: {
            kind: "motionbench-qa",
            captionId: c.id,
            videoPath: c.videoPath,
            video: c.video,
            caption: c.caption,
            ...q,
          } satisfies QaItemData,
        });
      idx++;
    }
  }
}

/** Stage 2: the first-frame filter; an item every filter model answers right from frame 0 is dropped. */
async function filterStage(x: QaCtx, filters: ModelAdapter[]): Promise<void> {
  const { o, store, counts, askOpts } = x;
  const frameCache = new Map<string, Awaited<ReturnType<typeof loadFrames>> | { error: string }>();
  for (const it of store.items()) {
    if (it.data.kind !== "motionbench-qa" || it.state !== "generated") continue;
    const d = it.data as QaItemData;
    const sample = sampleOf(d, it.id);
    const answers: FilterAnswer[] = [];
    for (const f of filters) {
      const key = `${it.id}|${f.spec}`;
      let s = store.step("filter", key);
      if (s && s.status !== "failed") counts.reused++;
      else {
        const prompt = motionbenchPrompt(sample, "kinema").text;
        let fr = frameCache.get(d.video);
        if (!fr) {
          fr = await loadFrames({ path: d.video }, "indices:0", {
            size: f.defaults?.size ?? 336,
            fit: "stretch",
            images: "jpeg",
          }).catch((e) => ({ error: errorRecord(e).message }));
          frameCache.set(d.video, fr);
        }
        const req: ModelRequest = {
          messages: [{ role: "user", content: prompt }],
          images: [],
          question: { text: d.question, options: d.options, category: d.category },
          params: { temperature: 0, maxTokens: 16 },
          sampleId: it.id,
        };
        const base = { stage: "filter", key, model: f.spec, request: { prompt, frames: [0] } };
        if ("error" in fr) {
          store.putStep({
            ...base,
            status: "failed",
            reply: null,
            usage: null,
            error: { code: "decode_failed", message: fr.error },
            data: null,
            attempts: 0,
          });
        } else {
          if (f.needs.images)
            req.images = (fr.images ?? (await encodeImages(fr.rgb, "jpeg"))).map((data) => ({
              data,
              mime: "image/jpeg" as const,
            }));
          if (f.needs.rgb) req.rgb = fr.rgb;
          const r = await ask(f, req, askOpts);
          counts.asked++;
          putAsked(store, base, r, (text) => {
            const p = parseMotionBench(text, sample, "lenient");
            return {
              ok: p.ok,
              error: p.ok
                ? null
                : { code: "unparsed", message: `no option letter in "${text.slice(0, 60)}"` },
              data: { answer: p.answer, correct: p.ok && p.answer === sample.answer },
            };
          });
        }
        o.onStep?.("filter", key);
        s = store.step("filter", key)!;
      }
      const sd = s.data as { answer?: string; correct?: boolean } | null;
      answers.push(
        s.status === "failed"
          ? { model: f.spec, status: "failed", error: String(s.error?.message ?? "") }
          : { model: f.spec, status: "ok", answer: sd?.answer ?? "", correct: sd?.correct === true },
      );
    }
    const allRight = filters.length > 0 && answers.every((a) => a.status === "ok" && a.correct);
    store.putItem({
      ...it,
      state: allRight ? "dropped" : "kept",
      dropReason: allRight ? `first-frame: all ${filters.length} filter models answered right` : null,
      filter: answers,
    });
  }
}

/** Runs (or resumes) every stage; returns what this invocation asked and reused. */
export async function runMotionbenchQa(o: MotionbenchQaOptions): Promise<StageCounts> {
  const { captions, bad } = loadCaptions(o.captions, o.videos);
  const captionsSha = createHash("sha256").update(readFileSync(o.captions)).digest("hex");
  const gen = await createAdapter(o.model, o.adapterOptions ?? {});
  const filters = await Promise.all(
    (o.filterModels ?? []).map((s) => createAdapter(s, o.adapterOptions ?? {})),
  );
  const store = openEngineStore(o.out);
  const counts: StageCounts = { captions: captions.length, badLines: bad, asked: 0, reused: 0 };
  try {
    const config = configOf(o, gen, filters, captionsSha);
    const prev = store.getMeta("config");
    if (prev && prev !== JSON.stringify(config))
      throw new KinemaError(
        "bad_spec",
        `${store.path} was made with other settings (model, filter models, prompt, captions or max asks); use a new --out`,
        { file: store.path },
      );
    store.setMeta("kind", "motionbench-qa");
    store.setMeta("config", JSON.stringify(config));
    store.setMeta("badLines", JSON.stringify(bad));
    store.setMeta("captions", String(captions.length));
    const x: QaCtx = {
      o,
      store,
      counts,
      askOpts: { timeoutMs: o.timeoutMs ?? 120_000, retry: o.retry ?? DEFAULT_RETRY },
    };
    await generateStage(x, gen, captions);
    await filterStage(x, filters);
    store.setMeta("status", "done");
    return counts;
  } finally {
    store.close();
  }
}

/** Opens an existing engine run (error when RUN has none). */
export function openRun(dir: string): EngineStore {
  if (!existsSync(join(resolve(dir), "engine.db")))
    throw new KinemaError("not_found", `no engine run at ${dir} (expected ${join(dir, "engine.db")})`, {
      file: dir,
    });
  return openEngineStore(dir, { create: false });
}
