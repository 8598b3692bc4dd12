// Synthetic world throughput from ONE run: frames rendered per second (one core, render only and render +
// masks) and clips encoded per second (ffmpeg h264) at 128×128 and 224×224, plus the 600-question balance.
// Usage: npx node perf/synth.ts [clips]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeMp4 } from "../src/synth/encode.ts";
import { planDataset, renderClip } from "../src/synth/index.ts";
import { renderFrame } from "../src/synth/render.ts";
import { synthReport } from "../src/synth/report.ts";

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

const clips = Number(process.argv[2] ?? 40);
const dir = mkdtempSync(join(tmpdir(), "kinema-perf-synth-"));
const rows: string[] = [];
try {
  for (const size of [
    { w: 128, h: 128 },
    { w: 224, h: 224 },
  ]) {
    const plan = planDataset({ n: clips * 6, seed: 1, preset: "motionbench", size });
    const scenes = plan.clips.map((c) => c.scene);
    // Warm up the JIT and the background textures on one clip.
    for (let t = 0; t < scenes[0].frames; t++) renderFrame(scenes[0], t);
    const frame = { rgb: new Uint8Array(size.w * size.h * 3), ids: new Uint8Array(size.w * size.h) };
    let frames = 0;
    // Wall clock and this process's CPU time: on a shared machine the CPU rate is the one-core figure.
    let t0 = performance.now();
    let c0 = process.cpuUsage();
    for (const s of scenes) for (let t = 0; t < s.frames; t++, frames++) renderFrame(s, t, frame);
    const renderFps = frames / ((performance.now() - t0) / 1000);
    const renderCpuFps = frames / cpuSeconds(c0);
    t0 = performance.now();
    c0 = process.cpuUsage();
    const rendered = plan.clips.map((c) => renderClip(c.scene, c.clip));
    const withMasksFps = frames / ((performance.now() - t0) / 1000);
    const withMasksCpuFps = frames / cpuSeconds(c0);
    t0 = performance.now();
    const encodeN = Math.min(clips, 16);
    for (let i = 0; i < encodeN; i++) {
      const r = rendered[i];
      await encodeMp4(r.video, size.w, size.h, r.scene.fps, join(dir, `${i}.mp4`));
    }
    const encodeCps = encodeN / ((performance.now() - t0) / 1000);
    rows.push(
      `${size.w}x${size.h}: rendered frames/s ${renderFps.toFixed(0)} wall, ${renderCpuFps.toFixed(0)} per CPU-second ` +
        `(target >= 2000 at 128x128); render+masks frames/s ${withMasksFps.toFixed(0)} wall, ` +
        `${withMasksCpuFps.toFixed(0)} per CPU-second; clips encoded/s ${encodeCps.toFixed(2)} ` +
        `(sequential ffmpeg, ${(frames / scenes.length).toFixed(0)} frames/clip, ${clips} clips)`,
    );
  }
  const rep = synthReport(
    planDataset({ n: 600, seed: 1, preset: "motionbench" }).clips.flatMap((c) => c.questions),
  );
  rows.push(
    `600 motionbench questions: min per category ${Math.min(...Object.values(rep.perCategory))}, ` +
      `max letter deviation ${Math.max(...Object.values(rep.letters).map((l) => l.maxDeviation))} pts, ` +
      `longest-option gap ${rep.heuristics.longest.gap} pts, word-overlap gap ${rep.heuristics.overlap.gap} pts`,
  );
  for (const r of rows) console.log(r);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
