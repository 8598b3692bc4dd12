// The clip timeline JSON (every action/event with frame spans, per-frame positions, camera) and the
// Bench-D style per-object descriptions written from it.

import { figureName, itemName } from "./questions.ts";
import { ACTION_TEXT, INTERACTION_TEXT } from "./vocab.ts";
import type { ScenePlan } from "./world.ts";

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export interface TimelineEvent {
  type: "action" | "interaction" | "self_motion" | "camera";
  subject: string;
  name: string;
  start: number;
  end: number;
  reps?: number;
  object?: string;
}

export interface Timeline {
  clip: string;
  fps: number;
  frames: number;
  size: { w: number; h: number };
  /** 1: the first world; 2: motion-only questions (camera moves swing out and back). */
  world: 1 | 2;
  /** World units across the frame at zoom 1; world y is up, ground at y = 0. */
  viewWidth: number;
  actors: {
    id: string;
    maskIndex: number;
    role: string;
    shirt: string;
    actions: { action: string; start: number; end: number; reps: number }[];
    interaction: { verb: string; item: string; start: number; end: number } | null;
    /** World v2: every item handling in order. */
    interactions?: { verb: string; item: string; start: number; end: number }[];
    /** Hip centre per frame [x, y]. */
    track: [number, number][];
    /** Per frame, the hands and feet relative to the hip (world units): [hand L x, y, hand R x, y, foot L x, y, foot R x, y]. */
    limbs?: number[][];
  }[];
  items: {
    id: string;
    maskIndex: number;
    kind: string;
    color: string;
    role: string;
    selfMotion: string | null;
    selfStart: number | null;
    /** Centre per frame [x, y]. */
    track: [number, number][];
    /** Per frame: id of the actor holding it, or null. */
    heldBy: (string | null)[];
  }[];
  camera: {
    segments: { move: string; start: number; end: number }[];
    /** Per frame: centre (world), zoom, roll angle (radians, counterclockwise). */
    track: { cx: number; cy: number; zoom: number; angle: number }[];
  };
  occluder: { x: number; width: number } | null;
  /** The crate the self-moving ball starts on. */
  platform: { x: number; halfW: number; top: number };
  /** All events sorted by start frame. */
  events: TimelineEvent[];
}

export function buildTimeline(scene: ScenePlan, clip: string): Timeline {
  const events: TimelineEvent[] = [];
  for (const a of scene.actors) {
    for (const s of a.actions)
      events.push({
        type: "action",
        subject: a.id,
        name: s.action,
        start: s.start,
        end: s.end,
        reps: s.reps,
      });
    for (const x of a.interactions ?? (a.interaction ? [a.interaction] : []))
      events.push({
        type: "interaction",
        subject: a.id,
        name: x.verb,
        start: x.start,
        end: x.end,
        object: x.item,
      });
  }
  for (const it of scene.items)
    if (it.selfMotion && it.selfMotion !== "still")
      events.push({
        type: "self_motion",
        subject: it.id,
        name: it.selfMotion,
        start: it.selfStart!,
        end: scene.frames,
      });
  for (const c of scene.cameraSegments)
    events.push({ type: "camera", subject: "camera", name: c.move, start: c.start, end: c.end });
  events.sort((x, y) => x.start - y.start || x.subject.localeCompare(y.subject));
  return {
    clip,
    fps: scene.fps,
    frames: scene.frames,
    size: scene.size,
    world: scene.world ?? 1,
    viewWidth: scene.viewWidth,
    actors: scene.actors.map((a) => ({
      id: a.id,
      maskIndex: a.index,
      role: a.role,
      shirt: a.shirt,
      actions: a.actions.map((s) => ({ ...s })),
      interaction: a.interaction ? { ...a.interaction } : null,
      ...(a.interactions ? { interactions: a.interactions.map((x) => ({ ...x })) } : {}),
      track: a.joints.map((j) => [r4(j.hip[0]), r4(j.hip[1])] as [number, number]),
      limbs: a.joints.map((j) =>
        [j.handL, j.handR, j.footL, j.footR].flatMap((p) => [r4(p[0] - j.hip[0]), r4(p[1] - j.hip[1])]),
      ),
    })),
    items: scene.items.map((it) => ({
      id: it.id,
      maskIndex: it.index,
      kind: it.kind,
      color: it.color,
      role: it.role,
      selfMotion: it.selfMotion,
      selfStart: it.selfStart,
      track: it.pos.map((p) => [r4(p[0]), r4(p[1])] as [number, number]),
      heldBy: it.heldBy.slice(),
    })),
    camera: {
      segments: scene.cameraSegments.map((s) => ({ ...s })),
      track: scene.camera.map((c) => ({ cx: r4(c.cx), cy: r4(c.cy), zoom: r4(c.zoom), angle: r4(c.angle) })),
    },
    occluder: scene.occluder ? { x: r4(scene.occluder.x), width: r4(scene.occluder.width) } : null,
    platform: { x: r4(scene.platform.x), halfW: scene.platform.halfW, top: scene.platform.top },
    events,
  };
}

