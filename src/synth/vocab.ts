// The synthetic world's vocabulary: actions, object kinds, interactions, camera moves, colours, presets.

export const ACTIONS = [
  "wave",
  "jump",
  "nod",
  "clap",
  "squat",
  "kick",
  "raise_arm",
  "turn_around",
  "bow",
  "shake_head",
  "walk_left",
  "walk_right",
  "sit_down",
  "stand_up",
  // World v2: moves whose time reversal is their twin ("left first" reversed is "right first"), so the
  // options of a question can differ only in the order of what happens, never in any single frame.
  "arms_lr",
  "arms_rl",
  "kicks_lr",
  "kicks_rl",
  "circle_cw",
  "circle_ccw",
  "walk_lr",
  "walk_rl",
] as const;
export type ActionName = (typeof ACTIONS)[number];

/** Actions that make sense repeated and counted ("how many times does it ..."). */
export const REPEATABLE: readonly ActionName[] = [
  "wave",
  "jump",
  "nod",
  "clap",
  "squat",
  "kick",
  "raise_arm",
  "turn_around",
  "bow",
  "shake_head",
];

/** Option text for "what does it do" (3rd person) and the verb for counting questions. */
export const ACTION_TEXT: Record<ActionName, { does: string; verb: string }> = {
  wave: { does: "waves a hand", verb: "wave its hand" },
  jump: { does: "jumps", verb: "jump" },
  nod: { does: "nods", verb: "nod its head" },
  clap: { does: "claps", verb: "clap" },
  squat: { does: "squats", verb: "squat" },
  kick: { does: "kicks a leg out", verb: "kick its leg out" },
  raise_arm: { does: "raises an arm", verb: "raise its left arm" },
  turn_around: { does: "turns around", verb: "turn around" },
  bow: { does: "bows", verb: "bow" },
  shake_head: { does: "shakes its head", verb: "shake its head" },
  walk_left: { does: "walks to the left", verb: "walk left" },
  walk_right: { does: "walks to the right", verb: "walk right" },
  sit_down: { does: "sits down", verb: "sit down" },
  stand_up: { does: "stands up", verb: "stand up" },
  // World v2: `does` names the move without its direction (twins share it, so an Action Order option says
  // nothing about direction); the direction is in TWIN_TEXT.
  arms_lr: { does: "raises each arm in turn", verb: "raise its arms" },
  arms_rl: { does: "raises each arm in turn", verb: "raise its arms" },
  kicks_lr: { does: "kicks each leg out in turn", verb: "kick its legs out" },
  kicks_rl: { does: "kicks each leg out in turn", verb: "kick its legs out" },
  circle_cw: { does: "circles a hand", verb: "circle its hand" },
  circle_ccw: { does: "circles a hand", verb: "circle its hand" },
  walk_lr: { does: "walks to and fro", verb: "walk to and fro" },
  walk_rl: { does: "walks to and fro", verb: "walk to and fro" },
};

/** World v2 twins: each move's time reversal. */
export const TWIN: Partial<Record<ActionName, ActionName>> = {
  arms_lr: "arms_rl",
  arms_rl: "arms_lr",
  kicks_lr: "kicks_rl",
  kicks_rl: "kicks_lr",
  circle_cw: "circle_ccw",
  circle_ccw: "circle_cw",
  walk_lr: "walk_rl",
  walk_rl: "walk_lr",
};
/** The directed gestures of world v2 (Motion Recognition asks which of a twin pair was made). */
export const GESTURES = ["arms_lr", "arms_rl", "kicks_lr", "kicks_rl", "circle_cw", "circle_ccw"] as const;
/** Option text of a directed move: what tells it from its twin. */
export const TWIN_TEXT: Partial<Record<ActionName, string>> = {
  arms_lr: "raises the arm on the left first",
  arms_rl: "raises the arm on the right first",
  kicks_lr: "kicks out the leg on the left first",
  kicks_rl: "kicks out the leg on the right first",
  circle_cw: "circles a hand clockwise",
  circle_ccw: "circles a hand counterclockwise",
  walk_lr: "to the left",
  walk_rl: "to the right",
};
/** Counted actions of world v2: symmetric in time, so the frames of n repetitions over a fixed span have
 * the same distribution whatever n is (only their rhythm tells the count). */
