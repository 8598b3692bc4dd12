// Plans one clip (actors, actions, objects, camera) from a seeded RNG and computes every frame's state
// by forward kinematics; the result is both what the renderer draws and the clip's timeline.
import type { Rng } from "./rng.ts";
import {
  ACTION_SECONDS,
  type ActionName,
  CAMERA_AXIS,
  CAMERA_MOVES,
  type CameraMove,
  HAIR_COLORS,
  INTERACTION_CONFLICT,
  INTERACTIONS,
  type Interaction,
  ITEM_COLORS,
  ITEM_KINDS,
  type ItemKind,
  type Knobs,
  PANTS_COLORS,
  REPEATABLE,
  SELF_MOTIONS,
  type SelfMotion,
  SHIRT_COLORS,
  SKIN_COLORS,
} from "./vocab.ts";

type V2 = [number, number];

// Figure geometry in world units (ground at y = 0, y up; a figure is ~1.8 units tall).
export const HIP_Y = 0.86;
const THIGH = 0.44;
const SHIN = 0.44;
const TORSO = 0.56;
const NECK_TO_HEAD = 0.2;
const UPPER_ARM = 0.3;
const FOREARM = 0.28;
const SHOULDER_HALF = 0.15;
const HIP_HALF = 0.08;
export const GEOM = { headR: 0.15, torsoR: 0.13, armR: 0.05, legR: 0.065 };
const WALK_DISTANCE = 1.0;
const GRAVITY = 9.8;

export interface ActionSpan {
  action: ActionName;
  /** First frame (inclusive) and end frame (exclusive). */
  start: number;
  end: number;
  reps: number;
}

export interface InteractionSpan {
  verb: Interaction;
  item: string;
  start: number;
  end: number;
}

export interface Joints {
  hip: V2;
  neck: V2;
  head: V2;
  shoulderL: V2;
  shoulderR: V2;
  elbowL: V2;
  elbowR: V2;
  handL: V2;
  handR: V2;
  hipL: V2;
  hipR: V2;
  kneeL: V2;
  kneeR: V2;
  footL: V2;
  footR: V2;
  /** cos of the facing angle: 1 facing the camera, -1 showing the back. */
  facing: number;
}

export interface ActorPlan {
  id: string;
  /** 1-based index into the id buffer (0 = background). */
  index: number;
  role: "main" | "distractor";
  shirt: string;
  pants: [number, number, number];
  skin: [number, number, number];
  hair: [number, number, number];
  startX: number;
  actions: ActionSpan[];
  interaction: InteractionSpan | null;
  /** World v2: every item handling in order (the first is also `interaction`). */
  interactions?: InteractionSpan[];
  /** Per frame. */
  joints: Joints[];
}

export interface ItemPlan {
  id: string;
  index: number;
  kind: ItemKind;
  color: string;
  role: "target" | "decoy" | "self";
  selfMotion: SelfMotion | null;
  selfStart: number | null;
  /** Per frame centre and rotation (radians). */
  pos: V2[];
  angle: number[];
  /** Per frame: id of the actor holding it, or null. */
  heldBy: (string | null)[];
}

export interface CameraState {
  cx: number;
  cy: number;
  zoom: number;
  /** Radians, counterclockwise camera rotation. */
  angle: number;
}

export interface CameraSegment {
  move: CameraMove;
  start: number;
  end: number;
}

export interface ScenePlan {
  frames: number;
  fps: number;
  size: { w: number; h: number };
  /** World units visible across the frame width at zoom 1. */
  viewWidth: number;
  texture: number;
  actors: ActorPlan[];
  items: ItemPlan[];
  camera: CameraState[];
  cameraSegments: CameraSegment[];
  occluder: { x: number; width: number } | null;
  /** The crate the self-moving ball starts on (scenery, not an annotated object). */
  platform: { x: number; halfW: number; top: number };
  noise: number;
  noiseSeed: number;
  /** The preset's range of counted repetitions (question options span it). */
  repsRange: [number, number];
  /** Net world displacement of the main figure: "left" | "right" | "none". */
  mainDirection: "left" | "right" | "none";
  /** 1: the first world (VideoRefer layout); 2: motion-only questions (MotionBench layout). */
  world?: 1 | 2;
  /** Items are drawn this much larger than ITEM_SIZE (world v2: 1.6; default 1). */
  itemScale?: number;
  /** Figure radii when they differ from GEOM (world v2 draws thicker limbs). */
  geom?: typeof GEOM;
}