const TIMES = [
  "never",
  "once",
  "twice",
  "three times",
  "four times",
  "five times",
  "six times",
  "seven times",
];
const times = (n: number) => TIMES[n] ?? `${n} times`;

/** Bench-D style caption (appearance + motion over time) for one object of the clip. */
export function describeObject(scene: ScenePlan, id: string): string {
  const actor = scene.actors.find((a) => a.id === id);
  const main = scene.actors.find((a) => a.role === "main")!;
  const fps = scene.fps;
  const at = (f: number) => `${(f / fps).toFixed(1)}s`;
  if (actor) {
    const steps: { start: number; text: string }[] = actor.actions.map((s) => ({
      start: s.start,
      text: `${ACTION_TEXT[s.action].does}${s.reps > 1 ? ` ${times(s.reps)}` : ""}`,
    }));
    if (actor.interaction) {
      const it = scene.items.find((i) => i.id === actor.interaction!.item)!;
      steps.push({
        start: actor.interaction.start,
        text: `bends towards ${itemName(it)} and ${INTERACTION_TEXT[actor.interaction.verb].does}`,
      });
    }
    steps.sort((a, b) => a.start - b.start);
    const seq = steps.map(
      (s, i) =>
        `${i === 0 ? "first" : i === steps.length - 1 ? "finally" : "then"} ${s.text} (from ${at(s.start)})`,
    );
    const body = seq.length ? `It ${seq.join(", ")}.` : "It stands still the whole time.";
    return `A small cartoon figure wearing a ${actor.shirt} shirt and dark trousers, standing on the ground ${
      actor.role === "main" ? "near the middle of the scene" : "off to the side"
    }. ${body}`;
  }
  const it = scene.items.find((i) => i.id === id)!;
  const look = `A small ${it.color} ${it.kind} resting on the ground`;
  if (it.role === "self") {
    const m = it.selfMotion!;
    const onCrate = `A small ${it.color} ball lying on top of a wooden crate away from the figures.`;
    if (m === "still") return `${onCrate} It stays where it is for the whole clip.`;
    const verb =
      m === "bounce"
        ? "starts bouncing up and down on the crate"
        : `starts rolling to the ${m === "roll_left" ? "left" : "right"}, drops off the edge of the crate and rolls on along the ground`;
    return `${onCrate} It is still at first; at ${at(it.selfStart!)} it ${verb}, on its own, until the end.`;
  }
  if (main.interaction?.item === id) {
    const v = main.interaction.verb;
    return `${look} close to ${figureName(main.shirt)}. At ${at(main.interaction.start)} it is ${
      INTERACTION_TEXT[v].passive
    } by ${figureName(main.shirt)}${v === "pick_up" ? ", and it stays in the figure's hand until the end" : ""}${
      v === "put_back"
        ? ", ending where it started"
        : v === "throw" || v === "kick_away"
          ? ", landing further away"
          : ""
    }.`;
  }
  return `${look} close to ${figureName(main.shirt)}. Nobody touches it and it does not move.`;
}
