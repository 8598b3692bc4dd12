// Tiny inline-SVG charts for the static report (no scripts, so the report opens anywhere and stays inert).

export function esc(s: unknown): string {
  return String(s ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Smallest of 1, 2, 2.5, 5 × 10^k that is ≥ x, so four gridlines land on round numbers. */
function niceCeil(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];
export const color = (i: number) => COLORS[i % COLORS.length];

function legend(names: string[], x: number, y: number): string {
  return names
    .map(
      (n, i) =>
        `<rect x="${x}" y="${y + i * 16}" width="10" height="10" fill="${color(i)}"/><text x="${x + 14}" y="${y + i * 16 + 9}" font-size="11">${esc(n)}</text>`,
    )
    .join("");
}

/** A chart's frame: height, left margin (axis labels), top margin, and the plot area beside a 200px legend. */
function frameOf(W: number): { H: number; L: number; T: number; plotW: number; plotH: number } {
  const H = 260;
  const L = 44;
  const B = 40;
  const T = 24;
  const legendW = 200;
  return { H, L, T, plotW: W - L - legendW - 10, plotH: H - T - B };
}

/** Grouped bars: groups on x, one bar per series, values in [0, yMax], optional [lo, hi] whiskers. */
export function barChart(o: {
  title: string;
  groups: string[];
  series: { name: string; values: (number | null)[]; ci?: ([number, number] | null)[] }[];
  yMax?: number;
  yLabel?: string;
  width?: number;
}): string {
  const W = o.width ?? 720;
  const { H, L, T, plotW, plotH } = frameOf(W);
  const yMax = o.yMax ?? niceCeil(Math.max(1, ...o.series.flatMap((s) => s.values.map((v) => v ?? 0))));
  const y = (v: number) => T + plotH - (v / yMax) * plotH;
  const gw = plotW / Math.max(1, o.groups.length);
  const bw = (gw * 0.8) / Math.max(1, o.series.length);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="system-ui,sans-serif" role="img"><title>${esc(o.title)}</title>`;
  for (let t = 0; t <= 4; t++) {
    const v = (yMax * t) / 4;
    svg += `<line x1="${L}" x2="${L + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/><text x="${L - 4}" y="${y(v) + 4}" font-size="10" text-anchor="end">${esc(yMax <= 1 ? (v * 100).toFixed(0) : v.toFixed(0))}</text>`;
  }
  o.groups.forEach((g, gi) => {
    const gx = L + gi * gw + gw * 0.1;
    o.series.forEach((s, si) => {
      const v = s.values[gi];
      if (v === null || v === undefined) return;
      const x = gx + si * bw;
      svg += `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(T + plotH - y(v)).toFixed(1)}" fill="${color(si)}"><title>${esc(`${s.name} · ${g}: ${yMax <= 1 ? (v * 100).toFixed(1) : v}`)}</title></rect>`;
      const c = s.ci?.[gi];
      if (c) {
        const cx = x + bw / 2;
        svg += `<line x1="${cx}" x2="${cx}" y1="${y(c[0])}" y2="${y(c[1])}" stroke="#111827" stroke-width="1.2"/><line x1="${cx - 3}" x2="${cx + 3}" y1="${y(c[0])}" y2="${y(c[0])}" stroke="#111827"/><line x1="${cx - 3}" x2="${cx + 3}" y1="${y(c[1])}" y2="${y(c[1])}" stroke="#111827"/>`;
      }
    });
    svg += `<text x="${L + gi * gw + gw / 2}" y="${T + plotH + 14}" font-size="11" text-anchor="middle">${esc(g)}</text>`;
  });
  if (o.yLabel)
    svg += `<text x="12" y="${T + plotH / 2}" font-size="11" transform="rotate(-90 12 ${T + plotH / 2})" text-anchor="middle">${esc(o.yLabel)}</text>`;
  svg += legend(
    o.series.map((s) => s.name),
    L + plotW + 16,
    T,
  );
  return `${svg}</svg>`;
}

/** Lines over a numeric x axis (accuracy vs frames, vs k). */
export function lineChart(o: {
  title: string;
  xLabel: string;
  series: { name: string; points: { x: number; y: number }[] }[];
  yMax?: number;
}): string {
  const W = 720;
  const { H, L, T, plotW, plotH } = frameOf(W);
  const xs = o.series.flatMap((s) => s.points.map((p) => p.x));
  // a little margin around the measured x values so end points are not on the frame
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const pad = (hi - lo || 1) * 0.05;
  const x0 = lo - pad;
  const x1 = hi + pad;
  const yMax = o.yMax ?? 1;
  const X = (v: number) => L + ((v - x0) / (x1 - x0 || 1)) * plotW;
  const Y = (v: number) => T + plotH - (v / yMax) * plotH;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="system-ui,sans-serif" role="img"><title>${esc(o.title)}</title>`;
  for (let t = 0; t <= 4; t++) {
    const v = (yMax * t) / 4;
    svg += `<line x1="${L}" x2="${L + plotW}" y1="${Y(v)}" y2="${Y(v)}" stroke="#e5e7eb"/><text x="${L - 4}" y="${Y(v) + 4}" font-size="10" text-anchor="end">${esc((v * 100).toFixed(0))}</text>`;
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b))
    svg += `<text x="${X(x)}" y="${T + plotH + 14}" font-size="10" text-anchor="middle">${esc(x)}</text>`;
  svg += `<text x="${L + plotW / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(o.xLabel)}</text>`;
  o.series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    svg += `<polyline fill="none" stroke="${color(i)}" stroke-width="2" points="${pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(" ")}"/>`;
    for (const p of pts)
      svg += `<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="3" fill="${color(i)}"><title>${esc(`${s.name}: x=${p.x}, ${(p.y * 100).toFixed(1)}%`)}</title></circle>`;
  });
  svg += legend(
    o.series.map((s) => s.name),
    L + plotW + 16,
    T,
  );
  return `${svg}</svg>`;
}
