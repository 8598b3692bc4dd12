// Takes the README's explorer screenshots from a real run store: leaderboard, one run view, one sample view.
// Usage: npx node scripts/docs-screenshots.ts RUN_DIR [OUT_DIR=docs]   (needs Debian chromium)
import { join } from "node:path";
import { chromium } from "playwright-core";
import { openSqliteSource } from "../src/analysis/source-sqlite.ts";
import { startServer } from "../src/server/server.ts";

async function main(): Promise<void> {
  const [runDir, out = "docs"] = process.argv.slice(2);
  if (!runDir) throw new Error("usage: scripts/docs-screenshots.ts RUN_DIR [OUT_DIR]");
  const source = openSqliteSource(runDir);
  const server = await startServer({ source, runDir });
  const browser = await chromium.launch({
    executablePath: process.env.KINEMA_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(server.url);
    await page.waitForSelector("table");
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, "explorer-leaderboard.png"), fullPage: true });
    const runs = source.listRuns();
    const run = runs.find((r) => r.model.startsWith("builtin:te-fusion")) ?? runs[0];
    await page.goto(`${server.url}/runs/${encodeURIComponent(run.id)}?outcome=wrong`);
    await page.waitForSelector("table tbody tr");
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(out, "explorer-run.png"), fullPage: false });
    await page.locator("table tbody tr a").first().click();
    await page.waitForSelector("h2");
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(out, "explorer-sample.png"), fullPage: true });
  } finally {
    await browser.close();
    await server.close();
    source.close();
  }
}

await main();
