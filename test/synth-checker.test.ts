// An independent oracle: re-derives every synthetic question's answer from the exported timeline JSON
// (tracks, held-by flags, camera track, action spans), parsing only the exported question text. It shares
// no code with the generator's question builder; phrase tables below are written out by hand.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { decodeMask, type Rle } from "../src/masks/rle.ts";
import { generateDataset, planDataset } from "../src/synth/index.ts";
import { buildTimeline, type Timeline } from "../src/synth/timeline.ts";

const root = mkdtempSync(join(tmpdir(), "kinema-synth-oracle-"));
after(() => rmSync(root, { recursive: true, force: true }));

const DOES: Record<string, string> = {
  "waves a hand": "wave",
  jumps: "jump",
  nods: "nod",
  claps: "clap",
  squats: "squat",
  "kicks a leg out": "kick",
  "raises an arm": "raise_arm",
  "turns around": "turn_around",
  bows: "bow",
  "shakes its head": "shake_head",
  "walks to the left": "walk_left",
  "walks to the right": "walk_right",
  "sits down": "sit_down",
  "stands up": "stand_up",
};
const COUNT_VERB: Record<string, string> = {
  "wave its hand": "wave",
  jump: "jump",
  "nod its head": "nod",
  clap: "clap",
  squat: "squat",
  "kick its leg out": "kick",
  "raise its left arm": "raise_arm",
  "turn around": "turn_around",
  bow: "bow",
  "shake its head": "shake_head",
};
/** What happened to an item, in the oracle's own words. */
type Fate = "kept" | "returned" | "thrown" | "pushed" | "kicked" | "untouched";
const FATE_OF_DOES: Record<string, Fate> = {
  "picks it up and keeps holding it": "kept",
  "lifts it and sets it back down": "returned",
  "throws it": "thrown",
  "pushes it along the ground": "pushed",
  "kicks it away": "kicked",
};
function fate(tl: Timeline, itemId: string): Fate {
  const it = tl.items.find((i) => i.id === itemId)!;
  const first = it.track[0];
  const last = it.track.at(-1)!;
  const moved = Math.hypot(last[0] - first[0], last[1] - first[1]);
  const held = it.heldBy.some((h) => h !== null);
  if (it.heldBy.at(-1)) return "kept";
  if (held) return moved < 0.05 ? "returned" : "thrown";
  if (moved < 0.2) return "untouched";
  const peak = Math.max(...it.track.map((p) => p[1]));
  return peak - first[1] > 0.03 ? "kicked" : "pushed";
}

const byShirt = (tl: Timeline, shirt: string) => tl.actors.find((a) => a.shirt === shirt)!;
const byName = (tl: Timeline, color: string, kind: string) =>
  tl.items.find((i) => i.color === color && i.kind === kind)!;
const ordered = (tl: Timeline, actorId: string) =>
  [...tl.actors.find((a) => a.id === actorId)!.actions]
    .sort((x, y) => x.start - y.start)
    .map((a) => a.action);

/** World-v2 option texts, written out by hand: which directed move each names. */
const DIRECTED: Record<string, string> = {
  "raises the arm on the left first": "arms_lr",
  "raises the arm on the right first": "arms_rl",
  "kicks out the leg on the left first": "kicks_lr",
  "kicks out the leg on the right first": "kicks_rl",
  "circles a hand clockwise": "circle_cw",
  "circles a hand counterclockwise": "circle_ccw",
};
/** Action Order texts name a move without its direction. */
const MOVE_KIND: Record<string, string> = {
  "raises each arm in turn": "arms",
  "kicks each leg out in turn": "kicks",
  "circles a hand": "circle",
  "walks to and fro": "walk",
};
const kindOf = (action: string) => action.replace(/_(lr|rl|cw|ccw)$/, "");
const SWING: Record<string, string> = {
  "pans left, then right": "-x",
  "pans right, then left": "+x",
  "tilts up, then down": "+y",
  "tilts down, then up": "-y",
  "zooms in, then out": "+z",
  "zooms out, then in": "-z",
  "rolls clockwise, then counterclockwise": "-r",
  "rolls counterclockwise, then clockwise": "+r",
};

/** Which way a track first leaves its start (x only): "to the left" or "to the right". */
function firstWay(track: [number, number][]): string {
  const x0 = track[0][0];
  const p = track.find((q) => Math.abs(q[0] - x0) > 0.1)!;
  return p[0] < x0 ? "to the left" : "to the right";
}

/** The camera's swings from its per-frame track: per frame the axis that has left the start framing most,
 * runs of one axis merged, each run's direction the sign of its first clear departure. */
