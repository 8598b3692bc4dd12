// Browser tests of the run explorer: Debian's chromium driven by playwright-core opens the leaderboard, sorts,
// opens a run, applies a filter (URL-synced), opens a sample and sees its frames; hostile model output stays
// text. KINEMA_DOCS_SCREENSHOTS=1 also writes the screenshots under docs/ for the README.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { buildStore, demoRuns, HOSTILE, makeClip, writeSweep } from "../devkit/explorer-fixture.ts";
import { openSqliteSource } from "../src/analysis/source-sqlite.ts";
import type { Sample } from "../src/benchmarks/types.ts";
import { encodeMask } from "../src/masks/rle.ts";
import { encodeIdSegment } from "../src/server/path-id.ts";
import { type ExplorerServer, startServer } from "../src/server/server.ts";

const CHROMIUM = process.env.KINEMA_CHROMIUM ?? "/usr/bin/chromium";
const docs = process.env.KINEMA_DOCS_SCREENSHOTS === "1";
const dir = mkdtempSync(join(tmpdir(), "kinema-browser-"));
const shots = docs ? join(import.meta.dirname, "..", "docs") : join(dir, "shots");
let server: ExplorerServer;
let browser: BrowserContext;
let page: Page;
let ids: string[];
let vr: string;
let reserved: string;
const RESERVED_IDS = ["DAVIS/bear/0", "50% done?#x", "clip.mp4", ".", "..", "~x"];

/** A rectangle mask on the 96×64 clip: x 10..39, y 10..29. */
function rectMask() {
  const m = new Uint8Array(64 * 96);
  for (let y = 10; y < 30; y++) for (let x = 10; x < 40; x++) m[y * 96 + x] = 1;
  return encodeMask(m, 64, 96);
}
const dialogs: string[] = [];
const pageErrors: string[] = [];

