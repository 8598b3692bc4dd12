// Equivalence of the Video-MME scorer port with the benchmark's own evaluation/eval_your_results.py
// (BradyFU/Video-MME@4e7566d36f63121fc72f040654d6f38f83f30125; removed from the repo in 49a2e67, the README
// links a copy). official.fixture.json holds vectors and the script's exact stdout, produced by running it with
// /usr/bin/python3: upstream/gen_vectors.py beside this file.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { extractCharacters, FIXED_PREFIXES, printedReport, pyFixed1 } from "./official.ts";
import { scoreVideoMmeFile } from "./results.ts";

const fx = JSON.parse(readFileSync(new URL("./official.fixture.json", import.meta.url), "utf8"));

test("extract_characters_regex matches the script on every vector, its missing-comma quirk included", () => {
  for (const v of fx.extract)
    assert.equal(extractCharacters(v.response), v.extracted, JSON.stringify(v.response));
  // The quirk: "Best option: D" keeps its prefix, so the "B" of "Best" is taken.
  assert.equal(extractCharacters("Best option: D"), "B");
  assert.equal(extractCharacters("Best option: D", FIXED_PREFIXES), "D");
});

test("eval_your_results: kinema score's printed report is the script's stdout byte for byte", () => {
  const dir = mkdtempSync(join(tmpdir(), "kinema-vmme-"));
  try {
    const file = join(dir, "results.json");
    writeFileSync(file, JSON.stringify(fx.results));
    const all = ["short", "medium", "long"];
    const a = scoreVideoMmeFile(file, { durations: all, skipMissing: true });
    assert.equal(
      printedReport(a.score, all, { categories: true, subCategories: true, taskTypes: true }),
      fx.stdout.all_flags,
    );
    // eval_your_results' own defaults (called without flags): return_categories_accuracy=True only
    assert.equal(printedReport(a.score, all, { categories: true }), fx.stdout.defaults);
    const b = scoreVideoMmeFile(file, { durations: ["long", "short"], skipMissing: true });
    assert.equal(
      printedReport(b.score, ["long", "short"], { categories: true, taskTypes: true }),
      fx.stdout.long_short_tasks,
    );
    // Without skip_missing upstream asserts 300 videos per duration: here that is an issue, not a crash.
    const c = scoreVideoMmeFile(file, { durations: all });
    assert.ok(c.issues.some((i) => /not 300/.test(i.message)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Python's .1f formatting: half-even on exact ties, a space before positives", () => {
  assert.equal(pyFixed1(6.25), " 6.2");
  assert.equal(pyFixed1(6.35), " 6.3"); // 6.35 is below the tie in binary
  assert.equal(pyFixed1(100), " 100.0");
  assert.equal(pyFixed1(0), " 0.0");
  assert.equal(pyFixed1(0.05), " 0.1");
});
