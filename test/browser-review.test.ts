// Browser test of the review queue (real Chromium via playwright-core): review an engine run by keyboard —
// accept, edit one, reject one, change a category — then the export holds exactly the accepted items; hostile
// generated text stays text (XSS); decisions without the token, cross-origin or not JSON are refused (CSRF).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { makeClip } from "../devkit/explorer-fixture.ts";
import { defaultBenchmarkLoader } from "../src/analysis/bench-loader.ts";
import { openSqliteSource } from "../src/analysis/source-sqlite.ts";
import { exportMotionbench } from "../src/engine/export.ts";
import { type ExplorerServer, startServer } from "../src/server/server.ts";
import { openEngineStore } from "../src/store/engine.ts";
import { openStore } from "../src/store/index.ts";

const CHROMIUM = process.env.KINEMA_CHROMIUM ?? "/usr/bin/chromium";
const dir = mkdtempSync(join(tmpdir(), "kinema-review-"));
const HOSTILE = `<img src=x onerror="alert('xss')"><script>alert('xss2')</script>`;
let server: ExplorerServer;
let evil: Server;
let evilUrl = "";
let browser: BrowserContext;
let page: Page;
const dialogs: string[] = [];
const run = join(dir, "engine-run");
const ids = ["c1-q1", "c1-q2", "c1-q3", "c1-q4"];

before(async () => {
  process.env.KINEMA_CACHE_DIR = join(dir, "cache");
  const video = makeClip(dir);
  const s = openEngineStore(run);
  s.setMeta("kind", "motionbench-qa");
  ids.forEach((id, i) =>
    s.putItem({
      id,
      idx: i,
      source: "c1",
      state: "kept",
      dropReason: null,
      filter: [
        { model: "openai:ff", status: "ok", answer: "B", correct: false },
        { model: "builtin:te-fusion-k4", status: "ok", answer: "A", correct: true },
      ],
      data: {
        kind: "motionbench-qa",
        captionId: "c1",
        videoPath: "clip.mp4",
        video,
        caption: "A test pattern moves.",
        question: i === 1 ? HOSTILE : `Question ${i + 1}?`,
        options: ["left", "right", "up", "down"],
        answer: 0,
        category: "Motion Recognition",
        categorySource: "model",
      },
    }),
  );
  s.close();
  openStore(join(dir, "runs")).close();
  server = await startServer({
    source: openSqliteSource(join(dir, "runs"), { loadBenchmark: defaultBenchmarkLoader }),
    review: { dir: run },
  });
  // another origin (another port): a page there must not be able to post decisions
  evil = createServer((_q, r) => {
    r.writeHead(200, { "content-type": "text/html" });
    r.end("<html><body>evil</body></html>");
  });
  await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
  evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  assert.ok(existsSync(CHROMIUM), `chromium not found at ${CHROMIUM}`);
  browser = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
    ],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  server?.explorer.source.close();
  evil?.close();
  rmSync(dir, { recursive: true, force: true });
});

const decisions = () => {
  const s = openEngineStore(run);
  try {
    return s.decisions();
  } finally {
    s.close();
  }
};

