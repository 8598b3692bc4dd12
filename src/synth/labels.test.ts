// Dense frame labels: the rate columns follow the camera's and figures' motion, and the limb columns say
// which hand is up — what a group of a few frames can see (the offset columns need the clip's start).
import assert from "node:assert/strict";
import { test } from "node:test";
import { planDataset } from "./index.ts";
import { FRAME_LABELS, frameLabels, uniformIndices } from "./labels.ts";
import { buildTimeline } from "./timeline.ts";

const col = (name: (typeof FRAME_LABELS)[number]) => FRAME_LABELS.indexOf(name);

test("frame labels: one row of every column per sampled frame; rates match the camera's own motion", () => {
  const plan = planDataset({ n: 60, seed: 3, preset: "motionbench" });
  let checked = 0;
  for (const c of plan.clips) {
    const tl = buildTimeline(c.scene, c.clip);
    const idx = uniformIndices(tl.frames, 32);
    const rows = frameLabels(tl, idx);
    assert.equal(rows.length, 32);
    for (const r of rows) assert.equal(r.length, FRAME_LABELS.length);
    // cam_vx has the sign of the pan between neighbouring sampled frames, and is zero while still.
    for (let i = 1; i < 31; i++) {
      const d = tl.camera.track[idx[i + 1]].cx - tl.camera.track[idx[i - 1]].cx;
      const v = rows[i][col("cam_vx")];
      if (Math.abs(d) > 1e-3) {
        assert.equal(Math.sign(v), Math.sign(d), `${c.clip} frame ${idx[i]}`);
        checked++;
      } else assert.ok(Math.abs(v) < 0.05, `${c.clip} frame ${idx[i]}: ${v}`);
    }
    // The walk's rate column changes sign as the figure goes out and back.
    const vx = rows.map((r) => r[col("main_vx")]);
    assert.ok(Math.max(...vx) > 0.1 && Math.min(...vx) < -0.1, `${c.clip}: walk rates ${vx}`);
  }
  assert.ok(checked > 100, `only ${checked} panning frames checked`);
});

test("frame labels: during arms_lr the left hand is raised first, then the right", () => {
  const plan = planDataset({ n: 120, seed: 5, preset: "motionbench" });
  let seen = 0;
  for (const c of plan.clips) {
    const tl = buildTimeline(c.scene, c.clip);
    const main = tl.actors.find((a) => a.role === "main")!;
    const span = main.actions.find((a) => a.action === "arms_lr" || a.action === "arms_rl");
    if (!span) continue;
    const len = span.end - span.start;
    const [q1, q3] = [span.start + Math.floor(len / 4), span.start + Math.floor((3 * len) / 4)];
    const [a, b] = frameLabels(tl, [q1, q3]);
    const lift = (r: number[], side: "l" | "r") => r[col(side === "l" ? "hand_ly" : "hand_ry")];
    const first = span.action === "arms_lr" ? "l" : "r";
    const second = first === "l" ? "r" : "l";
    assert.ok(lift(a, first) > lift(a, second) + 0.2, `${c.clip} ${span.action} at ${q1}`);
    assert.ok(lift(b, second) > lift(b, first) + 0.2, `${c.clip} ${span.action} at ${q3}`);
    seen++;
  }
  assert.ok(seen >= 5, `only ${seen} clips with an arm gesture`);
});