export const smooth = (t: number) => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));
/** 0 → 1 → 0 over [0, 1], holding 1 in the middle. */
export const bump = (t: number, edge = 0.25) => smooth(t / edge) * smooth((1 - t) / edge);

export interface Pose {
  x: number;
  lift: number;
  hipDrop: number;
  lean: number;
  headDx: number;
  headDy: number;
  facing: number;
  armL: [number, number];
  armR: [number, number];
  /** Leg swing angles (0 = straight down, positive = outward) and foot lift. */
  legL: number;
  legR: number;
  stepL: number;
  stepR: number;
  handTargetR: V2 | null;
  handTargetL: V2 | null;
  handBlend: number;
  footTargetR: V2 | null;
}

const NEUTRAL_ARM: [number, number] = [0.15, 0.1];

export function neutralPose(x: number): Pose {
  return {
    x,
    lift: 0,
    hipDrop: 0,
    lean: 0,
    headDx: 0,
    headDy: 0,
    facing: 0,
    armL: [...NEUTRAL_ARM],
    armR: [...NEUTRAL_ARM],
    legL: 0,
    legR: 0,
    stepL: 0,
    stepR: 0,
    handTargetR: null,
    handTargetL: null,
    handBlend: 0,
    footTargetR: null,
  };
}

/** Both arms at one (shoulder, elbow) angle pair; two arrays, since later steps edit one arm. */
function bothArms(pose: Pose, shoulder: number, elbow: number): void {
  pose.armL = [shoulder, elbow];
  pose.armR = [shoulder, elbow];
}

/** Applies one action at repetition phase p ∈ [0, 1) (t ∈ [0, 1] over the whole span). */
export function applyAction(pose: Pose, a: ActionName, p: number, t: number): void {
  const s = Math.sin(Math.PI * p); // 0 → 1 → 0 within a repetition
  switch (a) {
    case "wave":
      pose.armR = [2.5 * smooth(t / 0.1) * smooth((1 - t) / 0.1), 0.25 + 0.75 * Math.sin(2 * Math.PI * p)];
      break;
    case "jump":
      pose.lift = 0.32 * s;
      bothArms(pose, 0.15 + 0.8 * s, 0.1);
      break;
    case "nod":
      pose.headDy = -0.12 * s;
      break;
    case "clap":
      bothArms(pose, 0.5 + 0.2 * (1 - s), -1.9 + 0.5 * (1 - s));
      break;
    case "squat":
      pose.hipDrop = 0.36 * s;
      bothArms(pose, 0.15 + 1.2 * s, 0.1);
      break;
    case "kick":
      pose.legR = 1.3 * s;
      break;
    case "raise_arm":
      pose.armL = [0.15 + 2.85 * s, 0.1 - 0.1 * s];
      break;
    case "turn_around":
      pose.facing = 2 * Math.PI * p;
      break;
    case "bow":
      pose.lean = 1.0 * s;
      break;
    case "shake_head":
      pose.headDx = 0.09 * Math.sin(2 * Math.PI * p);
      break;
    case "walk_left":
    case "walk_right": {
      const swing = Math.sin(2 * Math.PI * p);
      pose.stepL = 0.1 * Math.max(0, swing);
      pose.stepR = 0.1 * Math.max(0, -swing);
      pose.legL = 0.25 * swing;
      pose.legR = -0.25 * swing;
      pose.armL = [0.15 + 0.3 * swing, 0.1];
      pose.armR = [0.15 - 0.3 * swing, 0.1];
      break;
    }
    case "sit_down":
      pose.hipDrop = 0.5 * smooth(t);
      pose.armL = [0.15 + 0.6 * smooth(t), 0.3];
      pose.armR = [0.15 + 0.6 * smooth(t), 0.3];
      break;
    case "stand_up":
      pose.hipDrop = 0.5 * (1 - smooth(t));
      pose.armL = [0.15 + 0.6 * (1 - smooth(t)), 0.3];
      pose.armR = [0.15 + 0.6 * (1 - smooth(t)), 0.3];
      break;
  }
}

