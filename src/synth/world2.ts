// World v2: a clip plan whose MotionBench questions can only be answered by seeing motion. Every option of a
// question differs from the others only in order, direction or count: each directed move has a twin that is
// its exact time reversal (so the set of frames, their mean, the first and the last frame are the same for
// both), camera moves swing out and back to a random start framing, and the counted action fills a fixed
// span whatever its count (so only its rhythm tells the count).
import type { Rng } from "./rng.ts";
import {
  ACTION_SECONDS,
  type ActionName,
  CAMERA_AXIS,
  CAMERA_MOVES,
  type CameraMove,
  COUNTABLE_V2,
  DEFAULT_SAMPLED_FRAMES,
  GESTURES,
  HAIR_COLORS,
  ITEM_COLORS,
  ITEM_KINDS,
  type Knobs,
  PANTS_COLORS,
  SHIRT_COLORS,
  SKIN_COLORS,
} from "./vocab.ts";
import {
  type ActionSpan,
  type ActorPlan,
  applyAction,
  bump,
  type CameraSegment,
  type CameraState,
  type GEOM,
  HIP_Y,
  type InteractionSpan,
  ITEM_SIZE,
  type ItemPlan,
  interactPose,
  type Joints,
  neutralPose,
  type Pose,
  pickOccluderX,
  type ScenePlan,
  simulateInteraction,
  smooth,
  solve,
} from "./world.ts";

type V2 = [number, number];

/** World units across the frame at zoom 1: closer than world v1 (5), so limbs are wider in pixels. */
export const VIEW_WIDTH_V2 = 3.6;
/** Thicker figures than world v1: at a 48 px training size an arm is ~2 px and a head ~5 px wide. */
export const GEOM_V2: typeof GEOM = { headR: 0.18, torsoR: 0.15, armR: 0.075, legR: 0.09 };
/** Half-amplitude of each swing (world units, zoom log-factor, radians) and the spread of the start framing. */
export const CAMERA_SWING = { x: 0.3, y: 0.22, zoom: Math.log(1.18), roll: (7 * Math.PI) / 180 };
export const CAMERA_START_SPREAD = { x: 0.3, y: 0.15, zoom: Math.log(1.15), roll: (6 * Math.PI) / 180 };
/** Items drawn 1.6× their world-v1 size: a cup is ~4 px wide at 48 px. */
export const ITEM_SCALE_V2 = 1.6;
const WALK_SWING = 0.45;
const BALL_SWING = 0.35;
const CAMERA_BASE_Y = 0.95;

/** Sideways offset of a there-and-back swing at phase u ∈ [0, 1]: 0 → −1 → +1 → 0 (sign −1 first). */
export function swing(u: number): number {
  if (u <= 0 || u >= 1) return 0;
  return -Math.sin(2 * Math.PI * u);
}

/** Adds a v2 move at phase t ∈ [0, 1] of its span (walks move the root; the rest move limbs). */
function applyV2(pose: Pose, a: ActionName, t: number, home: number): void {
  switch (a) {
    case "arms_lr":
    case "arms_rl": {
      const first = t < 0.5 ? bump(t / 0.5, 0.35) : 0;
      const second = t >= 0.5 ? bump((t - 0.5) / 0.5, 0.35) : 0;
      const [l, r] = a === "arms_lr" ? [first, second] : [second, first];
      pose.armL = [0.15 + 2.6 * l, 0.1];
      pose.armR = [0.15 + 2.6 * r, 0.1];
      break;
    }
    case "kicks_lr":
    case "kicks_rl": {
      const first = t < 0.5 ? bump(t / 0.5, 0.35) : 0;
      const second = t >= 0.5 ? bump((t - 0.5) / 0.5, 0.35) : 0;
      const [l, r] = a === "kicks_lr" ? [first, second] : [second, first];
      pose.legL = 1.1 * l;
      pose.legR = 1.1 * r;
      break;
    }
    case "circle_cw":
    case "circle_ccw": {
      // The hand traces a circle beside the shoulder, starting and ending at its lowest point.
      const dir = a === "circle_cw" ? -1 : 1;
      const th = -Math.PI / 2 + dir * 2 * Math.PI * smooth(t);
      pose.handTargetR = [home + 0.42 + 0.2 * Math.cos(th), HIP_Y + 0.5 + 0.2 * Math.sin(th)];
      pose.handBlend = bump(t, 0.15);
      break;
    }
    case "walk_lr":
    case "walk_rl": {
      const s = a === "walk_lr" ? 1 : -1;
      pose.x = home + s * WALK_SWING * swing(t);
      // Four steps, each leg in turn; symmetric in time so the twin is the exact reversal.
      const env = bump(t, 0.08);
      const l = 0.5 * (1 - Math.cos(8 * Math.PI * t)) * env;
      const r = 0.5 * (1 - Math.cos(8 * Math.PI * t + Math.PI)) * env;
      pose.stepL = 0.08 * l;
      pose.stepR = 0.08 * r;
      pose.legL = 0.22 * l;
      pose.legR = 0.22 * r;
      break;
    }
    default:
      throw new Error(`not a world-v2 move: ${a}`);
  }
}