function cameraSwings(tl: Timeline): string[] {
  const tr = tl.camera.track;
  const s = tr[0];
  const out: string[] = [];
  let axis = "";
  for (const c of tr) {
    const d = [
      ["x", (c.cx - s.cx) / 0.3],
      ["y", (c.cy - s.cy) / 0.22],
      ["z", Math.log(c.zoom / s.zoom) / Math.log(1.18)],
      ["r", (c.angle - s.angle) / ((7 * Math.PI) / 180)],
    ] as [string, number][];
    const best = d.reduce((a, b) => (Math.abs(b[1]) > Math.abs(a[1]) ? b : a));
    if (Math.abs(best[1]) < 0.05) continue;
    if (best[0] !== axis) out.push(`${best[1] > 0 ? "+" : "-"}${best[0]}`);
    axis = best[0];
  }
  return out;
}

/** Truth of every option for a MotionBench question (world v2); throws on a question it cannot parse. */
export function motionBenchTruth(tl: Timeline, question: string, options: string[]): boolean[] {
  let m: RegExpMatchArray | null;
  if ((m = question.match(/^Which of these movements does the figure in the (\w+) shirt make\?$/))) {
    const done = new Set(byShirt(tl, m[1]).actions.map((a) => a.action));
    return options.map((o) => done.has(DIRECTED[o]));
  }
  if ((m = question.match(/^Which way does the figure in the (\w+) shirt walk first\?$/))) {
    const way = firstWay(byShirt(tl, m[1]).track);
    return options.map((o) => o === way);
  }
  if ((m = question.match(/^With nobody touching it, which way does the (\w+) (\w+) roll first\?$/))) {
    const way = firstWay(byName(tl, m[1], m[2]).track);
    return options.map((o) => o === way);
  }
  if (question === "How does the view change over the course of the clip?") {
    const truth = cameraSwings(tl).join(",");
    return options.map(
      (o) =>
        o
          .split("; after that, ")
          .map((p) => SWING[p])
          .join(",") === truth,
    );
  }
  if ((m = question.match(/^Which object does the figure in the (\w+) shirt lift (first|second)\?$/))) {
    const who = byShirt(tl, m[1]).id;
    const firstHeld = (id: string) => tl.items.find((i) => i.id === id)!.heldBy.indexOf(who);
    const lifted = tl.items
      .filter((i) => i.heldBy.includes(who))
      .sort((a, b) => firstHeld(a.id) - firstHeld(b.id));
    const want = lifted[m[2] === "first" ? 0 : 1];
    return options.map((o) => {
      const [, color, kind] = o.match(/^the (\w+) (\w+)$/)!;
      return byName(tl, color, kind) === want;
    });
  }
  if ((m = question.match(/^In what order does the figure in the (\w+) shirt move\?$/))) {
    const seq = ordered(tl, byShirt(tl, m[1]).id).map(kindOf).join(",");
    return options.map(
      (o) =>
        o
          .split(", then ")
          .map((p) => MOVE_KIND[p] ?? DOES[p])
          .join(",") === seq,
    );
  }
  if ((m = question.match(/^How many times does the figure in the (\w+) shirt (.+)\?$/))) {
    const act = byShirt(tl, m[1]).actions.find((a) => a.action === COUNT_VERB[m![2]])!;
    return options.map((o) => Number(o) === act.reps);
  }
  throw new Error(`oracle cannot parse: ${question}`);
}

/** Truth of every option for a VideoRefer question; `ids` are the objects its masks refer to. */
export function videoReferTruth(tl: Timeline, question: string, options: string[], ids: string[]): boolean[] {
  let m: RegExpMatchArray | null;
  if (question === "What kind of object is <object0><region>?") {
    const kind = tl.items.find((i) => i.id === ids[0])!.kind;
    return options.map((o) => o.replace(/^an? /, "") === kind);
  }
  if ((m = question.match(/^Which body movement does <object0><region> make next, after it (.+)\?$/))) {
    const seq = ordered(tl, ids[0]);
    const i = seq.indexOf(DOES[m[1]] as never);
    return options.map((o) => DOES[o] === seq[i + 1]);
  }
  if (question === "What does <object0><region> do with <object1><region>?") {
    const f = fate(tl, ids[1]);
    return options.map((o) => FATE_OF_DOES[o] === f);
  }
  if (question === "Why does <object0><region> leave its spot on the ground?") {
    const f = fate(tl, ids[0]);
    return options.map((o) => o.startsWith("someone ") && FATE_OF_DOES[o.slice(8)] === f);
  }
  if (question === "What will <object0><region> most likely be doing a moment after the clip ends?") {
    const tr = tl.items.find((i) => i.id === ids[0])!.track;
    const end = tr.slice(-6);
    const vx = end.at(-1)![0] - end[0][0];
    const ys = end.map((p) => p[1]);
    const doing =
      vx < -0.05
        ? "rolling along to the left"
        : vx > 0.05
          ? "rolling along to the right"
          : Math.max(...ys) - Math.min(...ys) > 0.05
            ? "bouncing on the crate"
            : "lying still on the crate";
    return options.map((o) => o === doing);
  }
  throw new Error(`oracle cannot parse: ${question}`);
}