export const COUNTABLE_V2: readonly ActionName[] = [
  "jump",
  "nod",
  "clap",
  "bow",
  "wave",
  "shake_head",
  "turn_around",
];
/** Frames a model samples by default from a world-v2 clip; every counted repetition spans ≥ 4 of them. */
export const DEFAULT_SAMPLED_FRAMES = 32;

/** Seconds one repetition takes at speed 1 (repeatable ones use reps-per-second instead). */
export const ACTION_SECONDS: Record<ActionName, number> = {
  wave: 0.7,
  jump: 0.7,
  nod: 0.6,
  clap: 0.6,
  squat: 0.9,
  kick: 0.8,
  raise_arm: 0.9,
  turn_around: 1.0,
  bow: 1.0,
  shake_head: 0.7,
  walk_left: 1.6,
  walk_right: 1.6,
  sit_down: 0.9,
  stand_up: 0.9,
  arms_lr: 1.3,
  arms_rl: 1.3,
  kicks_lr: 1.3,
  kicks_rl: 1.3,
  circle_cw: 1.3,
  circle_ccw: 1.3,
  walk_lr: 1.8,
  walk_rl: 1.8,
};

export const ITEM_KINDS = ["key", "cup", "ball", "box", "bottle"] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export const INTERACTIONS = ["pick_up", "put_back", "throw", "push", "kick_away"] as const;
export type Interaction = (typeof INTERACTIONS)[number];
export const INTERACTION_TEXT: Record<Interaction, { does: string; passive: string }> = {
  pick_up: { does: "picks it up and keeps holding it", passive: "picked up and held" },
  put_back: { does: "lifts it and sets it back down", passive: "lifted and set back down" },
  throw: { does: "throws it", passive: "thrown" },
  push: { does: "pushes it along the ground", passive: "pushed along the ground" },
  kick_away: { does: "kicks it away", passive: "kicked away" },
};
/** A body action that looks like part of an interaction (kicking the item, bending to it); a clip with that
 * interaction never uses it, so "which movement" and counting questions stay unambiguous. */
export const INTERACTION_CONFLICT: Record<Interaction, ActionName> = {
  pick_up: "squat",
  put_back: "squat",
  throw: "squat",
  push: "squat",
  kick_away: "kick",
};

/** Short verb for "Which object does the figure ... ?" */
export const INTERACTION_VERB: Record<Interaction, string> = {
  pick_up: "pick up and keep",
  put_back: "lift and set back down",
  throw: "throw",
  push: "push",
  kick_away: "kick away",
};

export const SELF_MOTIONS = ["roll_left", "roll_right", "bounce", "still"] as const;
export type SelfMotion = (typeof SELF_MOTIONS)[number];
export const SELF_MOTION_TEXT: Record<SelfMotion, string> = {
  roll_left: "rolls to the left",
  roll_right: "rolls to the right",
  bounce: "bounces up and down",
  still: "stays where it is",
};

export const CAMERA_MOVES = [
  "static",
  "pan_left",
  "pan_right",
  "tilt_up",
  "tilt_down",
  "zoom_in",
  "zoom_out",
  "roll_cw",
  "roll_ccw",
] as const;
export type CameraMove = (typeof CAMERA_MOVES)[number];
/** World v2 camera moves swing out and back past the start (A → A−d → A+d → A), so the first and last
 * frames are the same and a move's time reversal is its twin; the name says the direction it starts in. */
export const CAMERA_TEXT_V2: Record<CameraMove, string> = {
  static: "stays still",
  pan_left: "pans left, then right",
  pan_right: "pans right, then left",
  tilt_up: "tilts up, then down",
  tilt_down: "tilts down, then up",
  zoom_in: "zooms in, then out",
  zoom_out: "zooms out, then in",
  roll_cw: "rolls clockwise, then counterclockwise",
  roll_ccw: "rolls counterclockwise, then clockwise",
};
export const CAMERA_TWIN: Record<CameraMove, CameraMove> = {
  static: "static",
  pan_left: "pan_right",
  pan_right: "pan_left",
  tilt_up: "tilt_down",
  tilt_down: "tilt_up",
  zoom_in: "zoom_out",
  zoom_out: "zoom_in",
  roll_cw: "roll_ccw",
  roll_ccw: "roll_cw",
};