/** Joints of a world-v2 move at phase t ∈ [0, 1] for a figure at home (checks: a twin is the reversal). */
export function moveJoints(a: ActionName, t: number, home = 0): Joints {
  const pose = neutralPose(home);
  applyV2(pose, a, t, home);
  return solve(pose);
}

/** A pose at frame t for spans of v1 actions (counted, repeated) and v2 moves. */
function poseAt(spans: ActionSpan[], home: number, t: number): Pose {
  const pose = neutralPose(home);
  const a = spans.find((s) => t >= s.start && t < s.end);
  if (!a) return pose;
  const u = (t - a.start) / (a.end - a.start);
  if ((GESTURES as readonly string[]).includes(a.action) || a.action === "walk_lr" || a.action === "walk_rl")
    applyV2(pose, a.action, u, home);
  else applyAction(pose, a.action, (u * a.reps) % 1, u);
  return pose;
}

const figure = (rng: Rng, id: string, index: number, role: ActorPlan["role"], shirt: string, x: number) =>
  ({
    id,
    index,
    role,
    shirt,
    pants: rng.pick(PANTS_COLORS),
    skin: rng.pick(SKIN_COLORS),
    hair: rng.pick(HAIR_COLORS),
    startX: x,
    actions: [],
    interaction: null,
    joints: [],
  }) as ActorPlan;

/**
 * Frames of the counted span: each repetition spans ≥ 4 of the default sampled frames of the whole clip
 * (uniform sampling, ends included: one sampled frame every (T − 1)/(samples − 1) frames).
 */
export function countedSpan(others: number, hi: number, samples = DEFAULT_SAMPLED_FRAMES): number {
  // S / hi ≥ 4 (S + others − 1) / (samples − 1)  ⇔  S ≥ 4·hi·(others − 1) / (samples − 1 − 4·hi)
  const room = samples - 1 - 4 * hi;
  if (room <= 0) throw new Error(`reps up to ${hi} cannot each span 4 of ${samples} sampled frames`);
  return Math.ceil((4 * hi * (others - 1)) / room) + 1;
}

