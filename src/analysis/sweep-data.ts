// Points of a frame-setting sweep (accuracy vs frames) from its linked runs.
import type { Explorer } from "./explorer.ts";
import type { SweepFile } from "./source-sqlite.ts";

export interface SweepPoint {
  frames: string;
  run: string;
  /** Frames per clip for uniform/segments specs, fps for fps specs, 0 for none; null if unknown. */
  x: number | null;
  unit: "frames" | "fps" | null;
  acc: number | null;
  ci95: [number, number] | null;
  n: number;
  categories: Record<string, number | null>;
}

export function specX(spec: string): { x: number | null; unit: "frames" | "fps" | null } {
  if (spec === "none") return { x: 0, unit: "frames" };
  const m = /^(uniform|uniform-inner|segments):(\d+)/.exec(spec);
  if (m) return { x: Number(m[2]), unit: "frames" };
  const f = /^fps:([\d.]+)/.exec(spec);
  if (f) return { x: Number(f[1]), unit: "fps" };
  const i = /^indices:(.*)$/.exec(spec);
  if (i) return { x: i[1].split(",").filter(Boolean).length, unit: "frames" };
  return { x: null, unit: null };
}

export function sweepPoints(ex: Explorer, sw: SweepFile): SweepPoint[] {
  const known = new Set(ex.runs().map((r) => r.id));
  return sw.points
    .filter((p) => known.has(p.run))
    .map((p) => {
      const s = ex.summary(p.run);
      const cats: Record<string, number | null> = {};
      for (const [c, a] of Object.entries(s.categories)) cats[c] = a.acc;
      return {
        frames: p.frames,
        run: p.run,
        ...specX(p.frames),
        acc: s.overall.acc,
        ci95: s.overall.ci95,
        n: s.overall.n,
        categories: cats,
      };
    });
}
