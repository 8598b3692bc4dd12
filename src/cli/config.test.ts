// `kinema eval --config FILE`: options from a JSON file (flag names as keys), checked by the flags' schema,
// with the flags given on the command line winning; a bad file is a clear error naming it and the key.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makeMotionBenchFixture } from "../../devkit/motionbench-fixture.ts";

const MAIN = join(import.meta.dirname, "main.ts");
let dir: string;
let bench: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "kinema-config-"));
  bench = makeMotionBenchFixture(
    join(dir, "mb"),
    [0, 1, 2, 3, 4].map((i) => ({ uid: `c${i}`, text: `config q${i}`, answer: "A" })),
    1,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

const kinema = (args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const config = (name: string, body: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, typeof body === "string" ? body : JSON.stringify(body, null, 2));
  return file;
};

test("eval --config: the file's options are used and a flag on the command line wins", () => {
  const file = config("run.json", {
    bench: `motionbench:${bench}`,
    model: "random:3",
    limit: 2,
    "max-tokens": 16,
    "run-dir": join(dir, "runs"),
    progress: false,
  });
  const fromFile = kinema(["eval", "--config", file, "--json"]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  const a = JSON.parse(fromFile.stdout);
  assert.equal(a.model, "random:3");
  assert.equal(a.counts.total, 2, "limit from the file");
  const overridden = kinema(["eval", "--config", file, "--limit", "4", "--json"]);
  assert.equal(overridden.code, 0, overridden.stderr);
  const b = JSON.parse(overridden.stdout);
  assert.equal(b.counts.total, 4, "--limit on the command line wins");
  assert.equal(b.run, a.run, "same identity: --limit is not part of it, the run continues");
});

test("eval --config: unknown keys, wrong types and broken JSON are errors naming the file and the key", () => {
  const unknown = kinema(["eval", "--config", config("u.json", { bench: "x:y", modle: "random" })]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /u\.json: modle: not an option of this command/);
  const typed = kinema(["eval", "--config", config("t.json", { "max-tokens": "many" })]);
  assert.equal(typed.code, 2);
  assert.match(typed.stderr, /t\.json: max-tokens: .*number/i);
  const range = kinema(["eval", "--config", config("r.json", { shard: "5/2" })]);
  assert.equal(range.code, 2);
  assert.match(range.stderr, /r\.json: shard: --shard must be i\/N/);
  const broken = kinema(["eval", "--config", config("b.json", '{\n  "model": "random",\n  oops\n}')]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /b\.json:3: not JSON/);
  const missing = kinema(["eval", "--config", join(dir, "nope.json")]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /nope\.json: config: no such config file/);
});