/** Which axis a move changes: a sequence never uses one axis twice (keeps the scene in view). */
export const CAMERA_AXIS: Record<CameraMove, string> = {
  static: "none",
  pan_left: "x",
  pan_right: "x",
  tilt_up: "y",
  tilt_down: "y",
  zoom_in: "zoom",
  zoom_out: "zoom",
  roll_cw: "roll",
  roll_ccw: "roll",
};

export const COLORS: Record<string, [number, number, number]> = {
  red: [214, 48, 49],
  blue: [45, 95, 220],
  green: [40, 170, 70],
  yellow: [240, 205, 40],
  purple: [150, 60, 190],
  orange: [245, 140, 30],
  white: [245, 245, 245],
  black: [30, 30, 30],
  pink: [240, 120, 180],
  cyan: [40, 200, 210],
};
export const SHIRT_COLORS = ["red", "blue", "green", "yellow", "purple", "orange"] as const;
export const ITEM_COLORS = [
  "red",
  "blue",
  "green",
  "yellow",
  "purple",
  "orange",
  "white",
  "pink",
  "cyan",
] as const;
export const PANTS_COLORS: [number, number, number][] = [
  [50, 50, 70],
  [90, 60, 40],
  [40, 60, 100],
  [70, 70, 70],
];
export const SKIN_COLORS: [number, number, number][] = [
  [241, 194, 150],
  [198, 134, 66],
  [141, 85, 36],
  [224, 172, 105],
];
export const HAIR_COLORS: [number, number, number][] = [
  [40, 30, 20],
  [120, 80, 30],
  [20, 20, 20],
  [200, 170, 90],
];

export type Preset = "easy" | "motionbench" | "hard";

/** Difficulty knobs; every field can be overridden from the CLI. */
export interface Knobs {
  fps: number;
  size: { w: number; h: number };
  /** Minimum clip length in seconds (a clip grows when its action plan needs more). */
  duration: number;
  /** Multiplies the pace of non-counted actions. */
  speed: number;
  /** Repetitions per second of the counted action. */
  repsPerSecond: number;
  /** Inclusive range of the counted action's repetitions. */
  reps: [number, number];
  /** Body actions of the main figure (2–4). */
  actions: number;
  /** Extra figures doing their own actions. */
  distractors: number;
  /** Probability of a foreground pillar that hides part of the scene. */
  occlusion: number;
  /** Per-pixel noise amplitude (0–40 levels). */
  noise: number;
  /** Camera segments per clip [min, max]. */
  cameraSegments: [number, number];
  /** Questions carried by one clip (MotionBench layout: one line each). */
  questionsPerClip: number;
  /** Scales every camera swing's amplitude (pan, tilt, zoom, roll) of world v2 (MotionBench sets; VideoRefer sets keep
   * world v1 and 1). 2 since round 6: at ×1 a swing moved the view 3–4 px at 48 px and Camera Motion was not learnt. */
  cameraSwing: number;
}

export const PRESETS: Record<Preset, Knobs> = {
  easy: {
    fps: 8,
    size: { w: 128, h: 128 },
    duration: 6,
    speed: 0.8,
    repsPerSecond: 1.2,
    reps: [1, 3],
    actions: 2,
    distractors: 0,
    occlusion: 0,
    noise: 0,
    cameraSegments: [1, 1],
    questionsPerClip: 6,
    cameraSwing: 2,
  },
  motionbench: {
    fps: 8,
    size: { w: 128, h: 128 },
    duration: 6,
    speed: 1,
    repsPerSecond: 1.8,
    reps: [1, 4],
    actions: 3,
    distractors: 1,
    occlusion: 0.3,
    noise: 4,
    cameraSegments: [1, 2],
    questionsPerClip: 6,
    cameraSwing: 2,
  },
  hard: {
    fps: 12,
    size: { w: 128, h: 128 },
    duration: 6,
    speed: 1.3,
    repsPerSecond: 2.6,
    reps: [2, 5],
    actions: 4,
    distractors: 2,
    occlusion: 0.6,
    noise: 10,
    cameraSegments: [2, 3],
    questionsPerClip: 6,
    cameraSwing: 2,
  },
};

/** VideoRefer-layout sets keep the first world and its preset values (their questions need no change). */
export const VIDEOREFER_PRESET_VALUES: Record<Preset, Partial<Knobs>> = {
  easy: { reps: [1, 4], cameraSwing: 1 },
  motionbench: { fps: 10, reps: [2, 6], cameraSwing: 1 },
  hard: { reps: [3, 8], cameraSwing: 1 },
};