function ik(root: V2, target: V2, l1: number, l2: number, bendSign: number): [V2, V2] {
  let dx = target[0] - root[0];
  let dy = target[1] - root[1];
  let d = Math.hypot(dx, dy);
  const maxD = l1 + l2 - 1e-6;
  if (d > maxD) {
    dx *= maxD / d;
    dy *= maxD / d;
    d = maxD;
  }
  if (d < 1e-6)
    return [
      [root[0], root[1] - l1],
      [root[0], root[1]],
    ];
  const a = (l1 * l1 - l2 * l2 + d * d) / (2 * d);
  const h = Math.sqrt(Math.max(0, l1 * l1 - a * a));
  const mx = root[0] + (dx * a) / d;
  const my = root[1] + (dy * a) / d;
  const joint: V2 = [mx - (bendSign * dy * h) / d, my + (bendSign * dx * h) / d];
  return [joint, [root[0] + dx, root[1] + dy]];
}

/** Forward kinematics: pose → joint positions in world units. */
export function solve(p: Pose): Joints {
  const cf = Math.cos(p.facing);
  const hip: V2 = [p.x, HIP_Y - p.hipDrop + p.lift];
  const neck: V2 = [hip[0], hip[1] + TORSO * Math.cos(p.lean)];
  const head: V2 = [neck[0] + p.headDx, neck[1] + NECK_TO_HEAD * Math.cos(p.lean) + p.headDy];
  const shoulderL: V2 = [neck[0] - SHOULDER_HALF * cf, neck[1] - 0.05];
  const shoulderR: V2 = [neck[0] + SHOULDER_HALF * cf, neck[1] - 0.05];
  const arm = (sh: V2, side: number, [a1, a2]: [number, number]): [V2, V2] => {
    const e: V2 = [sh[0] + side * cf * UPPER_ARM * Math.sin(a1), sh[1] - UPPER_ARM * Math.cos(a1)];
    const h: V2 = [e[0] + side * cf * FOREARM * Math.sin(a1 + a2), e[1] - FOREARM * Math.cos(a1 + a2)];
    return [e, h];
  };
  let [elbowL, handL] = arm(shoulderL, -1, p.armL);
  let [elbowR, handR] = arm(shoulderR, 1, p.armR);
  if (p.handTargetR && p.handBlend > 0) {
    const t: V2 = [
      handR[0] + (p.handTargetR[0] - handR[0]) * p.handBlend,
      handR[1] + (p.handTargetR[1] - handR[1]) * p.handBlend,
    ];
    [elbowR, handR] = ik(shoulderR, t, UPPER_ARM, FOREARM, t[0] >= shoulderR[0] ? 1 : -1);
  }
  if (p.handTargetL && p.handBlend > 0) {
    const t: V2 = [
      handL[0] + (p.handTargetL[0] - handL[0]) * p.handBlend,
      handL[1] + (p.handTargetL[1] - handL[1]) * p.handBlend,
    ];
    [elbowL, handL] = ik(shoulderL, t, UPPER_ARM, FOREARM, t[0] >= shoulderL[0] ? 1 : -1);
  }
  const hipL: V2 = [hip[0] - HIP_HALF * cf, hip[1]];
  const hipR: V2 = [hip[0] + HIP_HALF * cf, hip[1]];
  const leg = (hp: V2, side: number, swing: number, step: number, target: V2 | null): [V2, V2] => {
    const ground: V2 = target ?? [
      hp[0] + side * 0.04 + (THIGH + SHIN) * Math.sin(swing) * side,
      Math.max(p.lift + step, hp[1] - (THIGH + SHIN) * Math.cos(swing) + (swing !== 0 ? 0 : 0)),
    ];
    // A swung leg is straight; a planted one bends outward when the hip drops (squat, sit).
    if (swing !== 0 && !target) {
      const len = THIGH + SHIN - 0.01;
      const f: V2 = [hp[0] + side * len * Math.sin(swing), hp[1] - len * Math.cos(swing) + step];
      return ik(hp, f, THIGH, SHIN, side);
    }
    return ik(hp, [ground[0], Math.max(ground[1], p.lift + step)], THIGH, SHIN, side);
  };
  const [kneeL, footL] = leg(hipL, -1, p.legL, p.stepL, null);
  const [kneeR, footR] = leg(hipR, 1, p.legR, p.stepR, p.footTargetR);
  return {
    hip,
    neck,
    head,
    shoulderL,
    shoulderR,
    elbowL,
    elbowR,
    handL,
    handR,
    hipL,
    hipR,
    kneeL,
    kneeR,
    footL,
    footR,
    facing: cf,
  };
}

