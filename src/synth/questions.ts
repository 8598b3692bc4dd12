// Builds multiple-choice questions from a planned clip: the six MotionBench categories and the five
// VideoRefer-Bench-Q types. Answers are known by construction; options come from the same pool as the answer,
// so the answer is exchangeable with its distractors (text-only heuristics stay at chance).
import type { MotionBenchCategory as MotionBenchType } from "../benchmarks/motionbench/categories.ts";
import type { VideoReferType } from "../benchmarks/videorefer-q/categories.ts";
import type { Rng } from "./rng.ts";
import {
  ACTION_TEXT,
  type ActionName,
  CAMERA_TEXT_V2,
  CAMERA_TWIN,
  type CameraMove,
  GESTURES,
  INTERACTION_CONFLICT,
  INTERACTION_TEXT,
  INTERACTIONS,
  type Interaction,
  TWIN,
  TWIN_TEXT,
} from "./vocab.ts";
import type { ItemPlan, ScenePlan } from "./world.ts";

export {
  MOTIONBENCH_CATEGORY_NAMES as MOTIONBENCH_TYPES,
  type MotionBenchCategory as MotionBenchType,
} from "../benchmarks/motionbench/categories.ts";
export { VIDEOREFER_TYPES, type VideoReferType } from "../benchmarks/videorefer-q/categories.ts";

/** A question before export. `template` + `params` let an independent checker re-derive the answer. */
export interface SynthQuestion {
  clip: string;
  type: MotionBenchType | VideoReferType;
  template: string;
  params: Record<string, string | number>;
  question: string;
  options: string[];
  answer: number;
  /** Object ids referenced as <objectN><region>, in order (VideoRefer only). */
  objects: string[];
}

/** Keeps the correct letter uniform per option count: shuffled blocks of positions. */
export class LetterBalancer {
  private queues = new Map<number, number[]>();
  private rng: Rng;
  constructor(rng: Rng) {
    this.rng = rng;
  }
  next(k: number): number {
    let q = this.queues.get(k);
    if (!q || q.length === 0) {
      q = this.rng.shuffle([...Array(k).keys()]);
      this.queues.set(k, q);
    }
    return q.pop()!;
  }
}

interface Draft {
  template: string;
  params: Record<string, string | number>;
  question: string;
  correct: string;
  /** Distractor pool (same kind as the answer, all wrong); shuffled and cut to k−1. */
  pool: string[];
  /** Distractors that must be included first when there is room (e.g. the reversed sequence). */
  prefer?: string[];
  objects?: string[];
}

/** Option count: 2–4, limited by the distractors available. */
function pickK(rng: Rng, available: number): number {
  const want = rng.pick([2, 3, 4, 4]);
  return Math.max(2, Math.min(want, available + 1));
}

function finish(
  rng: Rng,
  bal: LetterBalancer,
  clip: string,
  type: SynthQuestion["type"],
  d: Draft,
): SynthQuestion {
  const pool = [...new Set(d.pool.filter((p) => p !== d.correct))];
  if (pool.length === 0) throw new Error(`no distractors for ${d.template}`);
  const k = pickK(rng, pool.length);
  const prefer = (d.prefer ?? []).filter((p) => pool.includes(p));
  const rest = rng.shuffle(pool.filter((p) => !prefer.includes(p)));
  const distract = rng.shuffle([...prefer, ...rest].slice(0, k - 1));
  const pos = bal.next(k);
  const options = [...distract.slice(0, pos), d.correct, ...distract.slice(pos)];
  return {
    clip,
    type,
    template: d.template,
    params: d.params,
    question: d.question,
    options,
    answer: pos,
    objects: d.objects ?? [],
  };
}

const articleFor = (w: string) => (/^[aeiou]/.test(w) ? "an" : "a");
export const itemName = (it: { color: string; kind: string }) => `the ${it.color} ${it.kind}`;
export const figureName = (shirt: string) => `the figure in the ${shirt} shirt`;

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const p of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...p]);
  });
  return out;
}

export const orderText = (acts: ActionName[]) => acts.map((a) => ACTION_TEXT[a].does).join(", then ");

