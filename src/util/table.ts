// Plain-text and Markdown tables (first row is the header), for any layer that renders a report.

/** Renders rows as an aligned plain-text table (first row is the header). */
export function textTable(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths: number[] = [];
  for (const r of cells) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const out = [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)];
  return out.join("\n");
}

/** Renders rows as a GitHub Markdown table (first row is the header). */
export function markdownTable(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const head = `| ${cells[0].join(" | ")} |`;
  const sep = `|${cells[0].map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`;
  return [head, sep, ...cells.slice(1).map((r) => `| ${r.join(" | ")} |`)].join("\n");
}
