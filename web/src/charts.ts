// Chart.js wrappers for the explorer's plots (registered piecemeal so the bundle stays small).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { h } from "./dom.ts";

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);
Chart.defaults.animation = false;
Chart.defaults.font.family = "system-ui, sans-serif";

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];
export const color = (i: number) => COLORS[i % COLORS.length];

function canvas(title: string, id: string): { box: HTMLElement; cv: HTMLCanvasElement } {
  const cv = h("canvas", { id });
  const box = h(
    "figure",
    { className: "chart" },
    h("figcaption", {}, title),
    h("div", { className: "chart-body" }, cv),
  );
  return { box, cv };
}

/** Accuracy per category, the 95% interval drawn over each bar as a thin error bar. */
export function categoryChart(
  rows: { category: string; acc: number | null; ci95: [number, number] | null; n: number }[],
  labels: (c: string) => string,
): HTMLElement {
  const { box, cv } = canvas("Accuracy per category (%, with 95% interval)", "chart-categories");
  queueMicrotask(
    () =>
      new Chart(cv, {
        type: "bar",
        data: {
          labels: rows.map((r) => labels(r.category)),
          datasets: [
            { label: "accuracy", data: rows.map((r) => (r.acc ?? 0) * 100), backgroundColor: color(0) },
            {
              // drawn over the accuracy bar as a thin dark floating bar: an error bar from lo to hi
              label: "95% interval",
              data: rows.map((r) => (r.ci95 ? [r.ci95[0] * 100, r.ci95[1] * 100] : null)) as any,
              backgroundColor: "rgba(17,24,39,0.75)",
              grouped: false,
              barPercentage: 0.06,
              order: -1,
            } as any,
          ],
        },
        options: { responsive: true, maintainAspectRatio: false, scales: { y: { min: 0, max: 100 } } },
      }),
  );
  return box;
}

export function letterChart(d: { letters: string[]; predicted: number[]; truth: number[] }): HTMLElement {
  const { box, cv } = canvas("Option-letter bias: predicted vs ground-truth letters", "chart-letters");
  queueMicrotask(
    () =>
      new Chart(cv, {
        type: "bar",
        data: {
          labels: d.letters,
          datasets: [
            { label: "predicted", data: d.predicted, backgroundColor: color(1) },
            { label: "ground truth", data: d.truth, backgroundColor: color(2) },
          ],
        },
        options: { responsive: true, maintainAspectRatio: false },
      }),
  );
  return box;
}

export function lineChart(
  title: string,
  id: string,
  xLabel: string,
  series: { name: string; points: { x: number; y: number }[] }[],
): HTMLElement {
  const { box, cv } = canvas(title, id);
  queueMicrotask(
    () =>
      new Chart(cv, {
        type: "line",
        data: {
          datasets: series.map((s, i) => ({
            label: s.name,
            data: s.points,
            borderColor: color(i),
            backgroundColor: color(i),
            tension: 0,
          })),
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          parsing: false,
          scales: {
            x: {
              type: "linear",
              title: { display: true, text: xLabel },
              // ticks only where there are measurements (4, 8, 16 frames), not at 4.5, 5, ...
              afterBuildTicks: (axis: any) => {
                const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort(
                  (a, b) => a - b,
                );
                axis.ticks = xs.map((value) => ({ value }));
              },
            },
            y: { title: { display: true, text: "accuracy (%)" }, suggestedMin: 0, suggestedMax: 100 },
          },
        },
      }),
  );
  return box;
}
