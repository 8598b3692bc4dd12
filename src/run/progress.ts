// Progress for long runs on stderr: a redrawn bar with rate and ETA on a terminal, periodic plain lines otherwise.

export interface ProgressCounts {
  done: number;
  total: number;
  ok: number;
  failed: number;
  unparsed: number;
}

export interface Progress {
  update(c: ProgressCounts): void;
  finish(c: ProgressCounts): void;
}

function fmtSecs(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export function createProgress(
  label: string,
  stream: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean } = process.stderr,
  opts: { tty?: boolean; intervalMs?: number } = {},
): Progress {
  const tty = opts.tty ?? Boolean(stream.isTTY);
  const interval = opts.intervalMs ?? (tty ? 100 : 10_000);
  const start = performance.now();
  let startDone = -1;
  let last = 0;
  let lastPct = -1;
  const line = (c: ProgressCounts) => {
    const secs = (performance.now() - start) / 1000;
    const rate = (c.done - Math.max(0, startDone)) / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (c.total - c.done) / rate : Number.POSITIVE_INFINITY;
    const pct = c.total ? Math.floor((100 * c.done) / c.total) : 100;
    const stats = `${c.done}/${c.total} ok ${c.ok} failed ${c.failed} unparsed ${c.unparsed} ${rate.toFixed(1)}/s elapsed ${fmtSecs(secs)} ETA ${fmtSecs(eta)}`;
    if (!tty) return `${label}: ${pct}% ${stats}`;
    const width = 24;
    const fill = Math.round((width * pct) / 100);
    return `${label} [${"#".repeat(fill)}${".".repeat(width - fill)}] ${pct}% ${stats}`;
  };
  return {
    update(c) {
      if (startDone < 0) startDone = c.done;
      const t = performance.now();
      const pct = c.total ? Math.floor((10 * c.done) / c.total) : 10;
      // Plain mode: a line per 10% (at most one a second) or per interval, to keep CI logs short.
      if (t - last < interval && (tty || pct === lastPct || t - last < 1000)) return;
      last = t;
      lastPct = pct;
      stream.write(tty ? `\r\x1b[2K${line(c)}` : `${line(c)}\n`);
    },
    finish(c) {
      if (startDone < 0) startDone = c.done;
      stream.write(tty ? `\r\x1b[2K${line(c)}\n` : `${line(c)}\n`);
    },
  };
}
