// sweep, compare and report on synthetic runs: exact paired statistics, linked sweep runs made by the real
// runner (random model on a generated synthetic set), and a self-contained, inert HTML report.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { buildStore, HOSTILE, makeClip, standardRuns, truthOf } from "../devkit/explorer-fixture.ts";
import { compareRuns } from "../src/analysis/compare.ts";
import { createExplorer } from "../src/analysis/explorer.ts";
import { toCsv } from "../src/analysis/export.ts";
import { buildReport } from "../src/analysis/report.ts";
import { openSqliteSource, readSweeps } from "../src/analysis/source-sqlite.ts";
import { mcnemarChi2, mcnemarExact } from "../src/analysis/stats.ts";
import { studyPoints } from "../src/analysis/study.ts";
import { sweep } from "../src/analysis/sweep.ts";
import { sweepPoints } from "../src/analysis/sweep-data.ts";
import { report } from "../src/cli/commands/report.ts";
import { openStore } from "../src/store/index.ts";
import { generateDataset } from "../src/synth/index.ts";

const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "kinema-explorer-analysis-"));
let video: string;
let ids: string[];

before(() => {
  process.env.KINEMA_CACHE_DIR = join(dir, "cache");
  video = makeClip(dir);
  ids = buildStore({ runDir: join(dir, "store"), n: 100, video, runs: standardRuns(video), hostileAt: 4 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("McNemar", () => {
  test("exact two-sided binomial p and continuity-corrected χ²", () => {
    assert.equal(mcnemarExact(0, 0), 1);
    assert.equal(mcnemarExact(5, 5), 1);
    assert.ok(Math.abs(mcnemarExact(1, 9) - 22 / 1024) < 1e-12);
    assert.ok(Math.abs(mcnemarExact(3, 24) - (2 * (1 + 27 + 351 + 2925)) / 2 ** 27) < 1e-15);
    const c = mcnemarChi2(1, 9);
    assert.ok(Math.abs(c.chi2 - 4.9) < 1e-12);
    assert.ok(Math.abs(c.p - 0.026857) < 1e-5); // scipy.stats.chi2.sf(4.9, 1)
  });
});

describe("exports and study data", () => {
  test("CSV quotes, flattens nested values and defuses spreadsheet formulas", () => {
    const csv = toCsv([
      { id: "a", text: 'say "hi", then\nleave', n: -3, opts: ["x", "y"] },
      { id: "b", text: '=HYPERLINK("http://evil")', extra: "@SUM(A1)" },
    ]);
    assert.equal(
      csv,
      'id,text,n,opts,extra\r\na,"say ""hi"", then\nleave",-3,"[""x"",""y""]",\r\nb,"\'=HYPERLINK(""http://evil"")",,,\'@SUM(A1)\r\n',
    );
  });

  test("compression study: series per (protocol, method) from study.json cells", () => {
    const s = studyPoints({
      cells: [
        { protocol: "fixed-N", method: "te-fusion", k: 4, acc: { mean: 0.5, std: 0.1, n: 3 } },
        { protocol: "fixed-N", method: "te-fusion", k: 2, acc: { mean: 0.6, std: 0.05, n: 3 } },
        { protocol: "fixed-L", method: "none", k: 1, acc: { mean: 0.4, std: 0, n: 3 } },
      ],
      paper_table4: { "te-fusion": { k: 4, MotionBench: 51, MVBench: 72.1 } },
    });
    assert.deepEqual(s.series, [
      {
        name: "fixed-N · te-fusion",
        points: [
          { k: 2, acc: 0.6, std: 0.05 },
          { k: 4, acc: 0.5, std: 0.1 },
        ],
      },
      { name: "fixed-L · none", points: [{ k: 1, acc: 0.4, std: 0 }] },
    ]);
  });
});

describe("compare", () => {
  test("paired deltas, discordant counts and the exact list of flipped questions", () => {
    const src = openSqliteSource(join(dir, "store"));
    try {
      const c = compareRuns(src, ids[1], ids[0]); // random → good
      const L = ["A", "B", "C", "D"];
      const gained: string[] = [];
      const lost: string[] = [];
      for (let i = 0; i < 100; i++) {
        const a = L[(i * 13 + 1) % 4] === truthOf(i);
        const b = (i % 5 === 4 ? "A" : truthOf(i)) === truthOf(i);
        if (!a && b) gained.push(`q${String(i).padStart(5, "0")}`);
        if (a && !b) lost.push(`q${String(i).padStart(5, "0")}`);
      }
      assert.equal(c.overall.n, 100);
      assert.equal(c.overall.gained, gained.length);
      assert.equal(c.overall.lost, lost.length);
      assert.deepEqual(
        c.flipped.filter((f) => f.direction === "gained").map((f) => f.id),
        gained,
      );
      assert.deepEqual(
        c.flipped.filter((f) => f.direction === "lost").map((f) => f.id),
        lost,
      );
      assert.ok(Math.abs(c.overall.delta! - (gained.length - lost.length) / 100) < 1e-12);
      assert.equal(c.overall.mcnemar.exactP, mcnemarExact(lost.length, gained.length));
      assert.ok(c.overall.ci95![0] <= c.overall.delta! && c.overall.delta! <= c.overall.ci95![1]);
      const catN = Object.values(c.categories).reduce((s, x) => s + x.n, 0);
      assert.equal(catN, 100);
      // failed samples of the flaky run are unpaired, not counted as wrong
      const f = compareRuns(src, ids[0], ids[2]);
      assert.equal(f.overall.n, 100 - 10);
      assert.equal(f.unpaired, 10);
    } finally {
      src.close();
    }
  });

  test("`kinema compare --json` through the CLI; runs on different benchmarks are refused", () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, "src/cli/main.ts"), ...args], {
        encoding: "utf8",
        timeout: 60_000,
      });
    const r = cli("compare", ids[1], ids[0], "--run-dir", join(dir, "store"), "--json");
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j), ["benchmark", "a", "b", "overall", "categories", "unpaired", "flipped"]);
    assert.equal(j.a.run, ids[1]);
    const t = cli("compare", ids[1], ids[0], "--run-dir", join(dir, "store"));
    assert.match(t.stdout, /McNemar p/);
    assert.match(t.stdout, /flipped questions: \d+/);
    const other = join(dir, "two-benches");
    const [x] = buildStore({ runDir: other, n: 5, runs: [standardRuns(undefined)[0]] });
    const [y] = buildStore({
      runDir: other,
      n: 5,
      runs: [standardRuns(undefined)[1]],
      benchmark: "videorefer-q",
    });
    const bad = cli("compare", x, y, "--run-dir", other);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /different benchmarks/);
    const missing = cli("compare", x, "nope", "--run-dir", other);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /no run nope/);
  });
});