function assertExactlyOne(truth: boolean[], letter: string, what: string): void {
  assert.equal(truth.filter(Boolean).length, 1, `exactly one true option: ${what} ${JSON.stringify(truth)}`);
  assert.equal(String.fromCharCode(65 + truth.indexOf(true)), letter, what);
}

test("oracle re-derives every exported MotionBench answer (files on disk, hidden answers included)", async () => {
  for (const preset of ["easy", "motionbench", "hard"] as const) {
    const out = join(root, preset);
    await generateDataset({ n: 24, seed: 31, preset, out, testFraction: 0.5 });
    const hidden = JSON.parse(readFileSync(join(out, "answers.json"), "utf8")) as Record<string, string>;
    const lines = readFileSync(join(out, "video_info.meta.jsonl"), "utf8").trimEnd().split("\n");
    for (const line of lines) {
      const rec = JSON.parse(line);
      const qa = rec.qa[0];
      const [stem, ...opts] = qa.question.split("\n");
      const options = opts.map((o: string) => o.slice(3));
      const tl = JSON.parse(readFileSync(join(out, "timeline", `${rec.key}.json`), "utf8")) as Timeline;
      const letter = qa.answer === "NA" ? hidden[qa.uid] : qa.answer;
      assertExactlyOne(
        motionBenchTruth(tl, stem, options),
        letter,
        `${preset} ${rec.question_type}: ${qa.question}`,
      );
    }
  }
});

test("oracle re-derives every VideoRefer answer; <objectN> resolved through the masks", async () => {
  const out = join(root, "vr");
  await generateDataset({ n: 20, seed: 77, kind: "videorefer", out });
  const bench = JSON.parse(readFileSync(join(out, "VideoRefer-Bench-Q.json"), "utf8"));
  for (const rec of bench) {
    const clip = rec.video.replace(/\.mp4$/, "");
    const tl = JSON.parse(readFileSync(join(out, "timeline", `${clip}.json`), "utf8")) as Timeline;
    const masks = JSON.parse(readFileSync(join(out, "masks", `${clip}.json`), "utf8"));
    // Which object does each annotation show? The one whose full-clip mask equals it on every annotated frame.
    const ids = rec.annotation.map((ann: Record<string, { segmentation: Rle | null }>) => {
      // a null segmentation is a frame where the object shows no pixel (an empty mask in masks/)
      const hits = masks.objects.filter((o: { frames: Rle[] }) =>
        Object.entries(ann).every(([f, v]) =>
          v.segmentation === null
            ? !decodeMask(o.frames[Number(f)]).some((x) => x)
            : o.frames[Number(f)].counts === v.segmentation.counts,
        ),
      );
      const nonEmpty = Object.values(ann).some((v) => v.segmentation !== null);
      assert.ok(nonEmpty, "the referred object is visible on some annotated frame");
      return hits[0].id as string;
    });
    const options = rec.options.map((o: string) => o.replace(/^\([A-D]\) /, ""));
    const letter = /\(([A-Z])\)/.exec(rec.Answer)![1];
    assertExactlyOne(videoReferTruth(tl, rec.Question, options, ids), letter, `${rec.type}: ${rec.Question}`);
  }
});

test("oracle agrees on 1,200 planned questions across presets (no rendering)", () => {
  for (const preset of ["easy", "motionbench", "hard"] as const) {
    for (const kind of ["motionbench", "videorefer"] as const) {
      const plan = planDataset({ n: 200, seed: 4242, preset, kind });
      for (const c of plan.clips) {
        const tl = JSON.parse(JSON.stringify(buildTimeline(c.scene, c.clip))) as Timeline;
        for (const q of c.questions) {
          const letter = String.fromCharCode(65 + q.answer);
          const truth =
            kind === "motionbench"
              ? motionBenchTruth(tl, q.question, q.options)
              : videoReferTruth(tl, q.question, q.options, q.objects);
          assertExactlyOne(truth, letter, `${preset} ${q.type}: ${q.question} ${q.options.join(" | ")}`);
        }
      }
    }
  }
});
