// `kinema start` (npm start) offline: generates a small synthetic set, evaluates the offline models, prints
// Table 3 with Dev AVG and Test AVG.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

test("kinema start prints the Table-3 table and reuses the set on a second run", () => {
  const tmp = mkdtempSync(join(tmpdir(), "kinema-start-"));
  try {
    const cli = join(import.meta.dirname, "..", "src", "cli", "main.ts");
    const args = [cli, "start", "--n", "12", "--data", join(tmp, "data"), "--run-dir", join(tmp, "runs")];
    const env = { ...process.env, KINEMA_CACHE_DIR: join(tmp, "cache"), OPENAI_API_KEY: "", http_proxy: "" };
    const r = spawnSync(process.execPath, args, { cwd: tmp, env, encoding: "utf8", timeout: 240_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.match(lines[0], /^Model\s+Frames\s+Dev AVG\s+Test AVG\s+MR\s+LM\s+CM\s+MO\s+AO\s+RC\s+> chance$/);
    // chance from the questions' option counts, on the same questions as every model
    assert.match(lines[2], /^chance \(1\/options\)\s+-\s+\d+\.\d\s+\d+\.\d(\s+(\d+\.\d|-)){6}\s+-$/);
    // Dev AVG and Test AVG: half the generated answers are hidden in answers.json, which synth: picks up.
    assert.match(r.stdout, /^random:0\s+-\s+\d+\.\d\s+\d+\.\d\s.*\s([0-6]\/[1-6]|-)$/m);
    assert.ok(existsSync(join(tmp, "data", "answers.json")));
    assert.match(r.stdout, /\(generated now\)/);
    // n and interval widths under the table (the averages are over few questions: say so)
    assert.match(
      r.stdout,
      /^n: Dev AVG over \d+ questions, 95% interval ±\d+\.\d(–\d+\.\d)? points; Test AVG over \d+ questions/m,
    );
    assert.ok(existsSync(join(tmp, "data", "video_info.meta.jsonl")));
    const again = spawnSync(process.execPath, args, { cwd: tmp, env, encoding: "utf8", timeout: 240_000 });
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /generated now/);
    assert.equal(again.stdout.split("\n")[3], lines[3], "same row on the continued run");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
