// What a run leaves undone, for people: failed samples grouped by error (count, one sample id, the message),
// the command that asks them again, partial runs (a --limit, an interrupted run), token and time totals.
import type { SampleRow } from "../store/index.ts";

export interface FailureGroup {
  /** The typed error code (`network`, `timeout`, `http_status`...). */
  code: string;
  /** HTTP status when the error carried one (401 and 500 are different causes). */
  status?: number;
  count: number;
  /** One sample that failed this way. */
  sample: string;
  /** That sample's error message. */
  message: string;
}

/** Failed samples grouped by error code (and HTTP status), largest group first. */
export function groupFailures(rows: Pick<SampleRow, "sampleId" | "status" | "error">[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const r of rows) {
    if (r.status !== "failed") continue;
    const code = String(r.error?.code ?? "unknown");
    const status = typeof r.error?.status === "number" ? r.error.status : undefined;
    const key = `${code}\0${status ?? ""}`;
    const g = groups.get(key);
    if (g) g.count++;
    else
      groups.set(key, {
        code,
        ...(status !== undefined ? { status } : {}),
        count: 1,
        sample: r.sampleId,
        message: String(r.error?.message ?? "no message recorded"),
      });
  }
  return [...groups.values()].sort(
    (a, b) => b.count - a.count || a.code.localeCompare(b.code) || (a.status ?? 0) - (b.status ?? 0),
  );
}

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that asks a run's failed samples again: the run's stored settings via --resume. Header values
 * are never stored, so the names of the headers the run was made with are listed for the user to add.
 */
export function retryCommand(run: string, runDir: string, headerNames: string[] = []): string {
  const parts = ["npx", "kinema", "eval", "--resume", run];
  if (runDir !== "runs") parts.push("--run-dir", runDir);
  for (const h of headerNames) parts.push("--header", `${h}: …`);
  return parts.map((p) => (p.endsWith(": …") ? `'${p}'` : shellQuote(p))).join(" ");
}

/** Lines listing failure groups: `  network ×8 (e.g. u3): cannot reach http://...`. */
export function failureLines(groups: FailureGroup[]): string[] {
  return groups.map(
    (g) =>
      `  ${g.code}${g.status !== undefined ? ` ${g.status}` : ""} ×${g.count} (e.g. ${g.sample}): ${g.message}`,
  );
}

/** A run that covers only part of its benchmark, or still has samples to ask. */
export interface RunPartial {
  /** Samples with an outcome (ok, unparsed or failed). */
  answered: number;
  /** Items of the benchmark (as loaded when the run last ran). */
  of: number;
  /** limit: fewer samples than the benchmark has (--limit); interrupted: samples still pending. */
  reason: "limit" | "interrupted";
}

/** null when the run covers its whole benchmark and nothing is pending. */
export function partialOf(
  counts: { total: number; pending: number },
  benchItems: unknown,
): RunPartial | null {
  const of = typeof benchItems === "number" && benchItems > 0 ? benchItems : counts.total;
  const answered = counts.total - counts.pending;
  if (counts.pending > 0) return { answered, of, reason: "interrupted" };
  if (counts.total < of) return { answered, of, reason: "limit" };
  return null;
}

/** `partial: 5 of 60 samples (--limit)` / `... (interrupted)`. */
export function partialText(p: RunPartial): string {
  return `partial: ${p.answered} of ${p.of} samples (${p.reason === "limit" ? "--limit" : "interrupted; re-run to continue"})`;
}

/** Seconds for people: `4.2 s`, `3 min 05 s`, `1 h 02 min`. */
export function elapsedText(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** The token line: totals as the server reported them in each reply's `usage`. */
export function tokenText(t: {
  requests: number;
  reported: number;
  promptTokens: number;
  completionTokens: number;
}): string {
  if (t.requests === 0) return "tokens: no model requests in this invocation";
  if (t.reported === 0) return `tokens: not reported by the model (${t.requests} requests)`;
  const n = (x: number) => x.toLocaleString("en-US");
  return (
    `tokens (as the server reported them): prompt ${n(t.promptTokens)}, completion ${n(t.completionTokens)} over ${t.requests} requests` +
    (t.reported < t.requests ? ` (${t.requests - t.reported} replies carried no usage)` : "")
  );
}
