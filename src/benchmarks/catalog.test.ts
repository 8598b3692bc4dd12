// Every registered benchmark is listed by `kinema benchmarks` with a layout, an official scorer and a line
// for each of its parse modes (a new benchmark without a catalog entry fails here).
import assert from "node:assert/strict";
import { test } from "node:test";
import { BENCHMARK_INFO, listBenchmarks } from "./catalog.ts";
import { benchmarkPrefixes } from "./registry.ts";

test("every prefix has a catalog entry describing each of its parse modes", () => {
  const list = listBenchmarks();
  assert.deepEqual(
    list.map((b) => b.name),
    benchmarkPrefixes(),
  );
  for (const b of list) {
    assert.ok(BENCHMARK_INFO[b.name], `${b.name} has no catalog entry`);
    assert.notEqual(b.layout, "?");
    for (const m of b.parseModes) assert.ok(b.modes[m], `${b.name}: parse mode ${m} is not described`);
  }
  for (const n of ["mvbench", "videomme", "lvbench", "perception-test", "tempcompass"])
    assert.ok(list.some((b) => b.name === n));
});