before(async () => {
  process.env.KINEMA_CACHE_DIR = join(dir, "cache");
  const video = makeClip(dir);
  ids = buildStore({ runDir: dir, n: 240, video, runs: demoRuns(video), hostileAt: 2 });
  writeSweep(dir, "sweep-demo", "motionbench", "openai:qwen2-vl-7b", [
    { frames: "uniform:4", run: ids[2] },
    { frames: "uniform:8", run: ids[1] },
    { frames: "uniform:16", run: ids[0] },
  ]);
  // a VideoRefer-style run whose benchmark records carry object masks on frames 0 and 26
  [vr] = buildStore({
    runDir: dir,
    n: 6,
    video,
    benchmark: "videorefer-q",
    runs: [{ model: "openai:gpt-4o", frames: "uniform:4", indices: [0, 13, 26, 39], answer: (_i, t) => t }],
  });
  const masked: Sample[] = Array.from({ length: 6 }, (_, i) => ({
    id: `q${String(i).padStart(5, "0")}`,
    videoId: `v${i}`,
    video: { path: video },
    category: "Basic Questions",
    question: "What is <object0><region> doing?",
    options: ["a", "b", "c", "d"],
    answer: "A",
    masks: [{ "0": rectMask(), "26": rectMask() }],
  }));
  // sample ids that need percent-encoding in a URL path
  [reserved] = buildStore({
    runDir: dir,
    n: RESERVED_IDS.length,
    video,
    benchmark: "vcgpt-gen",
    sampleId: (i) => RESERVED_IDS[i],
    runs: [{ model: "openai:m", frames: "uniform:4", indices: [0, 13, 26, 39], answer: (_i, t) => t }],
  });
  // a compression study result in `kinema study compression`'s study.json shape
  const study = join(dir, "study.json");
  writeFileSync(
    study,
    JSON.stringify({
      version: 1,
      cells: ["none", "pllava", "te-fusion"].flatMap((method, m) =>
        [1, 2, 4, 8].map((k) => ({
          protocol: "fixed-N",
          method,
          k,
          acc: { mean: 0.7 - (0.03 * k) / (m + 1), std: 0.02, n: 3 },
        })),
      ),
      paper_table4: { "te-fusion": { k: 4, MotionBench: 51.0, MVBench: 72.1 } },
    }),
  );
  server = await startServer({
    source: openSqliteSource(dir, {
      loadBenchmark: async (r) => (r.benchmark === "videorefer-q" ? masked : null),
    }),
    runDir: dir,
    studyPath: study,
  });
  assert.ok(existsSync(CHROMIUM), `chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  // a fresh profile per run (playwright wants --user-data-dir given this way)
  browser = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1360, height: 900 },
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
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  server?.explorer.source.close();
  rmSync(dir, { recursive: true, force: true });
});

const ready = (p: Page) =>
  p.waitForFunction(() => document.body.dataset.ready !== undefined && !document.querySelector("main:empty"));

test("leaderboard: one row per run, Table-3 columns, best first, sortable", async () => {
  await page.goto(server.url);
  await page.waitForSelector("table.leaderboard tbody tr");
  const heads = await page.$$eval("table.leaderboard th", (ths) => ths.map((t) => t.textContent));
  for (const h of ["Model", "Frames", "Dev AVG", "MR", "LM", "CM", "RC", "Failed %", "Unparsed %"])
    assert.ok(heads.includes(h), `missing column ${h}: ${heads}`);
  const avg = () =>
    page.$$eval("table.leaderboard tbody tr td:nth-child(4)", (tds) =>
      tds.map((t) => Number.parseFloat(t.textContent!)),
    );
  const first = await avg();
  assert.equal(first.length, 5);
  assert.deepEqual(
    first,
    [...first].sort((a, b) => b - a),
  );
  await page.screenshot({ path: join(shots, "explorer-leaderboard.png"), fullPage: true });
  await page.click('th[data-col="overall"]'); // best-first → worst-first
  await page.waitForFunction(() => location.search.includes("dir=asc"));
  await page.waitForFunction(
    () => document.querySelector("table.leaderboard tbody tr td")?.textContent === "random:0",
  );
  assert.deepEqual(
    await avg(),
    [...first].sort((a, b) => a - b),
  );
  // the other benchmark has its own tab
  await page.click("text=videorefer-q");
  await page.waitForFunction(() => document.querySelectorAll("table.leaderboard tbody tr").length === 1);
});

test("run view: filter by outcome and category, state in the URL, pagination", async () => {
  await page.goto(`${server.url}/runs/${encodeURIComponent(ids[2])}`);
  await page.waitForSelector("table.samples tbody tr");
  assert.match((await page.textContent("#total")) ?? "", /^240 match/);
  await page.selectOption("#f-outcome", "wrong");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("outcome") === "wrong");
  await page.waitForFunction(() =>
    [...document.querySelectorAll("table.samples tbody .badge")].every((b) => b.textContent === "wrong"),
  );
  const wrongTotal = Number((await page.textContent("#total"))!.split(" ")[0]);
  assert.ok(wrongTotal > 0 && wrongTotal < 240);
  await page.selectOption("#f-category", "Camera Motion");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("category") === "Camera Motion");
  await page.waitForFunction(() =>
    [...document.querySelectorAll("table.samples tbody tr td:nth-child(3)")].every(
      (t) => t.textContent === "Camera Motion",
    ),
  );
  // reload keeps the filter (state lives in the URL)
  await page.reload();
  await page.waitForSelector("table.samples tbody tr");
  assert.equal(await page.$eval("#f-outcome", (s) => (s as HTMLSelectElement).value), "wrong");
  assert.equal(await page.$eval("#f-category", (s) => (s as HTMLSelectElement).value), "Camera Motion");
  await page.waitForSelector("#run-charts[data-ready='1']");
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(shots, "explorer-run.png"), fullPage: true });
  // unfiltered: 240 rows in pages of 50
  await page.goto(`${server.url}/runs/${encodeURIComponent(ids[3])}`);
  await page.waitForSelector("#next-page");
  await page.click("#next-page");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("page") === "2");
  await page.waitForFunction(() => document.querySelector("table.samples tbody tr td")?.textContent === "51");
});

test("sample view: the frames the model received, with indices and timestamps; next within the filter", async () => {
  await page.goto(`${server.url}/runs/${encodeURIComponent(ids[1])}?outcome=wrong`);
  await page.waitForSelector("table.samples tbody tr");
  const firstId = await page.$eval("table.samples tbody tr", (tr) => (tr as HTMLElement).dataset.id);
  await page.click("table.samples tbody tr td:nth-child(4)");
  await page.waitForSelector("#filmstrip canvas");
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("#filmstrip canvas")].every(
        (c) => (c as HTMLElement).dataset.loaded === "1",
      ),
    null,
    { timeout: 20_000 },
  );
  const caps = await page.$$eval("#filmstrip .cap", (cs) => cs.map((c) => c.textContent));
  assert.equal(caps.length, 8);
  assert.match(caps[1]!, /frame 6 · 0\.60 s/);
  const size = await page.$eval("#filmstrip canvas", (c) => [
    (c as HTMLCanvasElement).width,
    (c as HTMLCanvasElement).height,
  ]);
  assert.deepEqual(size, [96, 64]);
  // frames differ (testsrc moves): the first and last frame's pixels are not the same
  const differ = await page.evaluate(() => {
    const cs = [...document.querySelectorAll("#filmstrip canvas")] as HTMLCanvasElement[];
    const px = (c: HTMLCanvasElement) =>
      c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data.join(",");
    return px(cs[0]) !== px(cs[cs.length - 1]);
  });
  assert.ok(differ);
  assert.equal(await page.textContent("h1 .badge"), "wrong");
  assert.ok(page.url().includes(`/samples/${firstId}`));
  await page.screenshot({ path: join(shots, "explorer-sample.png"), fullPage: true });
  await page.click("text=next ›");
  // the URL changes at once; wait for the next sample's view itself
  await page.waitForFunction(
    (id) => !document.querySelector("#sample h1")?.textContent?.includes(`${id} `),
    firstId,
  );
  assert.equal(await page.textContent("h1 .badge"), "wrong");
  assert.match(page.url(), /outcome=wrong/); // the filter travels with next/previous
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction(
    (id) => document.querySelector("#sample h1")?.textContent?.includes(`${id} `),
    firstId,
  );
  assert.ok(page.url().includes(`/samples/${firstId}?outcome=wrong`));
});

test("hostile model output and question render as text, never as HTML", async () => {
  await page.goto(`${server.url}/runs/${encodeURIComponent(ids[0])}/samples/q00002`);
  await page.waitForSelector("#raw");
  assert.equal(await page.textContent("#raw"), HOSTILE);
  assert.equal(await page.$$eval("#raw *", (els) => els.length), 0);
  assert.equal(await page.$$eval("main img, main script", (els) => els.length), 0);
  assert.match((await page.textContent("#question")) ?? "", /<b>bold\?<\/b>/);
  // the run table shows it as text too
  await page.goto(`${server.url}/runs/${encodeURIComponent(ids[0])}?q=onerror`);
  await page.waitForSelector("table.samples tbody tr");
  assert.equal(await page.$$eval("table.samples tbody tr", (r) => r.length), 1);
  assert.equal(await page.textContent("table.samples tbody .raw-cell"), HOSTILE);
  assert.equal(await page.$$eval("table.samples img, table.samples script", (els) => els.length), 0);
  await page.waitForTimeout(100);
  assert.deepEqual(dialogs, []);
  assert.equal(await page.evaluate(() => (window as any).__xss), undefined);
});

test("diff and sweep views render", async () => {
  await page.goto(server.url);
  await page.waitForSelector("#diff-go");
  await page.selectOption("#diff-a", ids[2]);
  await page.selectOption("#diff-b", ids[0]);
  await page.click("#diff-go");
  await page.waitForSelector("#diff table tbody tr");
  assert.match((await page.textContent("#diff h2")) ?? "", /Flipped questions \(\d+\)/);
  await page.screenshot({ path: join(shots, "explorer-diff.png") });
  await page.goto(`${server.url}/sweeps/sweep-demo`);
  await page.waitForSelector("#chart-sweep-frames");
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(shots, "explorer-sweep.png"), fullPage: true });
  await page.goto(`${server.url}/study`);
  await page.waitForSelector("#chart-study-0");
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(shots, "explorer-study.png") });
  await ready(page);
  assert.deepEqual(pageErrors, []);
});

test("VideoRefer masks are drawn over the frames that have them", async () => {
  await page.goto(`${server.url}/runs/${encodeURIComponent(vr)}/samples/q00001`);
  await page.waitForSelector("#filmstrip canvas");
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("#filmstrip canvas")].every(
        (c) => (c as HTMLElement).dataset.loaded === "1",
      ),
    null,
    { timeout: 20_000 },
  );
  // contour pixel (x 10, y 20): opaque object colour on masked frames, the video's own pixel elsewhere
  const px = await page.$$eval("#filmstrip canvas", (cs) =>
    cs.map((c) => [
      ...(c as HTMLCanvasElement).getContext("2d")!.getImageData(10, 20, 1, 1).data.slice(0, 3),
    ]),
  );
  assert.deepEqual(px[0], [255, 40, 40]);
  assert.deepEqual(px[2], [255, 40, 40]);
  assert.notDeepEqual(px[1], [255, 40, 40]);
  assert.notDeepEqual(px[3], [255, 40, 40]);
  await page.screenshot({ path: join(shots, "explorer-masks.png") });
});

test("samples whose id holds / % ? # ~, a dot or is . or .. open from the run table and by URL", async () => {
  await page.goto(`${server.url}/runs/${encodeURIComponent(reserved)}`);
  await page.waitForSelector("table.samples tbody tr");
  await page.click(`table.samples tbody tr[data-id="${RESERVED_IDS[0]}"] td:nth-child(4)`);
  await page.waitForFunction(
    (id) => document.querySelector("#sample h1")?.textContent?.includes(id),
    RESERVED_IDS[0],
  );
  for (const id of RESERVED_IDS) {
    await page.goto(`${server.url}/runs/${encodeIdSegment(reserved)}/samples/${encodeIdSegment(id)}`);
    await page.waitForFunction((x) => document.querySelector("#sample h1")?.textContent?.includes(x), id);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("#filmstrip canvas")].length > 0 &&
        [...document.querySelectorAll("#filmstrip canvas")].every(
          (c) => (c as HTMLElement).dataset.loaded === "1",
        ),
      null,
      { timeout: 20_000 },
    );
  }
  assert.deepEqual(pageErrors, []);
});