describe("sweep", () => {
  test("links one run per frame setting (real runner, random model, synthetic set); re-running continues", async () => {
    const data = join(dir, "synth");
    await generateDataset({ n: 12, seed: 0, out: data });
    const runDir = join(dir, "sweep-runs");
    const frames = ["uniform:2", "uniform:4", "fps:1"];
    const r = await sweep({ bench: `synth:${data}`, model: "random:0", frames, runDir, progress: false });
    assert.equal(r.points.length, 3);
    assert.deepEqual(
      r.points.map((p) => p.frames),
      frames,
    );
    assert.deepEqual(
      r.points.map((p) => [p.x, p.unit]),
      [
        [2, "frames"],
        [4, "frames"],
        [1, "fps"],
      ],
    );
    assert.equal(new Set(r.points.map((p) => p.run)).size, 3);
    for (const p of r.points) assert.equal(p.counts.total, 12);
    const files = readSweeps(runDir);
    assert.equal(files.length, 1);
    assert.equal(files[0].id, r.sweep);
    assert.deepEqual(
      files[0].points.map((p) => p.run),
      r.points.map((p) => p.run),
    );
    // the store holds exactly these three runs, each with its frame setting
    const store = openStore(runDir);
    try {
      assert.deepEqual(
        store
          .listRuns()
          .map((x) => x.config.frames)
          .sort(),
        [...frames].sort(),
      );
    } finally {
      store.close();
    }
    // same command again: same runs, nothing re-asked
    const again = await sweep({ bench: `synth:${data}`, model: "random:0", frames, runDir, progress: false });
    assert.equal(again.sweep, r.sweep);
    assert.deepEqual(
      again.points.map((p) => p.run),
      r.points.map((p) => p.run),
    );
    assert.deepEqual(
      again.points.map((p) => p.overall),
      r.points.map((p) => p.overall),
    );
    // the explorer's sweep plot data agrees with the sweep's own numbers
    const src = openSqliteSource(runDir);
    try {
      const pts = sweepPoints(createExplorer(src), files[0]);
      assert.deepEqual(
        pts.map((p) => p.acc),
        r.points.map((p) => p.overall.acc),
      );
      // a report of the sweep's runs plots accuracy vs frames (the fps point has no frame count)
      const rep = await buildReport(
        src,
        r.points.map((p) => p.run),
        { gallery: 2 },
      );
      assert.match(rep.html, /<title>synth: accuracy vs frames<\/title>/);
      assert.equal((rep.html.match(/<circle /g) ?? []).length, 2);
    } finally {
      src.close();
    }
    await assert.rejects(
      sweep({
        bench: `synth:${data}`,
        model: "random:0",
        frames: ["uniform:2", "bogus:3"],
        runDir,
        progress: false,
      }),
      /frames/,
    );
    await assert.rejects(
      sweep({ bench: `synth:${data}`, model: "random:0", frames: [], runDir }),
      /at least one/,
    );
  });
});