export const ITEM_SIZE: Record<ItemKind, { halfW: number; halfH: number }> = {
  key: { halfW: 0.11, halfH: 0.06 },
  cup: { halfW: 0.09, halfH: 0.08 },
  ball: { halfW: 0.08, halfH: 0.08 },
  box: { halfW: 0.1, halfH: 0.1 },
  bottle: { halfW: 0.045, halfH: 0.12 },
};

/** Frames per repetition of the counted action; at least 4 so every repetition is visible when sampled. */
export function repPeriod(k: Knobs): number {
  return Math.max(4, Math.round(k.fps / k.repsPerSecond));
}

function planActions(
  rng: Rng,
  k: Knobs,
  direction: "left" | "right" | "none",
  exclude: ActionName,
): { list: ActionName[]; target: ActionName; reps: number } {
  const m = Math.max(2, Math.min(4, k.actions));
  const usable = REPEATABLE.filter((a) => a !== exclude);
  const target = rng.pick(usable);
  const reps = rng.int(k.reps[0], k.reps[1]);
  const units: ActionName[][] = [[target]];
  if (direction !== "none") units.push([direction === "left" ? "walk_left" : "walk_right"]);
  let free = m - units.length;
  if (free >= 2 && rng.next() < 0.3) {
    units.push(["sit_down", "stand_up"]);
    free -= 2;
  }
  const others = rng.sample(
    usable.filter((a) => a !== target),
    free,
  );
  for (const o of others) units.push([o]);
  return { list: rng.shuffle(units).flat(), target, reps };
}

/** Frames an action of `s` seconds lasts at the clip's fps and speed (at least 3). */
function secFrames(k: Knobs, s: number): number {
  return Math.max(3, Math.round((s * k.fps) / k.speed));
}

type Slot =
  | { kind: "action"; action: ActionName; reps: number; len: number }
  | { kind: "interact"; len: number };

/** Durations in frames, then the clip length; slack goes into random gaps. */
function planTiming(
  rng: Rng,
  k: Knobs,
  list: ActionName[],
  counted: ActionName | null,
  reps: number,
  interactionAt: number,
): { slots: Slot[]; gaps: number[]; frames: number; lead: number } {
  const fps = k.fps;
  const sec = (s: number) => secFrames(k, s);
  const period = repPeriod(k);
  const slots: Slot[] = list.map((a) =>
    a === counted
      ? { kind: "action", action: a, reps, len: reps * period }
      : { kind: "action", action: a, reps: 1, len: sec(ACTION_SECONDS[a]) },
  );
  slots.splice(interactionAt, 0, { kind: "interact", len: sec(1.6) });
  const lead = Math.max(2, Math.round(0.3 * fps));
  const tail = Math.max(2, Math.round(0.3 * fps));
  const need = lead + tail + slots.reduce((a, s) => a + s.len + 1, 0);
  const frames = Math.max(Math.round(k.duration * fps), need);
  const gaps = new Array(slots.length).fill(1);
  for (let i = 0; i < frames - need; i++) gaps[rng.int(0, gaps.length - 1)]++;

  return { slots, gaps, frames, lead };
}

/** 2–4 items near the interaction spot at distinct offsets; the first is the target. */
function planItems(
  rng: Rng,
  frames: number,
  interX: number,
  nActors: number,
): { items: ItemPlan[]; offsets: number[]; colors: string[] } {
  const nItems = rng.int(2, 4);
  const offsets = rng.sample([-0.9, -0.5, 0.5, 0.9], nItems);
  const kinds = rng.sample(ITEM_KINDS, Math.min(ITEM_KINDS.length, nItems + 1));
  const colors = rng.sample(ITEM_COLORS, nItems + 1);
  const items: ItemPlan[] = [];
  for (let i = 0; i < nItems; i++) {
    const kind = kinds[i];
    items.push({
      id: `item${i}`,
      index: nActors + 1 + i,
      kind,
      color: colors[i],
      role: i === 0 ? "target" : "decoy",
      selfMotion: null,
      selfStart: null,
      pos: new Array(frames).fill(null).map(() => [interX + offsets[i], ITEM_SIZE[kind].halfH] as V2),
      angle: new Array(frames).fill(0),
      heldBy: new Array(frames).fill(null),
    });
  }
  return { items, offsets, colors };
}

