// Dense per-frame labels from a clip's timeline, for training: what the main figure is doing, the phase of
// its repetition, where it is in the frame, how far the camera has swung, where the rolling ball is and
// which item is held. A model trained to predict them from its visual tokens must keep per-frame motion.
import type { Timeline } from "./timeline.ts";
import { ACTIONS } from "./vocab.ts";

/** Names of the label columns (after the action class, which is column 0). */
export const FRAME_LABELS = [
  "action", // 0 = none, 1 + index in ACTIONS
  "phase_sin",
  "phase_cos",
  "main_x",
  "main_y",
  "cam_dx",
  "cam_dy",
  "cam_dzoom",
  "cam_droll",
  "ball_dx",
  "held_0",
  "held_1",
  // Rates of change between neighbouring sampled frames (per unit of clip time, /10): what a group of
  // frames can see, where the offsets above need the clip's start for reference.
  "cam_vx",
  "cam_vy",
  "cam_vzoom",
  "cam_vroll",
  "main_vx",
  "ball_vx",
  // The main figure's hands and feet relative to its hip (world units, /0.6; zeros when the timeline
  // predates them): which limb is up, frame by frame.
  "hand_lx",
  "hand_ly",
  "hand_rx",
  "hand_ry",
  "foot_lx",
  "foot_ly",
  "foot_rx",
  "foot_ry",
] as const;
export const ACTION_CLASSES = ACTIONS.length + 1;

/** Frame indices of uniform:N (linspace(0, T − 1, N), ends included), as the video sampler picks them. */
export function uniformIndices(total: number, n: number): number[] {
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, i) => Math.floor((i * (total - 1)) / (n - 1)));
}

/** One row of FRAME_LABELS per wanted frame (floats; column 0 an integer class). */
export function frameLabels(tl: Timeline, frames: number[]): number[][] {
  const main = tl.actors.find((a) => a.role === "main") ?? tl.actors[0];
  const helper = tl.actors.find((a) => a.role !== "main");
  const ball = tl.items.find((i) => i.role === "self");
  const lifted = helper ? tl.items.filter((i) => i.heldBy.includes(helper.id)) : [];
  const cam0 = tl.camera.track[0];
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  // Normalised camera offsets and world positions per frame, differentiated over the sampled frames.
  const camOff = (f: number) => {
    const c = tl.camera.track[f];
    return [
      (c.cx - cam0.cx) / 0.3,
      (c.cy - cam0.cy) / 0.22,
      Math.log(c.zoom / cam0.zoom) / Math.log(1.18),
      (c.angle - cam0.angle) / ((7 * Math.PI) / 180),
      main.track[f][0] / 0.45,
      ball ? ball.track[f][0] / 0.35 : 0,
    ];
  };
  const rate = (i: number): number[] => {
    const a = frames[Math.max(0, i - 1)];
    const b = frames[Math.min(frames.length - 1, i + 1)];
    const du = (b - a) / Math.max(1, tl.frames - 1);
    const [oa, ob] = [camOff(a), camOff(b)];
    return oa.map((v, j) => (du > 0 ? (ob[j] - v) / du / 10 : 0));
  };
  return frames.map((f, i) => {
    const cam = tl.camera.track[f];
    const act = main.actions.find((a) => f >= a.start && f < a.end);
    const cls = act ? 1 + ACTIONS.indexOf(act.action as (typeof ACTIONS)[number]) : 0;
    let ps = 0;
    let pc = 0;
    if (act) {
      const phase = (((f - act.start) / (act.end - act.start)) * act.reps) % 1;
      ps = Math.sin(2 * Math.PI * phase);
      pc = Math.cos(2 * Math.PI * phase);
    }
    // The hip in frame coordinates (−0.5 … 0.5 across the frame; roll ignored).
    const [hx, hy] = main.track[f];
    const mx = ((hx - cam.cx) * cam.zoom) / tl.viewWidth;
    const my = ((hy - cam.cy) * cam.zoom) / tl.viewWidth;
    const bdx = ball ? ball.track[f][0] - ball.track[0][0] : 0;
    return [
      cls,
      r(ps),
      r(pc),
      r(mx),
      r(my),
      r((cam.cx - cam0.cx) / 0.3),
      r((cam.cy - cam0.cy) / 0.22),
      r(Math.log(cam.zoom / cam0.zoom) / Math.log(1.18)),
      r((cam.angle - cam0.angle) / ((7 * Math.PI) / 180)),
      r(bdx / 0.35),
      lifted[0]?.heldBy[f] ? 1 : 0,
      lifted[1]?.heldBy[f] ? 1 : 0,
      ...rate(i).map(r),
      ...(main.limbs?.[f] ?? new Array(8).fill(0)).map((v) => r(v / 0.6)),
    ];
  });
}