describe("report", () => {
  test("self-contained HTML: tables, SVG plots, failure gallery with data-URI thumbnails, hostile text escaped", async () => {
    const src = openSqliteSource(join(dir, "store"));
    let r: Awaited<ReturnType<typeof buildReport>>;
    try {
      r = await buildReport(src, ids, { gallery: 6 });
    } finally {
      src.close();
    }
    const html = r.html;
    assert.equal(r.gallery, 6);
    assert.equal(r.thumbnails, 6 * 4);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img src=x/);
    assert.doesNotMatch(html, /(src|href)="(?!data:)/); // nothing loaded from outside the file
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; img-src data:/);
    assert.ok(
      html.includes("&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;window.__xss = 1&lt;/script&gt; B"),
    );
    assert.equal((html.match(/<img src="data:image\/jpeg;base64,/g) ?? []).length, 24);
    assert.equal((html.match(/<svg /g) ?? []).length, 2); // categories, letter bias (no model has 2 frame settings)
    for (const h of [
      "Dev AVG",
      ">MR<",
      ">LM<",
      ">CM<",
      ">RC<",
      "Failed %",
      "Unparsed %",
      "McNemar exact p",
      "Failure gallery (6)",
    ])
      assert.ok(html.includes(h), `missing ${h}`);
    assert.match(html, /wrong for every run/);
  });

  test("`kinema report` writes the file; unknown runs are named", async () => {
    const out = join(dir, "report.html");
    const res = await report({ runs: ids.slice(0, 2), runDir: join(dir, "store"), out, gallery: 3 });
    assert.ok(existsSync(out));
    assert.equal(res.bytes, readFileSync(out).length);
    assert.equal(res.gallery, 3);
    await assert.rejects(report({ runs: ["nope"], runDir: join(dir, "store"), out }), /no run nope/);
    await assert.rejects(report({ runs: ids, runDir: join(dir, "store") }), /--out/);
    assert.ok(HOSTILE.length > 0);
  });
});
