// The synthetic world end to end: determinism, the exported formats, masks against the renderer.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { area, decodeMask } from "../src/masks/rle.ts";
import { generateDataset, planDataset, resolveKnobs, type SynthResult } from "../src/synth/index.ts";
import { OCCLUDER_ID, renderFrame } from "../src/synth/render.ts";
import { synthReport } from "../src/synth/report.ts";
import { createRng } from "../src/synth/rng.ts";
import { buildTimeline } from "../src/synth/timeline.ts";
import { type ActionName, TWIN } from "../src/synth/vocab.ts";
import { moveJoints, swing } from "../src/synth/world2.ts";
import { isKinemaError } from "../src/util/errors.ts";
import { runTool } from "../src/video/tools.ts";

const root = mkdtempSync(join(tmpdir(), "kinema-synth-"));
after(() => rmSync(root, { recursive: true, force: true }));

const OPTS = { n: 12, seed: 5, testFraction: 0.25, preset: "motionbench" as const };
let a: SynthResult;
let b: SynthResult;
before(async () => {
  a = await generateDataset({ ...OPTS, out: join(root, "a") });
  b = await generateDataset({ ...OPTS, out: join(root, "b") });
});

test("the two runs return the same summaries", () => {
  assert.deepEqual(a.manifest, b.manifest);
  assert.deepEqual(a.questions, b.questions);
});

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) =>
      statSync(join(dir, n)).isDirectory() ? listFiles(join(dir, n), `${prefix}${n}/`) : [`${prefix}${n}`],
    );
}

