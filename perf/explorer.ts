// perf/explorer: time to first byte and full load of the run view for a 10,000-sample run (target < 1 s),
// cold (the server's first look at the run) and warm, through the API and in headless chromium.
// Usage: npx node perf/explorer.ts [--samples 10000]
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { buildStore, standardRuns } from "../devkit/explorer-fixture.ts";
import { openSqliteSource } from "../src/analysis/source-sqlite.ts";
import { startServer } from "../src/server/server.ts";

const n = Number(process.argv[process.argv.indexOf("--samples") + 1]) || 10_000;
const TARGET_MS = 1000;
const dir = mkdtempSync(join(tmpdir(), "kinema-perf-explorer-"));

function timedGet(url: string): Promise<{ ttfb: number; total: number; bytes: number; status: number }> {
  const t0 = performance.now();
  return new Promise((ok, fail) => {
    const req = request(url, (res) => {
      const ttfb = performance.now() - t0;
      let bytes = 0;
      res.on("data", (c: Buffer) => (bytes += c.length));
      res.on("end", () => ok({ ttfb, total: performance.now() - t0, bytes, status: res.statusCode ?? 0 }));
    });
    req.on("error", fail);
    req.end();
  });
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms (${(ms / TARGET_MS).toFixed(3)} of the 1 s target)`;

try {
  const t = performance.now();
  // three runs so the cross-run filters (wrong for every model, disagree) have real work to do
  const ids = buildStore({ runDir: dir, n, runs: standardRuns(undefined), hostileAt: 3 });
  console.log(
    `built a store with 3 runs × ${n} samples in ${(performance.now() - t).toFixed(0)} ms (not part of the measurement)`,
  );
  const run = ids[2];

  // API: a fresh server per measurement so "cold" really is the server's first look at the run
  {
    const s = await startServer({ source: openSqliteSource(dir), runDir: dir, web: false });
    const url = `${s.url}/api/runs/${run}/samples?page=1&pageSize=50`;
    const cold = await timedGet(url);
    const warm = await timedGet(url);
    const filt = await timedGet(`${s.url}/api/runs/${run}/samples?outcome=wrong&q=square&page=3&pageSize=50`);
    const cross = await timedGet(`${s.url}/api/runs/${run}/samples?allWrong=1&page=1&pageSize=50`);
    const summary = await timedGet(`${s.url}/api/runs/${run}`);
    const last = await timedGet(`${s.url}/api/runs/${run}/samples?page=200&pageSize=50`);
    console.log(
      `API run view page 1, cold: TTFB ${fmt(cold.ttfb)}, full ${fmt(cold.total)}, ${cold.bytes} B`,
    );
    console.log(`API run view page 1, warm: TTFB ${fmt(warm.ttfb)}, full ${fmt(warm.total)}`);
    console.log(`API filter outcome+text search: full ${fmt(filt.total)}`);
    console.log(`API 'wrong for every model' (3 runs): full ${fmt(cross.total)}`);
    console.log(`API run summary + plots (bootstrap CIs): full ${fmt(summary.total)}`);
    console.log(`API last page (200): full ${fmt(last.total)}`);
    await s.close();
    s.explorer.source.close();
  }

  // Browser: navigation to the run view until the first page of the table is on screen. The browser is
  // warmed on one server (bundle cached), the measured navigation goes to a fresh server (cold run).
  {
    const ctx = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: process.env.KINEMA_CHROMIUM ?? "/usr/bin/chromium",
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const warmup = await startServer({ source: openSqliteSource(dir), runDir: dir, web: true });
    await page.goto(`${warmup.url}/?bench=none`);
    await page.waitForSelector("h1");
    await warmup.close();
    warmup.explorer.source.close();
    const s = await startServer({ source: openSqliteSource(dir), runDir: dir });
    const open = async (path: string) => {
      const t0 = performance.now();
      await page.goto(`${s.url}${path}`);
      await page.waitForSelector("table.samples tbody tr");
      const total = performance.now() - t0;
      const ttfb = await page.evaluate(() => {
        const e = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        return e.responseStart - e.startTime;
      });
      return { total, ttfb };
    };
    const cold = await open(`/runs/${run}`);
    console.log(`browser run view, cold server: TTFB ${fmt(cold.ttfb)}, table on screen ${fmt(cold.total)}`);
    const warm = await open(`/runs/${run}?outcome=wrong&page=2`);
    console.log(
      `browser run view, warm, filtered page 2: TTFB ${fmt(warm.ttfb)}, table on screen ${fmt(warm.total)}`,
    );
    await ctx.close();
    await s.close();
    s.explorer.source.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
