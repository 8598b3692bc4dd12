// Printing helpers for commands: JSON for machines, text for people. Only the CLI prints.

export { markdownTable, textTable } from "../util/table.ts";

export function printJson(data: unknown): void {
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

export function printText(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** `43.8% (95% CI 30.1–55.2%, n=48)`: accuracy as a percentage for people (JSON keeps fractions). */
export function accuracyText(acc: number | null, ci: [number, number] | null, n: number): string {
  const p = (x: number) => (100 * x).toFixed(1);
  return `${acc === null ? "-" : `${p(acc)}%`}${ci ? ` (95% CI ${p(ci[0])}–${p(ci[1])}%` : " ("}${ci ? ", " : ""}n=${n})`;
}