async function decodeFrames(path: string): Promise<Buffer> {
  const r = await runTool("ffmpeg", ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test("same seed → byte-identical files and identical decoded frames", async () => {
  const fa = listFiles(join(root, "a"));
  assert.deepEqual(fa, listFiles(join(root, "b")));
  assert.ok(
    fa.includes("video_info.meta.jsonl") && fa.includes("manifest.json") && fa.includes("answers.json"),
  );
  for (const f of fa) assert.ok(readFileSync(join(root, "a", f)).equals(readFileSync(join(root, "b", f))), f);
  for (const c of a.clips) {
    const da = await decodeFrames(join(root, "a", "videos", c.video));
    const db = await decodeFrames(join(root, "b", "videos", c.video));
    assert.equal(da.length, 128 * 128 * 3 * c.frames, "every rendered frame is in the video");
    assert.ok(da.equals(db));
  }
  // Nothing machine-specific in the manifest.
  const manifest = readFileSync(join(root, "a", "manifest.json"), "utf8");
  assert.ok(!manifest.includes(root) && !/\d{4}-\d\d-\d\dT/.test(manifest));
  const other = planDataset({ ...OPTS, seed: 6 });
  assert.notDeepEqual(
    other.clips.map((c) => c.questions.map((q) => q.question)),
    planDataset(OPTS).clips.map((c) => c.questions.map((q) => q.question)),
  );
});

test("MotionBench layout: one QA per line, exact schema, NA share and hidden answers", () => {
  const lines = readFileSync(join(root, "a", "video_info.meta.jsonl"), "utf8")
    .trimEnd()
    .split("\n");
  assert.equal(lines.length, 12);
  const answers = JSON.parse(readFileSync(join(root, "a", "answers.json"), "utf8")) as Record<string, string>;
  assert.equal(Object.keys(answers).length, 3);
  const types = new Set<string>();
  for (const line of lines) {
    const rec = JSON.parse(line);
    assert.deepEqual(Object.keys(rec), [
      "question_type",
      "video_type",
      "key",
      "qa",
      "video_path",
      "video_info",
    ]);
    types.add(rec.question_type);
    assert.equal(rec.qa.length, 1);
    const qa = rec.qa[0];
    assert.deepEqual(Object.keys(qa), ["uid", "start", "end", "answer", "question"]);
    assert.match(qa.uid, /^[A-Za-z0-9]{16}$/);
    const opts = qa.question.split("\n").slice(1);
    assert.ok(opts.length >= 2 && opts.length <= 4);
    opts.forEach((o: string, i: number) => assert.ok(o.startsWith(`${String.fromCharCode(65 + i)}. `), o));
    if (qa.answer === "NA") assert.match(answers[qa.uid], /^[A-D]$/);
    else assert.ok(qa.answer.charCodeAt(0) - 65 < opts.length && !(qa.uid in answers));
    assert.ok(statSync(join(root, "a", "videos", rec.video_path)).size > 1000);
    assert.equal(rec.video_info.resolution.width, 128);
  }
  assert.equal(types.size, 6);
});

test("every mask is exactly the object's visible drawn pixels (object rendered alone)", () => {
  const plan = planDataset({ ...OPTS, occlusion: 1, distractors: 2 });
  let hidden = 0;
  for (const { scene } of plan.clips) {
    const objects = [...scene.actors, ...scene.items];
    for (let t = 0; t < scene.frames; t += 7) {
      const full = renderFrame(scene, t);
      for (const o of objects) {
        const alone = renderFrame(scene, t, undefined, { only: o.index }).ids;
        for (let p = 0; p < alone.length; p++) {
          const vis = full.ids[p] === o.index;
          if (vis) assert.equal(alone[p], o.index, "visible pixel must be drawn by the object");
          if (alone[p] === o.index && !vis) {
            assert.ok(full.ids[p] !== 0, "a drawn pixel can only be hidden by another object or the pillar");
            hidden++;
          }
        }
      }
    }
  }
  assert.ok(hidden > 0, "with a pillar and distractors some drawn pixels are hidden");
  // The exported masks (seed 5 set) decode to the renderer's id buffer.
  const clip = a.clips[0];
  const scene = planDataset(OPTS).clips[0].scene;
  const masks = JSON.parse(readFileSync(join(root, "a", "masks", `${clip.clip}.json`), "utf8"));
  for (let t = 0; t < scene.frames; t += 5) {
    const { ids } = renderFrame(scene, t);
    for (const o of [...scene.actors, ...scene.items]) {
      const entry = masks.objects.find((m: { id: string }) => m.id === o.id);
      const m = decodeMask(entry.frames[t]);
      for (let p = 0; p < ids.length; p++) assert.equal(m[p], ids[p] === o.index ? 1 : 0);
    }
  }
  assert.ok(OCCLUDER_ID > 200);
});

test("decoded video matches the rendered frames (lossy, small error)", async () => {
  const scene = planDataset(OPTS).clips[0].scene;
  const dec = await decodeFrames(join(root, "a", "videos", a.clips[0].video));
  const fsz = 128 * 128 * 3;
  for (const t of [0, Math.floor(scene.frames / 2), scene.frames - 1]) {
    const { rgb } = renderFrame(scene, t);
    let err = 0;
    for (let i = 0; i < fsz; i++) err += Math.abs(rgb[i] - dec[t * fsz + i]);
    assert.ok(err / fsz < 10, `frame ${t} mean abs error ${err / fsz}`);
  }
});

test("VideoRefer export: an annotated frame where the object is not visible is null, never an empty RLE", async () => {
  const out = join(root, "vr-empty");
  await generateDataset({ n: 5, seed: 1, kind: "videorefer", out });
  let nulls = 0;
  for (const f of ["VideoRefer-Bench-Q.json", "VideoRefer-Bench-D.json"])
    for (const rec of JSON.parse(readFileSync(join(out, f), "utf8")))
      for (const [k, ann] of (rec.annotation as Record<string, { segmentation: any }>[]).entries())
        for (const [frame, v] of Object.entries(ann)) {
          if (v.segmentation === null) nulls++;
          else assert.ok(area(v.segmentation) > 0, `${f} id ${rec.id} object ${k} frame ${frame}: empty RLE`);
        }
  // this set has objects hidden on some annotated frames (seed 1: 8 of 288 object-frames)
  assert.ok(nulls > 0);
});

test("VideoRefer layout: Bench-Q and Bench-D records as upstream", async () => {
  const out = join(root, "vr");
  const r = await generateDataset({ n: 5, seed: 9, kind: "videorefer", out });
  const q = JSON.parse(readFileSync(join(out, "VideoRefer-Bench-Q.json"), "utf8"));
  assert.equal(q.length, 5);
  assert.deepEqual(new Set(q.map((x: { type: string }) => x.type)).size, 5);
  for (const rec of q) {
    assert.deepEqual(Object.keys(rec), [
      "id",
      "video",
      "Question",
      "type",
      "options",
      "Answer",
      "frame_idx",
      "annotation",
    ]);
    assert.equal((rec.Question.match(/<region>/g) ?? []).length, rec.annotation.length);
    rec.options.forEach((o: string, i: number) =>
      assert.ok(o.startsWith(`(${String.fromCharCode(65 + i)}) `)),
    );
    assert.ok(rec.options.includes(rec.Answer));
    for (const ann of rec.annotation)
      for (const [k, v] of Object.entries(
        ann as Record<string, { segmentation: { size: number[] } | null }>,
      )) {
        assert.match(k, /^\d+$/);
        if (v.segmentation) assert.deepEqual(v.segmentation.size, [128, 128]);
      }
    assert.ok(rec.frame_idx in rec.annotation[0]);
  }
  const d = JSON.parse(readFileSync(join(out, "VideoRefer-Bench-D.json"), "utf8"));
  assert.equal(d.length, 3 * r.clips.length);
  for (const rec of d) {
    assert.deepEqual(Object.keys(rec), ["id", "video", "caption", "frame_idx", "annotation"]);
    assert.equal(rec.annotation.length, 1);
    assert.ok(rec.caption.length > 40);
  }
});

test("600 motionbench questions: categories, letter balance, text-only heuristics and model near chance", () => {
  const plan = planDataset({ n: 600, seed: 2024, preset: "motionbench" });
  const rep = synthReport(plan.clips.flatMap((c) => c.questions));
  assert.equal(Object.keys(rep.perCategory).length, 6);
  for (const n of Object.values(rep.perCategory)) assert.ok(n >= 60);
  for (const l of Object.values(rep.letters)) assert.ok(l.maxDeviation <= 5, JSON.stringify(l));
  assert.ok(Math.abs(rep.heuristics.longest.gap) <= 5, JSON.stringify(rep.heuristics));
  assert.ok(Math.abs(rep.heuristics.overlap.gap) <= 5, JSON.stringify(rep.heuristics));
  assert.equal(Object.keys(rep.textOnly).length, 6);
  for (const [cat, t] of Object.entries(rep.textOnly))
    assert.ok(t.acc <= t.ci95[1] + 3, `${cat}: text-only ${t.acc}% against chance ${t.chance}% ${t.ci95}`);
});

test("the text-only model finds a text prior: the old Repetition Count pool [lo−1, hi+1]", () => {
  // Options 1..4 are the answers; 0 and 5 are in the pool but never right (world v1's leak).
  const rng = createRng(12);
  const qs = Array.from({ length: 300 }, (_, i) => {
    const reps = rng.int(1, 4);
    const distract = rng.sample(
      [0, 1, 2, 3, 4, 5].filter((v) => v !== reps),
      3,
    );
    const pos = rng.int(0, 3);
    const options = [...distract.slice(0, pos), reps, ...distract.slice(pos)].map(String);
    return {
      clip: `c${i}`,
      type: "Repetition Count",
      question: "How many times does it jump?",
      options,
      answer: pos,
    };
  });
  const t = synthReport(qs).textOnly["Repetition Count"];
  assert.ok(!t.atChance && t.acc > t.ci95[1], JSON.stringify(t));
});

test("bad options are rejected with a field", () => {
  assert.throws(
    () => resolveKnobs({ size: { w: 127, h: 128 } }),
    (e) => isKinemaError(e, "bad_spec") && e.fields.field === "size",
  );
  assert.throws(
    () => resolveKnobs({ preset: "nope" as never }),
    (e) => isKinemaError(e, "bad_spec"),
  );
  assert.throws(
    () => planDataset({ n: 0, seed: 1 }),
    (e) => isKinemaError(e, "bad_spec") && e.fields.field === "n",
  );
});

test("world v2: first and last frames agree for every answer; the start framing is random", () => {
  const starts = new Set<string>();
  for (const preset of ["easy", "motionbench", "hard"] as const) {
    const plan = planDataset({ n: 120, seed: 8, preset });
    for (const c of plan.clips) {
      const tl = buildTimeline(c.scene, c.clip);
      assert.equal(tl.world, 2);
      const cam = tl.camera.track;
      starts.add(JSON.stringify(cam[0]));
      // Every camera swing comes back: the last frame is framed exactly as the first.
      for (const key of ["cx", "cy", "zoom", "angle"] as const)
        assert.ok(Math.abs(cam.at(-1)![key] - cam[0][key]) < 1e-9);
      for (const e of tl.events)
        assert.ok(e.start >= 1, `${c.clip}: ${e.type} ${e.name} starts at frame ${e.start}`);
      for (const a of tl.actors) {
        assert.deepEqual(a.track[1], a.track[0]);
        assert.ok(Math.abs(a.track.at(-1)![0] - a.track[0][0]) < 1e-9, "every walk comes back");
      }
      for (const it of tl.items) {
        assert.equal(it.heldBy[0], null);
        assert.equal(it.heldBy.at(-1), null);
        assert.ok(
          Math.hypot(it.track.at(-1)![0] - it.track[0][0], it.track.at(-1)![1] - it.track[0][1]) < 1e-6,
        );
      }
      // The figure's pose at the first and last frame is the neutral one whatever the plan.
      for (const j of [c.scene.actors[0].joints[0], c.scene.actors[0].joints.at(-1)!])
        assert.ok(Math.abs(j.handR[1] - j.handL[1]) < 1e-9 && Math.abs(j.head[0] - j.hip[0]) < 1e-9);
    }
  }
  assert.ok(starts.size > 50, "start framings differ from clip to clip");
});

test("--camera-swing scales every camera swing about the same start framing; refused out of range or for VideoRefer", () => {
  const a = planDataset({ n: 60, seed: 31, cameraSwing: 1 });
  const b = planDataset({ n: 60, seed: 31, cameraSwing: 2 });
  assert.equal(planDataset({ n: 6, seed: 31 }).knobs.cameraSwing, 2, "the presets' default since round 6");
  assert.equal(resolveKnobs({ kind: "videorefer" }).cameraSwing, 1, "VideoRefer sets keep world v1's camera");
  assert.equal(a.clips.length, b.clips.length);
  let moved = 0;
  for (let i = 0; i < a.clips.length; i++) {
    const ca = a.clips[i].scene.camera;
    const cb = b.clips[i].scene.camera;
    assert.deepEqual(cb[0], ca[0], "same start framing");
    for (let t = 0; t < ca.length; t++) {
      const d = (s: typeof ca, f: (x: (typeof ca)[0]) => number) => f(s[t]) - f(s[0]);
      for (const f of [
        (x: (typeof ca)[0]) => x.cx,
        (x: (typeof ca)[0]) => x.cy,
        (x: (typeof ca)[0]) => x.angle,
        (x: (typeof ca)[0]) => Math.log(x.zoom),
      ]) {
        assert.ok(Math.abs(d(cb, f) - 2 * d(ca, f)) < 1e-9, `clip ${i} frame ${t}`);
        if (Math.abs(d(ca, f)) > 1e-6) moved++;
      }
    }
  }
  assert.ok(moved > 100, "the camera moves");
  assert.throws(
    () => resolveKnobs({ cameraSwing: 5 }),
    (e) => isKinemaError(e, "bad_spec") && e.fields.field === "cameraSwing",
  );
  assert.throws(
    () => planDataset({ n: 10, seed: 1, kind: "videorefer", cameraSwing: 2 }),
    (e) => isKinemaError(e, "bad_spec") && e.fields.field === "cameraSwing",
  );
});

test("world v2: every counted repetition spans at least 4 of 32 uniformly sampled frames", () => {
  for (const preset of ["easy", "motionbench", "hard"] as const)
    for (const c of planDataset({ n: 120, seed: 9, preset }).clips) {
      const span = c.scene.actors[0].actions.find((a) => a.reps > 1) ?? null;
      if (!span) continue;
      const perRep = (span.end - span.start) / span.reps;
      assert.ok(
        (perRep * 31) / (c.scene.frames - 1) >= 4,
        `${c.clip}: ${perRep} frames per repetition of ${c.scene.frames}`,
      );
    }
});

test("world v2: a move and its twin are each other's time reversal (same frames, reverse order)", () => {
  for (const [a, b] of Object.entries(TWIN) as [ActionName, ActionName][])
    for (let i = 0; i <= 40; i++) {
      const t = i / 40;
      const x = moveJoints(a, t, 0.3);
      const y = moveJoints(b, 1 - t, 0.3);
      for (const key of Object.keys(x) as (keyof typeof x)[]) {
        const u = x[key];
        const v = y[key];
        if (typeof u === "number") assert.ok(Math.abs(u - (v as number)) < 1e-9, `${a}@${t} ${key}`);
        else
          assert.ok(
            Math.hypot(u[0] - (v as number[])[0], u[1] - (v as number[])[1]) < 1e-9,
            `${a}@${t} ${key}: ${u} vs ${v}`,
          );
      }
    }
  // And a camera swing: out to one side, past the start to the other, back (its reversal is the twin's).
  for (let i = 0; i <= 20; i++) assert.ok(Math.abs(swing(i / 20) + swing(1 - i / 20)) < 1e-12);
});
