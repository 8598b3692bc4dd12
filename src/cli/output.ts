// Printing helpers for commands: JSON for machines, text for people. Only the CLI prints.

export function printJson(data: unknown): void {
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

export function printText(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

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

/** `43.8% (95% CI 30.1–55.2%, n=48)`: accuracy as a percentage for people (JSON keeps fractions). */
export function accuracyText(acc: number | null, ci: [number, number] | null, n: number): string {
  const p = (x: number) => (100 * x).toFixed(1);
  return `${acc === null ? "-" : `${p(acc)}%`}${ci ? ` (95% CI ${p(ci[0])}–${p(ci[1])}%` : " ("}${ci ? ", " : ""}n=${n})`;
}