/** Builds a world-v2 clip plan. Deterministic in (rng state, knobs). */
export function planSceneV2(rng: Rng, k: Knobs, texture: number): ScenePlan {
  const fps = k.fps;
  const sec = (s: number) => Math.max(6, Math.round((s * fps) / k.speed));
  const home = rng.range(-0.25, 0.25);
  const side = rng.pick([-1, 1]); // where the second figure stands; the ball is on the other side

  // The main figure: three moves in random order (the counted action, a directed gesture, a walk to and fro).
  const gesture = rng.pick(GESTURES);
  const walk: ActionName = rng.pick(["walk_lr", "walk_rl"]);
  const counted = rng.pick(
    COUNTABLE_V2.filter((a) => !(a === "wave" && (gesture === "circle_cw" || gesture === "circle_ccw"))),
  );
  const reps = rng.int(k.reps[0], k.reps[1]);
  const lead = Math.max(2, Math.round(0.3 * fps));
  const tail = Math.max(2, Math.round(0.3 * fps));
  const gap = Math.max(1, Math.round(0.1 * fps));
  const lens: Record<string, number> = {
    gesture: sec(ACTION_SECONDS[gesture]),
    walk: sec(ACTION_SECONDS[walk]),
  };
  const others = lead + tail + lens.gesture + lens.walk + 3 * gap;
  lens.counted = countedSpan(others, k.reps[1]);
  const frames = Math.max(Math.round(k.duration * fps), others + lens.counted);
  const order = rng.shuffle(["counted", "gesture", "walk"] as const);
  const slack = frames - others - lens.counted;
  const gaps = [gap, gap, gap];
  for (let i = 0; i < slack; i++) gaps[rng.int(0, 2)]++;
  const shirts = rng.sample(SHIRT_COLORS, 2);
  const main = figure(rng, "actor0", 1, "main", shirts[0], home);
  let f = lead;
  order.forEach((slot, i) => {
    const action = slot === "counted" ? counted : slot === "gesture" ? gesture : walk;
    main.actions.push({ action, start: f, end: f + lens[slot], reps: slot === "counted" ? reps : 1 });
    f += lens[slot] + gaps[i];
  });
  for (let t = 0; t < frames; t++) main.joints.push(solve(poseAt(main.actions, home, t)));

  // The second figure lifts two items in turn and sets each back where it was.
  const dx = home + side * rng.range(1.2, 1.35);
  const helper = figure(rng, "actor1", 2, "distractor", shirts[1], dx);
  const kinds = rng.sample(ITEM_KINDS, 2);
  const colors = rng.sample(ITEM_COLORS, 3);
  const offsets = rng.shuffle([-0.42, 0.42]);
  const items: ItemPlan[] = kinds.map((kind, i) => ({
    id: `item${i}`,
    index: 3 + i,
    kind,
    color: colors[i],
    role: i === 0 ? "target" : "decoy",
    selfMotion: null,
    selfStart: null,
    pos: Array.from({ length: frames }, () => [dx + offsets[i], ITEM_SCALE_V2 * ITEM_SIZE[kind].halfH] as V2),
    angle: new Array(frames).fill(0),
    heldBy: new Array(frames).fill(null),
  }));
  const room = frames - lead - tail;
  const liftLen = Math.min(sec(1.5), Math.floor(room / 2) - 1);
  const free = room - 2 * liftLen;
  const w1 = rng.int(0, free);
  const first = lead + w1;
  const second = first + liftLen + rng.int(0, free - w1);
  const lifts: InteractionSpan[] = [
    { verb: "put_back", item: items[0].id, start: first, end: first + liftLen },
    { verb: "put_back", item: items[1].id, start: second, end: second + liftLen },
  ];
  helper.interactions = lifts;
  helper.interaction = lifts[0];
  for (let t = 0; t < frames; t++) {
    const pose = neutralPose(dx);
    lifts.forEach((sp, i) => {
      if (t >= sp.start && t < sp.end)
        interactPose(pose, "put_back", (t - sp.start) / (sp.end - sp.start), offsets[i], items[i].pos[0]);
    });
    helper.joints.push(solve(pose));
  }
  lifts.forEach((sp, i) => {
    helper.interaction = sp;
    simulateInteraction(helper, items[i], "put_back", offsets[i] > 0 ? 1 : -1, frames, fps);
  });
  helper.interaction = lifts[0];

  // A ball on the ground that rolls to and fro on its own.
  const ballMotion = rng.pick(["roll_left", "roll_right"] as const);
  const bx = home - side * rng.range(1.05, 1.25);
  const r = ITEM_SCALE_V2 * ITEM_SIZE.ball.halfH;
  const ballLen = sec(2.2);
  const ballStart = rng.int(lead, Math.max(lead, frames - tail - ballLen));
  const ball: ItemPlan = {
    id: "item2",
    index: 5,
    kind: "ball",
    color: colors[2],
    role: "self",
    selfMotion: ballMotion,
    selfStart: ballStart,
    pos: [],
    angle: [],
    heldBy: new Array(frames).fill(null),
  };
  const dir = ballMotion === "roll_left" ? 1 : -1;
  for (let t = 0; t < frames; t++) {
    const x = bx + dir * BALL_SWING * swing((t - ballStart) / ballLen);
    ball.pos.push([x, r]);
    ball.angle.push(-(x - bx) / r);
  }
  items.push(ball);

  const { states, segments } = planCameraV2(rng, k, frames, home, lead);
  const occluder =
    rng.next() < k.occlusion
      ? { x: pickOccluderX(rng, home, dx, bx, dx + offsets[0], dx + offsets[1]), width: rng.range(0.2, 0.3) }
      : null;
  return {
    frames,
    fps,
    size: k.size,
    viewWidth: VIEW_WIDTH_V2,
    texture,
    actors: [main, helper],
    items,
    camera: states,
    cameraSegments: segments,
    occluder,
    // No crate in world v2: the scenery polygon sits far outside the view.
    platform: { x: 40, halfW: 0.2, top: 0.3 },
    noise: k.noise,
    noiseSeed: rng.int(0, 2 ** 30),
    mainDirection: "none",
    repsRange: [k.reps[0], k.reps[1]],
    world: 2,
    geom: GEOM_V2,
    itemScale: ITEM_SCALE_V2,
  };
}

