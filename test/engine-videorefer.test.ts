// End to end: `kinema engine videorefer` on a synthetic set with the synth-oracle segmentor and scripted agents on
// a loopback server (invalid JSON, a timeout, wrong boxes, wrong verdicts): Reviewer precision/recall and mask
// IoU against the truth, kill -9 and resume, export and `kinema eval --bench videorefer-q:DIR`; plus the HTTP
// segmentor against a loopback segmentation service.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type LoopbackServer,
  type ReceivedRequest,
  reply,
  startLoopbackServer,
} from "../devkit/loopback-server.ts";
import { createHttpSegmentor } from "../src/engine/segmentor.ts";
import { bbox, type Rle } from "../src/masks/rle.ts";
import { openEngineStore } from "../src/store/engine.ts";
import { cliRunner } from "./helpers/cli.ts";

let dir = "";
const { kinema, children } = cliRunner(() => dir);
let server: LoopbackServer;
const MAIN = join(import.meta.dirname, "..", "src", "cli", "main.ts");

interface Clip {
  clip: string;
  caption: string;
  figure: string;
  item: string;
  boxes: Record<string, number[]>;
}
const clips: Clip[] = [];

function boxOf(rle: Rle): number[] {
  const [x, y, w, h] = bbox(rle);
  const [H, W] = rle.size;
  return [x / W, y / H, (x + w) / W, (y + h) / H];
}

let hangRefine = false;
const ELEPHANTS = ["the purple elephant", "the silver elephant"];
function script(r: ReceivedRequest) {
  const msgs: { content: unknown }[] = r.body?.messages ?? [];
  const first = (() => {
    const c = msgs[0]?.content;
    if (typeof c === "string") return c;
    return ((c as { type: string; text?: string }[]) ?? [])
      .filter((p) => p.type === "text")
      .map((p) => p.text)
      .join("");
  })();
  const reask = msgs.length > 1;
  if (first.startsWith("List the distinct")) {
    const ci = clips.findIndex((k) => first.includes(k.caption));
    if (ci < 0) return reply.status(400);
    const k = clips[ci];
    return reply.answer(JSON.stringify([k.figure, k.item, ELEPHANTS[ci]]), {
      usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
    });
  }
  const clipOf = (s: string) => {
    const e = ELEPHANTS.findIndex((x) => s.includes(x));
    return e >= 0 ? e : clips.findIndex((k) => s.includes(k.figure) || s.includes(k.item));
  };
  if (first.startsWith("These are frames") && first.includes('"appearance"')) {
    const noun = first.match(/Look at (.*?)\. Return/)?.[1] ?? "";
    const ci = clipOf(noun);
    const k = clips[ci];
    if (noun === ELEPHANTS[0] && !reask) return reply.answer("an elephant! {broken");
    // Clip 0's item is boxed on the distractor (wrong); the elephants are boxed on the distractor.
    const right = noun === k.figure || (noun === k.item && ci === 1);
    return reply.answer(
      JSON.stringify({
        appearance: `looks like ${noun}`,
        motion: `${noun} moves`,
        box: right ? k.boxes[noun] : k.boxes.distractor,
      }),
    );
  }
  if (first.includes("Do the description and the boxed object")) {
    const desc = first.slice(first.indexOf("Description:"));
    const ci = clipOf(desc);
    if (desc.includes(ELEPHANTS[1])) return reply.answer("maybe");
    if (desc.includes(ELEPHANTS[0])) return reply.answer("Yes.");
    const isFigure = desc.includes(clips[ci].figure);
    if (ci === 0) return reply.answer(isFigure ? "Yes, same object." : "No");
    return reply.answer(isFigure ? "no" : "yes");
  }
  if (first.startsWith("An object in a video")) {
    if (hangRefine && first.includes(clips[1].item)) return reply.hang();
    return reply.answer(
      JSON.stringify({
        detailed: "The <region> moves across the scene.",
        short: "A moving <region>.",
        qa: [
          {
            question: "What does <region> do?",
            options: ["moves", "sleeps", "sings", "flies"],
            answer: "A",
            type: "Basic Questions",
          },
        ],
      }),
      { usage: { prompt_tokens: 50, completion_tokens: 40, total_tokens: 90 } },
    );
  }
  return reply.status(400);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "kinema-vr-"));
  execFileSync(
    process.execPath,
    [MAIN, "synth", "--kind", "videorefer", "--n", "6", "--seed", "1", "--out", join(dir, "synth")],
    { stdio: "ignore" },
  );
  const d = JSON.parse(readFileSync(join(dir, "synth", "VideoRefer-Bench-D.json"), "utf8")) as {
    video: string;
    caption: string;
  }[];
  const seen = new Set<string>();
  for (const r of d) {
    if (seen.has(r.video)) continue;
    seen.add(r.video);
    const clip = r.video.replace(/\.mp4$/, "");
    const tl = JSON.parse(readFileSync(join(dir, "synth", "timeline", `${clip}.json`), "utf8"));
    const masks = JSON.parse(readFileSync(join(dir, "synth", "masks", `${clip}.json`), "utf8")).objects as {
      id: string;
      frames: Rle[];
    }[];
    const main = tl.actors.find((a: { role: string }) => a.role === "main");
    const dis = tl.actors.find((a: { role: string }) => a.role === "distractor");
    const item = tl.items.find((i: { role: string }) => i.role === "target");
    const figure = `the ${clips.length === 0 ? "small" : "tall"} figure in the ${main.shirt} shirt`;
    const itemName = `the ${item.color} ${item.kind}`;
    const at0 = (id: string) => boxOf(masks.find((m) => m.id === id)!.frames[0]);
    clips.push({
      clip,
      caption: r.caption,
      figure,
      item: itemName,
      boxes: { [figure]: at0(main.id), [itemName]: at0(item.id), distractor: at0(dis.id) },
    });
  }
  assert.equal(clips.length, 2);
  server = await startLoopbackServer({ script });
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const args = (out: string) => [
  "engine",
  "videorefer",
  "--synth",
  join(dir, "synth"),
  "--model",
  "openai:agent",
  "--segmentor",
  "synth-oracle",
  "--out",
  out,
  "--base-url",
  server.url,
  "--timeout-ms",
  "500",
  "--retries",
  "0",
  "--json",
];