function mainOf(scene: ScenePlan) {
  return scene.actors.find((a) => a.role === "main")!;
}

/** World v2 camera text: each swing, segments joined in order. */
export function cameraTextV2(moves: CameraMove[]): string {
  return moves.map((m) => CAMERA_TEXT_V2[m]).join("; after that, ");
}

/** Every sequence over the same axes as `moves`: each axis in either direction, in any order. */
function cameraVariants(moves: CameraMove[]): CameraMove[][] {
  const out: CameraMove[][] = [];
  for (const order of permutations(moves))
    for (let mask = 0; mask < 1 << order.length; mask++)
      out.push(order.map((m, i) => (mask & (1 << i) ? CAMERA_TWIN[m] : m)));
  return out;
}

/**
 * One MotionBench-category question about a world-v2 clip. Options differ only in order, direction or
 * count: a twin and its move have the same frames in reverse order, so no single frame, mean frame or
 * shuffled set of frames tells them apart.
 */
export function motionBenchQuestionV2(
  scene: ScenePlan,
  clip: string,
  type: MotionBenchType,
  rng: Rng,
  bal: LetterBalancer,
): SynthQuestion {
  const main = mainOf(scene);
  const helper = scene.actors.find((a) => a.role === "distractor")!;
  const who = figureName(main.shirt);
  const ball = scene.items.find((i) => i.role === "self")!;
  const gesture = main.actions.find((a) => (GESTURES as readonly string[]).includes(a.action))!;
  const walk = main.actions.find((a) => a.action === "walk_lr" || a.action === "walk_rl")!;
  const counted = main.actions.find((a) => a !== gesture && a !== walk)!;
  let d: Draft;
  switch (type) {
    case "Motion Recognition":
      d = {
        template: "mr2_direction",
        params: { actor: main.id, action: gesture.action },
        question: `Which of these movements does ${who} make?`,
        correct: TWIN_TEXT[gesture.action]!,
        pool: [TWIN_TEXT[TWIN[gesture.action]!]!],
      };
      break;
    case "Location-related Motion":
      if (rng.next() < 0.5)
        d = {
          template: "lm2_walk_first",
          params: { actor: main.id },
          question: `Which way does ${who} walk first?`,
          correct: TWIN_TEXT[walk.action]!,
          pool: [TWIN_TEXT[TWIN[walk.action]!]!],
        };
      else
        d = {
          template: "lm2_roll_first",
          params: { item: ball.id },
          question: `With nobody touching it, which way does ${itemName(ball)} roll first?`,
          correct: ball.selfMotion === "roll_left" ? "to the left" : "to the right",
          pool: [ball.selfMotion === "roll_left" ? "to the right" : "to the left"],
        };
      break;
    case "Camera Motion": {
      const moves = scene.cameraSegments.map((s) => s.move);
      d = {
        template: "cm2_swings",
        params: {},
        question: "How does the view change over the course of the clip?",
        correct: cameraTextV2(moves),
        pool: cameraVariants(moves).map(cameraTextV2),
      };
      break;
    }
    case "Motion-related Objects": {
      const lifts = helper.interactions ?? [];
      const which = rng.next() < 0.5 ? 0 : 1;
      const name = (id: string) => itemName(scene.items.find((i) => i.id === id)!);
      d = {
        template: "mo2_lift_order",
        params: { actor: helper.id, index: which },
        question: `Which object does ${figureName(helper.shirt)} lift ${which === 0 ? "first" : "second"}?`,
        correct: name(lifts[which].item),
        pool: [name(lifts[1 - which].item)],
      };
      break;
    }
    case "Action Order": {
      const acts = main.actions.map((a) => a.action);
      d = {
        template: "ao2_order",
        params: { actor: main.id },
        question: `In what order does ${who} move?`,
        correct: orderText(acts),
        pool: permutations(acts).map(orderText),
      };
      break;
    }
    case "Repetition Count": {
      // Exactly the preset's range: every value is the answer equally often, so no option is a giveaway.
      const pool: string[] = [];
      for (let n = scene.repsRange[0]; n <= scene.repsRange[1]; n++) pool.push(String(n));
      d = {
        template: "rc2_count",
        params: { actor: main.id, action: counted.action },
        question: `How many times does ${who} ${ACTION_TEXT[counted.action].verb}?`,
        correct: String(counted.reps),
        pool,
      };
      break;
    }
  }
  return finish(rng, bal, clip, type, d);
}