/** A ball that moves on its own, away from the action, resting on a crate it may roll off. */
function planSelfItem(
  rng: Rng,
  fps: number,
  frames: number,
  id: string,
  index: number,
  color: string,
): { item: ItemPlan; selfX: number; selfSide: number; platform: { x: number; halfW: number; top: number } } {
  const selfMotion = rng.pick(SELF_MOTIONS);
  // Its side is random: deriving it from the target's side would point at the target in the first frame.
  const selfSide = rng.pick([-1, 1]);
  const selfX = selfSide * rng.range(1.5, 1.9);
  const selfStart = rng.int(Math.round(frames * 0.15), Math.round(frames * 0.4));
  const selfItem: ItemPlan = {
    id,
    index,
    kind: "ball",
    color,
    role: "self",
    selfMotion,
    selfStart,
    pos: [],
    angle: [],
    heldBy: new Array(frames).fill(null),
  };
  // It rests on a crate: rolling carries it over the edge so it falls to the ground and rolls on.
  const platform = { x: selfX, halfW: 0.22, top: 0.3 };
  {
    const r = ITEM_SIZE.ball.halfH;
    const dt = 1 / fps;
    const v = selfMotion === "roll_left" ? -0.45 : selfMotion === "roll_right" ? 0.45 : 0;
    let x = selfX;
    let y = platform.top + r;
    let vy = 0;
    let ang = 0;
    for (let t = 0; t < frames; t++) {
      if (t > selfStart && v !== 0) {
        x += v * dt;
        ang -= (v * dt) / r;
        if (Math.abs(x - platform.x) > platform.halfW || y < platform.top + r - 1e-9) {
          vy -= GRAVITY * dt;
          y += vy * dt;
          if (y <= r) {
            y = r;
            vy = Math.abs(vy) > 0.8 ? -vy * 0.3 : 0;
          }
        }
      }
      if (selfMotion === "bounce" && t >= selfStart) {
        const u = (((t - selfStart) / fps) % 0.6) / 0.6;
        y = platform.top + r + 0.5 * 4 * u * (1 - u);
      }
      selfItem.pos.push([x, y]);
      selfItem.angle.push(ang);
    }
  }
  return { item: selfItem, selfX, selfSide, platform };
}

/** An extra figure doing two repeatable actions (not the counted one) away from the crate. */
function planDistractor(
  rng: Rng,
  k: Knobs,
  d: number,
  at: {
    firstSide: number;
    selfSide: number;
    counted: ActionName | null;
    lead: number;
    frames: number;
    shirt: string;
  },
): ActorPlan {
  const { firstSide, selfSide, counted, lead, frames } = at;
  const fps = k.fps;
  const sec = (s: number) => secFrames(k, s);
  // Not tied to the walk direction (the first frame would give it away); the main figure is drawn in
  // front, so crossing paths only occludes the extra figure.
  const side = d % 2 === 0 ? firstSide : -firstSide;
  const x =
    side * (side === selfSide ? rng.range(2.2, 2.4) : rng.range(1.7, 2.1)) + (d >= 2 ? side * 0.4 : 0);
  const acts = rng.sample(
    REPEATABLE.filter((a) => a !== counted),
    2,
  );
  const spans: ActionSpan[] = [];
  let g = rng.int(lead, lead + Math.round(fps));
  for (const a of acts) {
    const r = rng.int(1, 3);
    const len = r * sec(ACTION_SECONDS[a]);
    if (g + len >= frames) break;
    spans.push({ action: a, start: g, end: g + len, reps: r });
    g += len + rng.int(2, Math.round(fps));
  }
  const dx = new Array(frames).fill(x);
  return {
    id: `actor${d + 1}`,
    index: d + 2,
    role: "distractor",
    shirt: at.shirt,
    pants: rng.pick(PANTS_COLORS),
    skin: rng.pick(SKIN_COLORS),
    hair: rng.pick(HAIR_COLORS),
    startX: x,
    actions: spans,
    interaction: null,
    joints: Array.from({ length: frames }, (_, t) => solve(basePose(spans, dx, t))),
  };
}