describe("kinema engine videorefer", () => {
  test("kill -9, resume without re-asking, truth report, export, eval of Bench-Q", async () => {
    const out = join(dir, "run");
    hangRefine = true;
    const run = kinema(args(out));
    for (
      let i = 0;
      i < 300 &&
      !server.requests.some(
        (r) =>
          JSON.stringify(r.body?.messages ?? "").includes("An object in a video") &&
          JSON.stringify(r.body?.messages ?? "").includes(clips[1].item),
      );
      i++
    )
      await new Promise((r) => setTimeout(r, 50));
    [...children].at(-1)!.kill("SIGKILL");
    await run;
    const analyzed = server.requests.filter((r) =>
      JSON.stringify(r.body?.messages ?? "").includes("List the distinct"),
    ).length;
    assert.equal(analyzed, 2);
    hangRefine = false;
    const mark = server.requests.length;
    const r = await kinema(args(out));
    assert.equal(r.code, 0, r.stderr);
    const again = server.requests.slice(mark);
    assert.equal(
      again.filter((q) => JSON.stringify(q.body?.messages ?? "").includes("List the distinct")).length,
      0,
      "analyzer steps not re-asked",
    );
    // Nothing answered before the kill is asked again; only the hung refine step repeats.
    const key = (q: ReceivedRequest) => JSON.stringify(q.body?.messages);
    const hung = server.requests
      .slice(0, mark)
      .filter((q) => key(q).includes("An object in a video") && key(q).includes(clips[1].item))
      .map(key);
    const answeredBefore = new Set(
      server.requests
        .slice(0, mark)
        .map(key)
        .filter((k) => !hung.includes(k)),
    );
    assert.deepEqual(again.filter((q) => answeredBefore.has(key(q))).length, 0);
    assert.equal(again.filter((q) => hung.includes(key(q))).length, 1);
    const rep = JSON.parse(r.stdout).report;
    // clip 0: figure right box, reviewer yes (TP); item wrong box, reviewer no (TN); elephant (invalid JSON, re-asked) wrong box, yes (FP).
    // clip 1: figure right box, reviewer no (FN); item right box, yes (TP); elephant: "maybe" twice → no verdict.
    assert.deepEqual(
      {
        tp: rep.reviewer.tp,
        fp: rep.reviewer.fp,
        fn: rep.reviewer.fn,
        tn: rep.reviewer.tn,
        n: rep.reviewer.n,
      },
      { tp: 2, fp: 1, fn: 1, tn: 1, n: 5 },
    );
    assert.equal(rep.reviewer.precision, 2 / 3);
    assert.equal(rep.reviewer.recall, 2 / 3);
    assert.equal(rep.stages.annotate.invalid, 1);
    assert.equal(rep.stages.review.invalid, 2);
    assert.equal(rep.reasons.steps["review invalid: neither yes nor no"], 2);
    assert.equal(rep.reasons.dropped["reviewer: no usable reply"], 1);
    const iou = Object.fromEntries(
      rep.iou.map((x: { clip: string; object: string; iou: number | null }) => [
        `${x.clip}|${x.object}`,
        x.iou,
      ]),
    );
    assert.equal(iou[`${clips[0].clip}|${clips[0].figure}`], 1);
    assert.ok(iou[`${clips[0].clip}|${clips[0].item}`] < 0.2, "wrong box → low IoU");
    assert.equal(iou[`${clips[1].clip}|${clips[1].item}`], 1);
    assert.equal(iou[`${clips[0].clip}|${ELEPHANTS[0]}`], null);
    assert.equal(rep.items.kept, 3);

    const s = openEngineStore(out);
    const kept = s
      .items()
      .filter((i) => i.state === "kept")
      .map((i) => i.id);
    s.close();
    const rv = await kinema([
      "engine",
      "review",
      "--run",
      out,
      "--reviewer",
      "ann",
      "--accept-all",
      "--reject",
      kept[2],
    ]);
    assert.equal(rv.code, 0, rv.stderr);
    const ex = await kinema(["engine", "export", "--run", out, "--out", join(dir, "vrq"), "--json"]);
    assert.equal(ex.code, 0, ex.stderr);
    const exj = JSON.parse(ex.stdout);
    assert.deepEqual(exj.uids, kept.slice(0, 2));
    assert.equal(exj.benchQ, 2);
    const recs = JSON.parse(readFileSync(join(dir, "vrq", "VideoRefer-700K.json"), "utf8"));
    assert.equal(recs.length, 6);
    assert.deepEqual(Object.keys(recs[0]), ["video", "conversations", "annotation"]);
    assert.equal(recs[0].conversations[1].from, "gpt");
    const ev = await kinema([
      "eval",
      "--bench",
      `videorefer-q:${join(dir, "vrq")}`,
      "--model",
      "random:0",
      "--run-dir",
      join(dir, "runs"),
      "--json",
    ]);
    assert.equal(ev.code, 0, ev.stderr + ev.stdout);
    const evj = JSON.parse(ev.stdout);
    assert.equal(evj.counts.total, 2);
    assert.equal(evj.counts.ok, 2);
  });

  test("http segmentor: segment + propagate against a loopback service; bad replies are typed errors", async () => {
    const got: { path: string; body: any }[] = [];
    let bad = false;
    const rle = { size: [4, 4], counts: [5, 2, 9] };
    const srv = createServer((req, res) => {
      let b = "";
      req.on("data", (d) => (b += d));
      req.on("end", () => {
        const body = JSON.parse(b);
        got.push({ path: req.url!, body });
        res.writeHead(200, { "content-type": "application/json" });
        if (req.url === "/segment")
          res.end(JSON.stringify(bad ? { nope: 1 } : { segmentation: rle, score: 0.9 }));
        else
          res.end(
            JSON.stringify({
              masks: Object.fromEntries(body.indices.map((i: number) => [String(i), i === 3 ? null : rle])),
            }),
          );
      });
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const seg = createHttpSegmentor(base);
      const frames = [Buffer.from("png0"), Buffer.from("png1")];
      const r = await seg.segment({
        clip: "c",
        indices: [0, 3],
        frames,
        width: 4,
        height: 4,
        box: [0, 0, 2, 2],
      });
      assert.deepEqual(r.masklet, { "0": rle, "3": null });
      assert.equal(r.calls, 2);
      assert.deepEqual(
        got.map((g) => g.path),
        ["/segment", "/propagate"],
      );
      assert.equal(got[0].body.image, Buffer.from("png0").toString("base64"));
      assert.deepEqual(got[0].body.box, [0, 0, 2, 2]);
      assert.deepEqual(got[1].body.indices, [0, 3]);
      assert.deepEqual(got[1].body.segmentation, rle);
      bad = true;
      await assert.rejects(
        seg.segment({ clip: "c", indices: [0], frames: [frames[0]], width: 4, height: 4, box: [0, 0, 1, 1] }),
        /segment: segmentation/,
      );
    } finally {
      srv.close();
    }
  });
});
