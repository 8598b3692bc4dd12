// The README's test command: type-check, lint, TypeScript tests, Python tests; one closing summary line.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const onlyTs = process.argv.includes("--ts-only");
let failedSteps = 0;
let passed = 0;
let failed = 0;

function step(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  process.stdout.write(`\n== ${name}: ${[cmd, ...args].join(" ")}\n`);
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const out = r.stdout?.toString("utf8") ?? "";
  process.stdout.write(out);
  if (r.status !== 0) {
    failedSteps++;
    process.stdout.write(`== ${name} FAILED (exit ${r.status})\n`);
  }
  return out;
}

step("typecheck", bin("tsc"), ["--noEmit", "-p", "."]);
if (existsSync(join(root, "web", "tsconfig.json")))
  step("typecheck web", bin("tsc"), ["--noEmit", "-p", "web"]);
step("lint", bin("biome"), ["check", "."]);

const tsOut = step("node tests", process.execPath, [
  "--test",
  "--test-concurrency=2",
  "--test-reporter=tap",
  "src/**/*.test.ts",
  "test/**/*.test.ts",
]);
passed += Number(/^# pass (\d+)/m.exec(tsOut)?.[1] ?? 0);
failed += Number(/^# fail (\d+)/m.exec(tsOut)?.[1] ?? 0);

const pyTests = join(root, "py", "tests");
if (!onlyTs && existsSync(pyTests) && readdirSync(pyTests).some((f) => f.startsWith("test_"))) {
  const py = process.env.KINEMA_PYTHON ?? "/usr/bin/python3";
  const check = spawnSync(py, ["-c", "import torch, numpy, pytest"], { encoding: "utf8" });
  if (check.status !== 0) {
    failedSteps++;
    process.stdout.write(
      `\n== python tests cannot run: ${py} lacks torch/numpy/pytest.\n` +
        "   install them: apt-get install python3-torch libopenblas0-pthread python3-numpy python3-pytest\n",
    );
  } else {
    const pyOut = step("python tests", py, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "py/tests"], {
      PYTHONPATH: join(root, "py"),
    });
    passed += Number(/(\d+) passed/.exec(pyOut)?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(pyOut)?.[1] ?? 0) + Number(/(\d+) error/.exec(pyOut)?.[1] ?? 0);
  }
}

if (failedSteps > 0 && failed === 0) failed = failedSteps;
process.stdout.write(`\nkinema: ${passed} passed, ${failed} failed\n`);
process.exitCode = failedSteps > 0 || failed > 0 ? 1 : 0;