/** Builds a full clip plan. Deterministic in (rng state, knobs). */
export function planScene(rng: Rng, k: Knobs, texture: number): ScenePlan {
  const fps = k.fps;
  const direction = rng.pick(["left", "right", "none"] as const);
  const interaction = rng.pick(INTERACTIONS);
  const { list, target: counted, reps } = planActions(rng, k, direction, INTERACTION_CONFLICT[interaction]);
  let interactionAt = rng.int(0, list.length); // slot index among the actions
  // Items lie around where the figure starts, so it handles them before any walk: placing them around a
  // later spot would show the walk's direction in the first frame.
  const walkAt = list.findIndex((a) => a === "walk_left" || a === "walk_right");
  if (walkAt >= 0 && interactionAt > walkAt) interactionAt = rng.int(0, walkAt);
  // Never between sitting down and standing up (the figure reaches for items while standing).
  if (list[interactionAt - 1] === "sit_down") interactionAt++;

  const { slots, gaps, frames, lead } = planTiming(rng, k, list, counted, reps, interactionAt);

  const shirts = rng.sample(SHIRT_COLORS, 1 + k.distractors);
  const startX = rng.range(-0.4, 0.4);
  const main: ActorPlan = {
    id: "actor0",
    index: 1,
    role: "main",
    shirt: shirts[0],
    pants: rng.pick(PANTS_COLORS),
    skin: rng.pick(SKIN_COLORS),
    hair: rng.pick(HAIR_COLORS),
    startX,
    actions: [],
    interaction: null,
    joints: [],
  };
  let f = lead;
  slots.forEach((s, i) => {
    if (s.kind === "action") main.actions.push({ action: s.action, start: f, end: f + s.len, reps: s.reps });
    else main.interaction = { verb: interaction, item: "", start: f, end: f + s.len };
    f += s.len + gaps[i];
  });

  // Root x per frame (walking moves it), then where the figure stands when it interacts.
  const rootX = rootTrack(main.actions, startX, frames);
  const inter = main.interaction!;
  const interX = rootX[inter.start];

  // Items: 2–4 near the interaction spot at distinct offsets; one of them is the target.
  const nActors = 1 + k.distractors;
  const { items, offsets, colors } = planItems(rng, frames, interX, nActors);
  inter.item = items[0].id;
  const {
    item: selfItem,
    selfX,
    selfSide,
    platform,
  } = planSelfItem(rng, fps, frames, `item${items.length}`, nActors + 1 + items.length, colors[items.length]);
  items.push(selfItem);

  // Main figure joints (the reach targets depend only on the item's rest spot), then the item follows.
  const target = items[0];
  const tOff = offsets[0];
  const tSide = tOff > 0 ? 1 : -1;
  const rest = target.pos[0].slice() as V2;
  for (let t = 0; t < frames; t++) {
    const pose = basePose(main.actions, rootX, t);
    if (t >= inter.start && t < inter.end)
      interactPose(pose, interaction, (t - inter.start) / (inter.end - inter.start), tOff, rest);
    main.joints.push(solve(pose));
  }
  simulateInteraction(main, target, interaction, tSide, frames, fps);

  const actors: ActorPlan[] = [main];
  // Extra figures stand away from the crate (the first one on the other side; more go beyond the crate).
  const firstSide = -selfSide;
  for (let d = 0; d < k.distractors; d++)
    actors.push(
      planDistractor(rng, k, d, { firstSide, selfSide, counted, lead, frames, shirt: shirts[d + 1] }),
    );

  const { states, segments } = planCamera(rng, k, frames);
  const occluder =
    rng.next() < k.occlusion
      ? { x: pickOccluderX(rng, startX, interX + offsets[0], selfX), width: rng.range(0.25, 0.4) }
      : null;
  return {
    frames,
    fps,
    size: k.size,
    viewWidth: 5,
    texture,
    actors,
    items,
    camera: states,
    cameraSegments: segments,
    occluder,
    platform,
    noise: k.noise,
    noiseSeed: rng.int(0, 2 ** 30),
    mainDirection: direction,
    repsRange: [k.reps[0], k.reps[1]],
  };
}

