// bin/kinema.js (what `npx kinema` runs) must run the CLI on Node 24 too, not only when it re-spawns from older Node.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import pkg from "../package.json" with { type: "json" };

test("bin/kinema.js on the pinned Node prints the version and passes the exit code", () => {
  const bin = join(import.meta.dirname, "..", "bin", "kinema.js");
  assert.ok(Number(process.versions.node.split(".")[0]) >= 24);
  assert.equal(execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8" }).trim(), pkg.version);
  assert.throws(
    () =>
      execFileSync(
        process.execPath,
        [bin, "audit", "--bench", "synth:/x", "--model", "random", "--conditions", "q"],
        { stdio: "pipe" },
      ),
    (e: any) => e.status === 2 && /unknown audit condition/.test(String(e.stderr)),
  );
});
