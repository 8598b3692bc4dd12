// Sampling grammar and index maths against hand-computed lmms-eval / VLMEvalKit values.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isKinemaError } from "../util/errors.ts";
import { formatSampleSpec, parseSampleSpec, parseWindow, sampleIndices, windowRange } from "./sample.ts";

test("uniform:N is floor(linspace(0, total-1, N)), ends included (lmms-eval)", () => {
  assert.deepEqual(sampleIndices("uniform:4", 10, 30), [0, 3, 6, 9]);
  assert.deepEqual(sampleIndices("uniform:8", 300, 30), [0, 42, 85, 128, 170, 213, 256, 299]);
  assert.deepEqual(sampleIndices("uniform:1", 10, 30), [0]);
  assert.deepEqual(sampleIndices("uniform:5", 3, 30), [0, 0, 1, 1, 2], "repeats when N > total, like numpy");
});

test("uniform-inner:N is int(i * total/(N+1)), i=1..N, ends excluded (VLMEvalKit)", () => {
  assert.deepEqual(sampleIndices("uniform-inner:4", 10, 30), [2, 4, 6, 8]);
  assert.deepEqual(sampleIndices("uniform-inner:3", 300, 30), [75, 150, 225]);
});

test("segments:N takes the midpoint of N equal segments", () => {
  assert.deepEqual(sampleIndices("segments:4", 100, 30), [12, 37, 62, 87]);
  assert.deepEqual(sampleIndices("segments:2", 3, 30), [0, 2]);
});

test("fps:F steps fps/F frames from frame 0; max=M caps uniformly", () => {
  assert.deepEqual(sampleIndices("fps:1", 100, 30), [0, 30, 60, 90]);
  assert.deepEqual(sampleIndices("fps:2", 75, 30000 / 1001), [0, 14, 29, 44, 59, 74]);
  assert.deepEqual(sampleIndices("fps:60", 5, 30), [0, 1, 2, 3, 4], "above the video rate: every frame once");
  assert.deepEqual(sampleIndices("fps:1,max=3", 300, 30), [0, 120, 270]);
  assert.deepEqual(
    sampleIndices("fps:1,max=50", 100, 30),
    [0, 30, 60, 90],
    "cap above the count changes nothing",
  );
});

test("indices and none", () => {
  assert.deepEqual(sampleIndices("indices:5,0,5", 10, 30), [5, 0, 5]);
  assert.deepEqual(sampleIndices("none", 10, 30), []);
  assert.throws(
    () => sampleIndices("indices:10", 10, 30),
    (e) => isKinemaError(e, "index_out_of_range"),
  );
});

test("a window restricts every strategy to the frames starting inside it", () => {
  assert.deepEqual(windowRange(300, 30, [1, 2]), { first: 30, end: 60 });
  assert.deepEqual(windowRange(75, 30000 / 1001, [0.5, 1.5]), { first: 15, end: 45 });
  assert.deepEqual(sampleIndices("uniform:4", 300, 30, [1, 2]), [30, 39, 49, 59]);
  assert.deepEqual(
    sampleIndices("indices:0,2", 300, 30, [1, 2]),
    [30, 32],
    "indices count from the window start",
  );
  assert.deepEqual(sampleIndices("fps:2", 300, 30, [9, 20]), [270, 285], "a window past the end is clipped");
  assert.throws(
    () => sampleIndices("uniform:4", 300, 30, [11, 12]),
    (e) => isKinemaError(e, "index_out_of_range"),
  );
  assert.deepEqual(parseWindow("1.5, 3"), [1.5, 3]);
  for (const bad of ["3,1", "1", "a,b", "-1,2", "1,2,3"])
    assert.throws(
      () => parseWindow(bad),
      (e) => isKinemaError(e, "bad_spec"),
      bad,
    );
});

test("parseSampleSpec rejects bad specs with bad_spec and a clear message", () => {
  for (const bad of [
    "",
    "uniform",
    "uniform:0",
    "uniform:x",
    "uniform:2.5",
    "fps:0",
    "fps:-1",
    "fps:1,min=3",
    "fps:1,max=0",
    "indices:",
    "indices:1,,2",
    "indices:-1",
    "random:4",
    "none:1",
  ]) {
    assert.throws(
      () => parseSampleSpec(bad),
      (e) => isKinemaError(e, "bad_spec") && e.message.includes("expected uniform:N"),
      JSON.stringify(bad),
    );
  }
  assert.deepEqual(parseSampleSpec(" fps:0.5,max=8 "), { kind: "fps", fps: 0.5, max: 8 });
  assert.equal(formatSampleSpec(parseSampleSpec("fps:1.0")), "fps:1");
  assert.equal(formatSampleSpec(parseSampleSpec("segments:08")), "segments:8");
});

test("windows on real timestamps (VFR) cut where the frames actually are", () => {
  const times = [0, 0.1, 0.2, 0.7, 0.8, 0.9]; // a 0.4 s pause after frame 2
  assert.deepEqual(sampleIndices("uniform:2", 6, 10, [0.5, 0.85], times), [3, 4]);
  assert.deepEqual(sampleIndices("uniform:2", 6, 10, [0.5, 0.85]), [5, 5], "fps-based would be wrong here");
});
