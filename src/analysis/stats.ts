// Accuracy statistics for comparisons: McNemar tests and a video-clustered paired bootstrap of deltas.

import { clusterBootstrap, mulberry32, quantileSorted } from "../benchmarks/stats.ts";
import type { AccuracyCell } from "../benchmarks/types.ts";

export type Accuracy = AccuracyCell;

/** Accuracy with the same video-clustered bootstrap interval `kinema eval` reports (2000 resamples, seed 0). */
export function accuracy(items: { videoId: string; correct: boolean }[]): Accuracy {
  return clusterBootstrap(items.map((x) => ({ cluster: x.videoId, correct: x.correct })));
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** Two-sided exact McNemar p-value: binomial test of b vs c discordant pairs at p = 0.5. */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/** Complementary error function (Numerical Recipes erfcc, |error| < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** McNemar χ² with continuity correction and its p-value (1 degree of freedom). */
export function mcnemarChi2(b: number, c: number): { chi2: number; p: number } {
  if (b + c === 0) return { chi2: 0, p: 1 };
  const chi2 = (Math.abs(b - c) - 1) ** 2 / (b + c);
  return { chi2, p: erfc(Math.sqrt(chi2 / 2)) };
}

/** 95% interval of accB − accA over paired items, resampling videos. */
export function pairedBootstrap(
  pairs: { videoId: string; a: boolean; b: boolean }[],
  resamples = 2000,
  seed = 0,
): [number, number] | null {
  if (pairs.length === 0) return null;
  const clusters = new Map<string, [number, number, number]>();
  for (const p of pairs) {
    const c = clusters.get(p.videoId) ?? [0, 0, 0];
    c[0] += p.a ? 1 : 0;
    c[1] += p.b ? 1 : 0;
    c[2] += 1;
    clusters.set(p.videoId, c);
  }
  const cl = [...clusters.values()];
  const rand = mulberry32(seed);
  const d = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let a = 0;
    let b = 0;
    let t = 0;
    for (let i = 0; i < cl.length; i++) {
      const c = cl[(rand() * cl.length) | 0];
      a += c[0];
      b += c[1];
      t += c[2];
    }
    d[r] = (b - a) / t;
  }
  d.sort();
  return [quantileSorted(d, 0.025), quantileSorted(d, 0.975)];
}