export function pickOccluderX(rng: Rng, ...avoid: number[]): number {
  for (let i = 0; i < 20; i++) {
    const x = rng.range(-2.2, 2.2);
    if (avoid.every((a) => Math.abs(a - x) > 0.75)) return x;
  }
  return 2.3;
}

function rootTrack(actions: ActionSpan[], x0: number, frames: number): number[] {
  const out: number[] = [];
  let x = x0;
  let fi = 0;
  for (let t = 0; t < frames; t++) {
    let cur = x;
    for (; fi < actions.length && actions[fi].end <= t; fi++) {
      const a = actions[fi];
      if (a.action === "walk_left") x -= WALK_DISTANCE;
      if (a.action === "walk_right") x += WALK_DISTANCE;
    }
    cur = x;
    const a = actions.find((s) => t >= s.start && t < s.end);
    if (a && (a.action === "walk_left" || a.action === "walk_right")) {
      const u = (t - a.start) / (a.end - a.start);
      cur = x + (a.action === "walk_left" ? -1 : 1) * WALK_DISTANCE * u;
    }
    out.push(cur);
  }
  return out;
}

function basePose(actions: ActionSpan[], rootX: number[], t: number): Pose {
  const pose = neutralPose(rootX[t]);
  // Seated between sit_down and stand_up.
  const sit = actions.find((a) => a.action === "sit_down");
  const stand = actions.find((a) => a.action === "stand_up");
  if (sit && t >= sit.end && (!stand || t < stand.start)) {
    pose.hipDrop = 0.5;
    pose.armL = [0.75, 0.3];
    pose.armR = [0.75, 0.3];
  }
  const a = actions.find((s) => t >= s.start && t < s.end);
  if (a) {
    const u = (t - a.start) / (a.end - a.start);
    const p = (u * a.reps) % 1;
    applyAction(pose, a.action, p, u);
  }
  return pose;
}

/** Slide of a pushed item at interaction phase u (shared by the hand target and the item). */
export function pushOffset(u: number): number {
  return 0.9 * smooth((u - 0.3) / 0.55);
}

/** Adds the reach/step/bend of an interaction at phase u to a pose. */
export function interactPose(pose: Pose, verb: Interaction, u: number, off: number, rest: V2): void {
  const side = off > 0 ? 1 : -1;
  // Step towards the item so the hand or foot reaches it, then back.
  pose.x += (off - side * 0.32) * bump(u, 0.2);
  if (verb === "kick_away") {
    const k = bump((u - 0.2) / 0.5, 0.5);
    if (side > 0) pose.legR = 0.9 * k;
    else pose.legL = 0.9 * k;
    return;
  }
  pose.hipDrop = Math.max(pose.hipDrop, 0.3 * bump(u, 0.3));
  let blend = 0;
  let goal: V2 = [rest[0], rest[1]];
  if (verb === "push") {
    blend = smooth((u - 0.1) / 0.2) * smooth((0.9 - u) / 0.1);
    goal = [rest[0] + side * pushOffset(u) - side * 0.05, rest[1]];
  } else if (u < 0.4) blend = smooth((u - 0.1) / 0.3);
  else if (verb === "pick_up") blend = 1 - smooth((u - 0.4) / 0.25);
  else if (verb === "put_back")
    blend = u < 0.75 ? 1 - 0.8 * bump((u - 0.4) / 0.35, 0.4) : smooth((0.98 - u) / 0.2);
  else if (verb === "throw" && u < 0.62) {
    const w = smooth((u - 0.4) / 0.22);
    const arm: [number, number] = [0.15 + 2.4 * w, 0.1];
    if (side > 0) pose.armR = arm;
    else pose.armL = arm;
  }
  pose.handBlend = blend;
  if (side > 0) pose.handTargetR = goal;
  else pose.handTargetL = goal;
}

