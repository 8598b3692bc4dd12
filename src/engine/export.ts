// `kinema engine export`: accepted MotionBench questions → DIR/video_info.meta.jsonl in MotionBench's schema
// (options as "\nA. ..." lines in the question, answer letter, question_type, uid, video_path, video_info),
// with the videos linked under DIR/videos/ so `kinema eval --bench motionbench:DIR` runs on it.
import { copyFileSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { letterOf } from "../benchmarks/parse.ts";
import type { EngineStore } from "../store/engine.ts";
import { KinemaError } from "../util/errors.ts";
import { probe } from "../video/index.ts";
import { acceptedItems } from "./review.ts";

export interface ExportResult {
  out: string;
  file: string;
  questions: number;
  videos: number;
  uids: string[];
}

function placeVideo(src: string, dst: string): void {
  try {
    linkSync(src, dst);
  } catch (e) {
    if ((e as { code?: string }).code === "EEXIST") return;
    try {
      symlinkSync(src, dst);
    } catch {
      copyFileSync(src, dst);
    }
  }
}

export async function exportMotionbench(store: EngineStore, out: string): Promise<ExportResult> {
  if (store.getMeta("kind") !== "motionbench-qa")
    throw new KinemaError("bad_input", `${store.path} is not a motionbench-qa run`, { file: store.path });
  const acc = acceptedItems(store);
  mkdirSync(join(out, "videos"), { recursive: true });
  const lines: string[] = [];
  const infos = new Map<string, Record<string, unknown>>();
  const names = new Map<string, string>();
  for (const e of acc) {
    const d = e.effective;
    const name = names.get(d.video) ?? `${d.captionId}${d.video.match(/\.[A-Za-z0-9]+$/)?.[0] ?? ".mp4"}`;
    if (!names.has(d.video)) {
      names.set(d.video, name);
      placeVideo(d.video, join(out, "videos", name));
      const m = await probe(d.video);
      infos.set(d.video, {
        duration: m.duration,
        fps: m.fpsValue,
        resolution: { width: m.width, height: m.height },
      });
    }
    const question = [d.question, ...d.options.map((o: string, i: number) => `${letterOf(i)}. ${o}`)].join(
      "\n",
    );
    lines.push(
      JSON.stringify({
        question_type: d.category,
        video_type: null,
        key: d.captionId,
        qa: [{ uid: e.item.id, start: null, end: null, answer: letterOf(d.answer), question }],
        video_path: name,
        video_info: infos.get(d.video),
      }),
    );
  }
  const file = join(out, "video_info.meta.jsonl");
  writeFileSync(file, lines.length ? `${lines.join("\n")}\n` : "");
  return { out, file, questions: lines.length, videos: names.size, uids: acc.map((e) => e.item.id) };
}

/** Annotation of one object: {frame: {segmentation}} over its masklet (absent frames as null). */
function annotationOf(masklet: Record<string, unknown>): Record<string, { segmentation: unknown }> {
  const out: Record<string, { segmentation: unknown }> = {};
  for (const k of Object.keys(masklet).sort((a, b) => Number(a) - Number(b)))
    out[k] = { segmentation: masklet[k] ?? null };
  return out;
}

/**
 * Accepted VideoRefer objects → DIR/VideoRefer-700K.json (detailed, short and QA records in the
 * {video, conversations, annotation} format), DIR/VideoRefer-Bench-D.json, DIR/VideoRefer-Bench-Q.json, DIR/videos/.
 */
export function exportVideorefer(
  store: EngineStore,
  out: string,
): { out: string; records: number; benchD: number; benchQ: number; uids: string[] } {
  const acc = acceptedItems(store);
  mkdirSync(join(out, "videos"), { recursive: true });
  const records: unknown[] = [];
  const benchD: unknown[] = [];
  const benchQ: unknown[] = [];
  const placed = new Set<string>();
  for (const e of acc) {
    const d = e.effective;
    if (!placed.has(d.video)) {
      placeVideo(d.video, join(out, "videos", d.videoName));
      placed.add(d.video);
    }
    const annotation = [annotationOf(d.masklet)];
    const frameIdx =
      Object.keys(d.masklet)
        .sort((a, b) => Number(a) - Number(b))
        .find((k) => d.masklet[k]) ?? "0";
    const human = (v: string) => ({ from: "human", value: `<video>\n${v}` });
    records.push({
      video: d.videoName,
      conversations: [
        human("Please give a detailed description of the <region> in the video."),
        { from: "gpt", value: d.detailed },
      ],
      annotation,
    });
    records.push({
      video: d.videoName,
      conversations: [
        human("Please give a short description of the <region> in the video."),
        { from: "gpt", value: d.short },
      ],
      annotation,
    });
    benchD.push({
      id: benchD.length,
      video: d.videoName,
      caption: d.detailed,
      frame_idx: frameIdx,
      annotation,
    });
    for (const q of d.qa ?? []) {
      const options = q.options.map((o: string, i: number) => `(${letterOf(i)}) ${o}`);
      const question = q.question.includes("<region>")
        ? q.question.replace("<region>", "<object0><region>")
        : `${q.question} (<object0><region>)`;
      records.push({
        video: d.videoName,
        conversations: [
          human(`${question} ${options.join(" ")}`),
          { from: "gpt", value: options[q.answer.charCodeAt(0) - 65] },
        ],
        annotation,
      });
      benchQ.push({
        id: benchQ.length,
        video: d.videoName,
        Question: question,
        type: q.type,
        options,
        Answer: options[q.answer.charCodeAt(0) - 65],
        frame_idx: frameIdx,
        annotation,
      });
    }
  }
  writeFileSync(join(out, "VideoRefer-700K.json"), JSON.stringify(records));
  writeFileSync(join(out, "VideoRefer-Bench-D.json"), JSON.stringify(benchD));
  writeFileSync(join(out, "VideoRefer-Bench-Q.json"), JSON.stringify(benchQ));
  return {
    out,
    records: records.length,
    benchD: benchD.length,
    benchQ: benchQ.length,
    uids: acc.map((e) => e.item.id),
  };
}