test("review by keyboard: accept, edit, reject, change category; export has exactly the accepted", async () => {
  await page.goto(`${server.url}/review#token=${server.reviewToken}`);
  await page.waitForSelector("#question");
  await page.fill("#reviewer", "ann");
  await page.locator("#reviewer").dispatchEvent("change");
  await page.locator("h2").click(); // leave the input so keys go to the queue
  assert.equal(await page.textContent("#question"), "Question 1?");
  // the models' first-frame answers are shown
  assert.match((await page.textContent(".review-filter")) ?? "", /builtin:te-fusion-k4\s*A\s*yes/);
  await page.keyboard.press("a");
  await page.waitForFunction(() => document.querySelector("#question")?.textContent !== "Question 1?");
  // item 2 carries hostile text: it is shown as text, nothing runs
  assert.equal(await page.textContent("#question"), HOSTILE);
  assert.equal(await page.locator(".review-item img[src='x']").count(), 0);
  await page.keyboard.press("e");
  await page.waitForSelector("#edit-question");
  await page.fill("#edit-question", "Which way does it move?");
  await page.locator(".edit-option").nth(3).fill("diagonally");
  await page.selectOption("#edit-answer", "3");
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction(() => document.querySelector("#question")?.textContent === "Question 3?");
  await page.keyboard.press("r");
  await page.waitForFunction(() => document.querySelector("#question")?.textContent === "Question 4?");
  await page.keyboard.press("3");
  await page.waitForFunction(() =>
    /4\/4 reviewed/.test(document.querySelector(".review-progress")?.textContent ?? ""),
  );
  const prog = (await page.textContent(".review-progress")) ?? "";
  assert.match(prog, /3 accepted \(1 edited\) · 1 rejected · 1 category changes · reviewers: ann/);
  // frames come from the server
  await page.waitForSelector(".review-frames img", { timeout: 30_000 });
  const src = await page.locator(".review-frames img").first().getAttribute("src");
  const frame = await fetch(`${server.url}${src}`);
  assert.equal(frame.headers.get("content-type"), "image/jpeg");
  assert.equal(frame.headers.get("x-frame-index"), "0");
  assert.deepEqual(dialogs, []);

  const ds = decisions();
  assert.deepEqual(
    ds.map((d) => [d.itemId, d.decision, d.reviewer, d.category]),
    [
      ["c1-q1", "accept", "ann", null],
      ["c1-q2", "edit", "ann", null],
      ["c1-q3", "reject", "ann", null],
      ["c1-q4", "accept", "ann", "Camera Motion"],
    ],
  );
  assert.ok(ds.every((d) => !Number.isNaN(Date.parse(d.at))));
  const s = openEngineStore(run);
  const ex = await exportMotionbench(s, join(dir, "export"));
  s.close();
  assert.deepEqual(ex.uids, ["c1-q1", "c1-q2", "c1-q4"]);
  const meta = readFileSync(ex.file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(meta[1].qa[0].question, "Which way does it move?\nA. left\nB. right\nC. up\nD. diagonally");
  assert.equal(meta[1].qa[0].answer, "D");
  assert.equal(meta[2].question_type, "Camera Motion");
});

test("CSRF: no token, wrong token, cross-origin, not JSON are refused; nothing is stored", async () => {
  const before = decisions().length;
  const url = `${server.url}/api/review/decisions`;
  const body = JSON.stringify({ itemId: "c1-q3", decision: "accept", reviewer: "mallory" });
  const post = (headers: Record<string, string>) => fetch(url, { method: "POST", headers, body });
  assert.equal((await post({ "content-type": "application/json" })).status, 403);
  assert.equal((await post({ "content-type": "application/json", "x-kinema-token": "nope" })).status, 403);
  const tok = server.reviewToken!;
  assert.equal(
    (await post({ "content-type": "application/json", "x-kinema-token": tok, origin: evilUrl })).status,
    403,
  );
  assert.equal(
    (
      await post({
        "content-type": "application/json",
        "x-kinema-token": tok,
        "sec-fetch-site": "cross-site",
      })
    ).status,
    403,
  );
  assert.equal((await post({ "content-type": "text/plain", "x-kinema-token": tok })).status, 415);
  // a bad decision is a 400 naming the field
  const bad = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-kinema-token": tok },
    body: JSON.stringify({ itemId: "c1-q3", decision: "maybe", reviewer: "x" }),
  });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /decision/);
  // from a page on another origin, even with the token, the browser's request is refused
  await page.goto(evilUrl);
  const results = await page.evaluate(
    async ([u, t, b]) => {
      const out: string[] = [];
      for (const init of [
        { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: b },
        { method: "POST", headers: { "content-type": "application/json", "x-kinema-token": t }, body: b },
      ] as RequestInit[]) {
        try {
          const r = await fetch(u, init);
          out.push(String(r.status));
        } catch (e) {
          out.push(`error: ${(e as Error).message}`);
        }
      }
      return out;
    },
    [url, tok, body] as const,
  );
  assert.equal(results.length, 2);
  assert.equal(decisions().length, before, `cross-origin attempts stored nothing (${results.join(", ")})`);
  // the same request with the token from the page's own origin works
  const ok = await post({ "content-type": "application/json", "x-kinema-token": tok, origin: server.url });
  assert.equal(ok.status, 200);
  assert.equal(decisions().length, before + 1);
});