/** sit_down must come before stand_up and right before it (they are one unit). */
export function validOrder(p: ActionName[]): boolean {
  const s = p.indexOf("sit_down");
  const u = p.indexOf("stand_up");
  return s < 0 || u < 0 || u === s + 1;
}

/** One VideoRefer-Bench-Q style question; objects are referred to as <objectN><region>. */
export function videoReferQuestion(
  scene: ScenePlan,
  clip: string,
  type: VideoReferType,
  rng: Rng,
  bal: LetterBalancer,
): SynthQuestion {
  const main = mainOf(scene);
  const inter = main.interaction!;
  const target = scene.items.find((i) => i.id === inter.item)!;
  const selfItem = scene.items.find((i) => i.role === "self")!;
  const acts = main.actions.map((a) => a.action);
  const kinds = ["key", "cup", "ball", "box", "bottle"];
  let d: Draft;
  switch (type) {
    case "Basic Questions": {
      const it: ItemPlan = rng.pick(scene.items.filter((i) => i.role !== "self"));
      d = {
        template: "vr_basic_kind",
        params: { item: it.id },
        question: "What kind of object is <object0><region>?",
        correct: `${articleFor(it.kind)} ${it.kind}`,
        pool: kinds.map((k) => `${articleFor(k)} ${k}`),
        objects: [it.id],
      };
      break;
    }
    case "Sequential Questions": {
      // Prefer a pair of actions with no interaction between them ("next body movement" stays clear).
      const pairs = [...Array(acts.length - 1).keys()];
      const clean = pairs.filter(
        (j) => !(inter.start >= main.actions[j].end && inter.start < main.actions[j + 1].start),
      );
      const i = rng.pick(clean.length ? clean : pairs);
      d = {
        template: "vr_next_action",
        params: { actor: main.id, index: i },
        question: `Which body movement does <object0><region> make next, after it ${ACTION_TEXT[acts[i]].does}?`,
        correct: ACTION_TEXT[acts[i + 1]].does,
        pool: (Object.keys(ACTION_TEXT) as ActionName[])
          .filter(
            (a) =>
              a !== acts[i + 1] &&
              a !== acts[i] &&
              a !== "stand_up" &&
              a !== INTERACTION_CONFLICT[inter.verb],
          )
          .map((a) => ACTION_TEXT[a].does),
        objects: [main.id],
      };
      break;
    }
    case "Relationship Questions":
      d = {
        template: "vr_relation",
        params: { actor: main.id, item: target.id },
        question: "What does <object0><region> do with <object1><region>?",
        correct: INTERACTION_TEXT[inter.verb].does,
        pool: INTERACTIONS.map((v) => INTERACTION_TEXT[v].does),
        objects: [main.id, target.id],
      };
      break;
    case "Reasoning Questions":
      d = {
        template: "vr_cause",
        params: { item: target.id },
        question: "Why does <object0><region> leave its spot on the ground?",
        correct: causeText(inter.verb),
        // Only real causes: an option that is never right would be a text-only giveaway.
        pool: INTERACTIONS.map(causeText),
        objects: [target.id],
      };
      break;
    case "Future Predictions": {
      const text: Record<string, string> = {
        roll_left: "rolling along to the left",
        roll_right: "rolling along to the right",
        bounce: "bouncing on the crate",
        still: "lying still on the crate",
      };
      d = {
        template: "vr_future_motion",
        params: { item: selfItem.id },
        question: "What will <object0><region> most likely be doing a moment after the clip ends?",
        correct: text[selfItem.selfMotion!],
        pool: Object.values(text),
        objects: [selfItem.id],
      };
      break;
    }
  }
  return finish(rng, bal, clip, type, d);
}

export function causeText(v: Interaction): string {
  return `a figure ${INTERACTION_TEXT[v].does.replace(/ it\b/, " it")}`.replace("a figure ", "someone ");
}
