// `kinema start`'s chance row and "> chance" column from a run's samples.jsonl.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { MIN_VIDEOS, vsChance } from "./start.ts";

test("vsChance: chance from option counts; above only where the interval clears it, over enough videos", () => {
  const dir = mkdtempSync(join(tmpdir(), "kinema-vs-"));
  try {
    const rows: object[] = [];
    const add = (
      cat: string,
      videos: number,
      options: number,
      correct: (v: number, q: number) => boolean,
    ) => {
      for (let v = 0; v < videos; v++)
        for (let q = 0; q < 3; q++)
          rows.push({
            id: `${cat}-${v}-${q}`,
            video_id: `${cat}-${v}`,
            category: cat,
            split: "dev",
            options: Array(options).fill("x"),
            correct: correct(v, q),
          });
    };
    add("Camera Motion", 20, 2, () => true); // 100% against 50%: above
    add("Repetition Count", 20, 4, (v) => v % 4 === 0); // 25% against 25%: not above
    add("Action Order", MIN_VIDEOS - 1, 2, () => true); // perfect but too few videos to judge
    rows.push({
      id: "t",
      video_id: "t",
      category: "Camera Motion",
      split: "test",
      options: ["a", "b", "c"],
      correct: false,
    });
    rows.push({
      id: "f",
      video_id: "f",
      category: "Camera Motion",
      split: "dev",
      options: ["a", "b"],
      correct: null,
    });
    writeFileSync(join(dir, "samples.jsonl"), `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const v = vsChance("m", dir);
    assert.deepEqual(v.above, ["Camera Motion"]);
    assert.deepEqual(v.judged.sort(), ["Camera Motion", "Repetition Count"]);
    assert.equal(v.categories["Repetition Count"].chance, 0.25);
    assert.equal(v.testChance, 1 / 3);
    assert.equal(v.dev.n, 60 + 60 + 3 * (MIN_VIDEOS - 1), "the failed sample (correct null) is not scored");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