/** Camera moves on distinct axes, each a swing out and back; the start framing is random. */
function planCameraV2(
  rng: Rng,
  k: Knobs,
  frames: number,
  home: number,
  lead: number,
): { states: CameraState[]; segments: CameraSegment[] } {
  const n = rng.int(Math.max(1, k.cameraSegments[0]), Math.max(1, k.cameraSegments[1]));
  const moves = randomSwings(rng, n);
  const per = (frames - 2 * lead) / n;
  const segments: CameraSegment[] = moves.map((move, i) => ({
    move,
    start: lead + Math.round(i * per),
    end: lead + Math.round((i + 1) * per),
  }));
  const s = CAMERA_START_SPREAD;
  const start: CameraState = {
    cx: home + rng.range(-s.x, s.x),
    cy: CAMERA_BASE_Y + rng.range(-s.y, s.y),
    zoom: Math.exp(rng.range(-s.zoom, s.zoom)),
    angle: rng.range(-s.roll, s.roll),
  };
  const states: CameraState[] = [];
  for (let t = 0; t < frames; t++) {
    const st = { ...start };
    for (const seg of segments) {
      const v = swing((t - seg.start) / (seg.end - seg.start));
      if (v === 0) continue;
      const sign = ["pan_right", "tilt_up", "zoom_in", "roll_ccw"].includes(seg.move) ? -1 : 1;
      const a = sign * v; // +1 means the positive direction
      switch (CAMERA_AXIS[seg.move]) {
        case "x":
          st.cx += a * CAMERA_SWING.x * k.cameraSwing;
          break;
        case "y":
          st.cy += a * CAMERA_SWING.y * k.cameraSwing;
          break;
        case "zoom":
          st.zoom *= Math.exp(a * CAMERA_SWING.zoom * k.cameraSwing);
          break;
        case "roll":
          st.angle += a * CAMERA_SWING.roll * k.cameraSwing;
          break;
      }
    }
    states.push(st);
  }
  return { states, segments };
}

/** n swings on distinct axes (never "static": a still camera would differ from a moving one in any frame set). */
export function randomSwings(rng: Rng, n: number): CameraMove[] {
  const out: CameraMove[] = [];
  const used = new Set<string>();
  const moving = CAMERA_MOVES.filter((c) => c !== "static");
  while (out.length < Math.min(n, 4)) {
    const m = rng.pick(moving);
    if (used.has(CAMERA_AXIS[m])) continue;
    used.add(CAMERA_AXIS[m]);
    out.push(m);
  }
  return out;
}