/** Moves the target item according to the interaction, using the figure's hand/foot positions. */
export function simulateInteraction(
  actor: ActorPlan,
  item: ItemPlan,
  verb: Interaction,
  side: number,
  frames: number,
  fps: number,
): void {
  const span = actor.interaction!;
  const len = span.end - span.start;
  const rest = item.pos[0].slice() as V2;
  const half = ITEM_SIZE[item.kind].halfH;
  const hand = (t: number) => (side > 0 ? actor.joints[t].handR : actor.joints[t].handL);
  let x = rest[0];
  let y = rest[1];
  let vx = 0;
  let vy = 0;
  let ang = 0;
  let flying = false;
  for (let t = 0; t < frames; t++) {
    item.heldBy[t] = null;
    const u = (t - span.start) / len;
    if (t < span.start) {
      item.pos[t] = [rest[0], rest[1]];
      item.angle[t] = 0;
      continue;
    }
    const grab = 0.4;
    if (verb === "pick_up" && u >= grab) {
      const h = hand(t);
      x = h[0];
      y = h[1];
      item.heldBy[t] = actor.id;
    } else if (verb === "put_back" && u >= grab && u < 0.75) {
      const h = hand(t);
      x = h[0];
      y = h[1];
      item.heldBy[t] = actor.id;
    } else if (verb === "put_back" && u >= 0.75) {
      x = rest[0];
      y = rest[1];
    } else if (verb === "throw" && u >= grab && u < 0.62) {
      const h = hand(t);
      x = h[0];
      y = h[1];
      item.heldBy[t] = actor.id;
      vx = side * 1.8;
      vy = 2.2;
    } else if (verb === "throw" && u >= 0.62) {
      flying = true;
    } else if (verb === "push" && u >= 0.3 && u < 0.85) {
      x = rest[0] + side * pushOffset(u);
    } else if (verb === "kick_away" && u >= 0.45 && !flying) {
      flying = true;
      vx = side * 2.0;
      vy = 0.8;
    }
    if (flying) {
      const dt = 1 / fps;
      x += vx * dt;
      y += vy * dt;
      vy -= GRAVITY * dt;
      ang += side * -0.35;
      if (y < half) {
        y = half;
        vy = Math.abs(vy) > 0.8 ? -vy * 0.35 : 0;
        vx *= 0.6;
      }
    }
    item.pos[t] = [x, y];
    item.angle[t] = item.heldBy[t] ? 0 : ang;
  }
}

function planCamera(
  rng: Rng,
  k: Knobs,
  frames: number,
): { states: CameraState[]; segments: CameraSegment[] } {
  const n = rng.int(k.cameraSegments[0], k.cameraSegments[1]);
  const moves: CameraMove[] = [];
  if (n === 1) moves.push(rng.pick(CAMERA_MOVES));
  else {
    const used = new Set<string>();
    while (moves.length < n) {
      const m = rng.pick(CAMERA_MOVES.filter((c) => c !== "static"));
      if (used.has(CAMERA_AXIS[m])) continue;
      used.add(CAMERA_AXIS[m]);
      moves.push(m);
    }
  }
  // Segments split the clip; a short still lead-in keeps the first frame shared by every answer.
  const lead = Math.max(1, Math.round(k.fps * 0.2));
  const per = (frames - lead) / n;
  const segments: CameraSegment[] = moves.map((move, i) => ({
    move,
    start: lead + Math.round(i * per),
    end: lead + Math.round((i + 1) * per),
  }));
  const states: CameraState[] = [];
  let st: CameraState = { cx: 0, cy: 0.95, zoom: 1, angle: 0 };
  for (let t = 0; t < frames; t++) {
    const seg = segments.find((s) => t >= s.start && t < s.end);
    if (seg) {
      const steps = seg.end - seg.start;
      const d = 1 / steps;
      st = { ...st };
      switch (seg.move) {
        case "pan_left":
          st.cx -= 0.9 * d;
          break;
        case "pan_right":
          st.cx += 0.9 * d;
          break;
        case "tilt_up":
          st.cy += 0.6 * d;
          break;
        case "tilt_down":
          st.cy -= 0.6 * d;
          break;
        case "zoom_in":
          st.zoom *= Math.exp(Math.log(1.4) * d);
          break;
        case "zoom_out":
          st.zoom *= Math.exp(-Math.log(1.4) * d);
          break;
        case "roll_cw":
          st.angle -= ((18 * Math.PI) / 180) * d;
          break;
        case "roll_ccw":
          st.angle += ((18 * Math.PI) / 180) * d;
          break;
      }
    }
    states.push(st);
  }
  return { states, segments };
}
