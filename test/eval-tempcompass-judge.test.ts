// `kinema eval --bench tempcompass:DIR` with and without --judge, end to end: the four tasks in the published
// layout against a loopback model server and a loopback judge server (scripted replies: unparsable verdicts, a
// 500, a timeout, an empty caption verdict). Checks the judge's requests byte for byte (upstream's templates,
// system message and sampling settings), the stored judgements, print_result over rule + judge ratings, that a
// re-run asks nothing, that kill -9 keeps committed verdicts, and the explorer's leaderboard.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { createExplorer } from "../src/analysis/explorer.ts";
import { openSqliteSource } from "../src/analysis/source-sqlite.ts";
import { openStore } from "../src/store/index.ts";
import { cliRunner } from "./helpers/cli.ts";
import { makeTempCompassFixture } from "./helpers/general-fixtures.ts";

// the upstream-generated caption_evaluation_prompt (src/benchmarks/tempcompass/upstream/gen_vectors.py)
const UPSTREAM = JSON.parse(
  readFileSync(new URL("../src/benchmarks/tempcompass/official.fixture.json", import.meta.url), "utf8"),
);

let tmp: string;
let model: LoopbackServer;
let judge: LoopbackServer;
const { kinema, children } = cliRunner(() => tmp);
const runDir = () => join(tmp, "runs");
const bench = () => `tempcompass:${join(tmp, "tc")}`;

const MODEL_REPLIES: [string, string][] = [
  ["What is the man doing in the video?", "A"],
  ["Which direction is the man moving?", "it goes left to right"], // no rule matches (twice)
  ["Is the man dunking?", "Maybe he is"], // no rule matches
  ["Which caption matches", "Caption B"],
  ["Information A: {'subject': 'man', 'action': 'dunking a basketball'}", "A man dunks a basketball."],
  ["Information A: {'subject': 'man', 'action': 'dribbling a basketball'}", "A man dribbles."],
];

const MC_HEAD =
  '\nYou will receive a multi-choice question, the ground-truth answer and the prediction from a question answering (QA) model. Your task is to determine whether QA model prediction is correct, based on the question and ground-truth answer. If the prediction is correct, respond "Correct". If the prediction is incorrect, respond "Incorrect".\n';
const YN_HEAD =
  '\nYou will receive a Yes/No question, the ground-truth answer and the prediction from a question answering (QA) model. Your task is to determine whether QA model prediction is correct, based on the question and ground-truth answer. If the prediction is correct, respond "Correct". If the prediction is incorrect, respond "Incorrect".\n';
const MCQ =
  "What is the man doing in the video?\nA. dunking a basketball\nB. dribbling a basketball\nC. passing a basketball";
const DIRQ = "Which direction is the man moving?\nA. left to right\nB. right to left";
const EXPECTED_PROMPTS = [
  `${MC_HEAD}\nMulti-Choice Question:\n${DIRQ}\nGround-Truth Answer: A. left to right\nModel Prediction: it goes left to right`,
  `${MC_HEAD}\nMulti-Choice Question:\n${DIRQ}\nGround-Truth Answer: B. right to left\nModel Prediction: it goes left to right`,
  `${YN_HEAD}\nYes/No Question:\nIs the man dunking?\nGround-Truth Answer: yes\nModel Prediction: Maybe he is`,
  `${UPSTREAM.caption_evaluation_prompt}\nVideo Description:A man dunks a basketball.\nMulti-Choice Question:\n${MCQ}\n`,
  `${UPSTREAM.caption_evaluation_prompt}\nVideo Description:A man dribbles.\nMulti-Choice Question:\n${MCQ}\n`,
].sort();

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-tcj-"));
  makeTempCompassFixture(join(tmp, "tc"));
  model = await startLoopbackServer({
    script: (req) => reply.answer(MODEL_REPLIES.find(([k]) => req.text.includes(k))?.[1] ?? "B"),
  });
  judge = await startLoopbackServer({
    script: (req) => {
      const t = req.text;
      // retried until parsable: "maybe" first, then a verdict
      if (t.includes("Ground-Truth Answer: A. left to right"))
        return reply.answer(req.attempt === 1 ? "maybe" : "Correct");
      // a 500 first (one try, as upstream's requests.post), then a verdict
      if (t.includes("Ground-Truth Answer: B. right to left"))
        return req.attempt === 1 ? reply.status(500) : reply.answer("Incorrect, it moves left.");
      // a timeout first
      if (t.includes("Yes/No Question")) return req.attempt === 1 ? reply.hang() : reply.answer("Correct");
      if (t.includes("Video Description:A man dunks"))
        return reply.answer("Reasoning: the description says dunks.\nAnswer: A. dunking a basketball");
      if (t.includes("Video Description:A man dribbles.")) return reply.answer(""); // upstream: rating -1
      return reply.answer("Incorrect");
    },
  });
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await model?.close();
  await judge?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const evalArgs = (dir: string, extra: string[] = []) => [
  "eval",
  ...["--bench", bench(), "--model", "openai:loop", "--base-url", model.url, "--frames", "uniform:4"],
  ...["--run-dir", dir, "--no-progress", "--json", "--backoff-ms", "0", ...extra],
];
const judgeArgs = () => [
  ...["--judge", "openai:gpt-3.5-turbo-1106", "--judge-base-url", judge.url, "--judge-timeout-ms", "1500"],
];
const officialOf = (dir: string, run: string) =>
  JSON.parse(readFileSync(join(dir, run, "summary.json"), "utf8")).official as Record<string, any>;

test("without --judge: unmatched replies rated 0 (said on stderr), captioning left out and listed", async () => {
  const r = await kinema(evalArgs(runDir()));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(model.requests.length, 5); // 3 multi-choice, 1 yes/no, 1 caption matching; no captioning
  assert.match(r.stderr, /3 of 5 replies matched no rule and were rated 0 \(official --disable_llm\)/);
  assert.match(
    r.stderr,
    /2 sample\(s\) need an LLM judge to be scored \(e\.g\. captioning\/1034419625\/action\/0\)/,
  );
  const j = JSON.parse(r.stdout);
  assert.equal(j.judged, undefined);
  const off = officialOf(runDir(), j.run);
  assert.equal(off.disable_llm, true);
  assert.equal(off["multi-choice"].avg, 33.3);
  assert.equal(off.yes_no.avg, 0);
  assert.equal(off.captioning, undefined);
  assert.equal(judge.requests.length, 0);
});

test("with --judge: the same run asks the captions, the judge rates unmatched replies and captions", async () => {
  const r = await kinema(evalArgs(runDir(), judgeArgs()));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(model.requests.length, 5 + 2, "only the two captions are new to the model");
  const cap = model.requests.slice(5).map((q) => q.text);
  assert.ok(
    cap.every((t) => t.endsWith("\nGenerated Caption:")),
    "captioning's cue is upstream's empty one",
  );
  const j = JSON.parse(r.stdout);
  // requests the judge received: 3 + 2 items, plus one retry each for "maybe", the 500 and the timeout
  assert.equal(judge.requests.length, 8);
  assert.deepEqual([...new Set(judge.requests.map((q) => q.text))].sort(), EXPECTED_PROMPTS);
  for (const q of judge.requests) {
    assert.deepEqual(q.body.messages[0], {
      role: "system",
      content: "You are an AI assistant for question answering.",
    });
    assert.equal(q.body.messages[1].content, q.text); // a plain string, as upstream sends it
    assert.deepEqual(
      [q.body.model, q.body.temperature, q.body.max_tokens, q.body.top_p, q.body.presence_penalty],
      ["gpt-3.5-turbo-1106", 1, 128, 1, 1],
    );
  }
  // stored verdicts
  const store = openStore(runDir());
  const js = store.judgements(j.run).map((x) => x.judgement);
  store.close();
  const by = Object.fromEntries(js.map((x) => [x.id, x]));
  assert.equal(js.length, 5);
  assert.deepEqual(
    [by["multi-choice/1034419625/direction/0"].rating, by["multi-choice/1034419625/direction/0"].tries],
    [1, 2],
  );
  const rev = by["multi-choice/1034419625_reverse/direction/0"];
  assert.deepEqual([rev.rating, rev.tries, rev.status, rev.errors[0].status], [0, 2, "ok", 500]);
  const yn = by["yes_no/1034419625/action/0"];
  assert.deepEqual([yn.rating, yn.tries, yn.errors[0].code], [1, 2, "timeout"]);
  const c0 = by["captioning/1034419625/action/0"];
  assert.deepEqual(
    [c0.rating, c0.answer, c0.reasoning],
    [1, "A. dunking a basketball", "the description says dunks."],
  );
  const c1 = by["captioning/1034419625/action/1"];
  assert.deepEqual([c1.rating, c1.status, c1.answer], [-1, "unparsed", null]);
  assert.equal(c0.judge.spec, "openai:gpt-3.5-turbo-1106");
  // the summary: print_result over rule + judge ratings; the judge recorded
  assert.equal(j.judged.kind, "tempcompass");
  assert.deepEqual(
    [j.judged.n, j.judged.match, j.judged.captioning, j.judged.unparsed, j.judged.failed],
    [5, 3, 2, 1, 0],
  );
  assert.deepEqual([j.judged.judge.temperature, j.judged.judge.maxTokens, j.judged.judge.top_p], [1, 128, 1]);
  const off = officialOf(runDir(), j.run);
  assert.equal(off.disable_llm, false);
  assert.equal(off["multi-choice"].direction, 50);
  assert.equal(off["multi-choice"].avg, 66.7);
  assert.equal(off["multi-choice"].match_success_rate, 33.3);
  assert.equal(off.yes_no.avg, 100);
  assert.equal(off.caption_matching.avg, 100);
  assert.equal(off.captioning.action, 0); // (1 + -1) / 2
  assert.equal(off.captioning.match_success_rate, 0);
  assert.equal(j.counts.total, 7);
  // per-sample records keep the conflicting-video structure and the judge's digest
  const recs = readFileSync(join(runDir(), j.run, "samples.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const rrec = recs.find((x) => x.id === "multi-choice/1034419625_reverse/direction/0");
  assert.equal(rrec.video_id, "1034419625");
  assert.equal(rrec.judge.rating, 0);
  assert.equal(rrec.judge.verdict, "incorrect");
});

test("re-run: nothing is asked again, of the model or the judge", async () => {
  const m0 = model.requests.length;
  const j0 = judge.requests.length;
  const r = await kinema(evalArgs(runDir(), judgeArgs()));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(model.requests.length, m0);
  assert.equal(judge.requests.length, j0);
  assert.equal(JSON.parse(r.stdout).judged.n, 5);
});

test("the run is in the explorer's leaderboard with TempCompass's aspects; judge ratings count", () => {
  const ex = createExplorer(openSqliteSource(runDir()));
  const lb = ex.leaderboard("tempcompass");
  assert.deepEqual(lb.categories, ["action", "direction"]);
  assert.equal(lb.rows.length, 1);
  const s = lb.rows[0];
  // right: mc action, mc direction (judge 1), caption matching, yes/no (judge 1), caption 0 (judge 1)
  assert.deepEqual([s.overall.n, Math.round((s.overall.acc ?? 0) * 7)], [7, 5]);
});

test("kill -9 while judging: committed verdicts are kept and never asked again", async () => {
  const dir = join(tmp, "runs-k");
  judge.setScript((req) =>
    req.text.includes("Video Description:A man dribbles.") ? reply.hang() : reply.answer("Correct"),
  );
  const j0 = judge.requests.length;
  const child = kinema(
    evalArgs(dir, [...judgeArgs(), "--judge-concurrency", "1", "--judge-timeout-ms", "60000"]),
  );
  const t0 = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    let n = 0;
    try {
      const db = new DatabaseSync(join(dir, "kinema.db"), { readOnly: true });
      n = (db.prepare("SELECT COUNT(*) AS n FROM judgements").get() as any).n;
      db.close();
    } catch {
      // not created yet
    }
    if (
      n >= 1 &&
      judge.requests.some((q, i) => i >= j0 && q.text.includes("Video Description:A man dribbles."))
    )
      break;
    assert.ok(Date.now() - t0 < 20_000, "judging reached the hanging caption in time");
  }
  for (const c of children) c.kill("SIGKILL");
  await child;
  const db = new DatabaseSync(join(dir, "kinema.db"), { readOnly: true });
  const kept = (db.prepare("SELECT COUNT(*) AS n FROM judgements").get() as any).n as number;
  db.close();
  assert.ok(kept >= 1 && kept < 5);
  judge.setScript(() => reply.answer("Incorrect"));
  const j1 = judge.requests.length;
  const r = await kinema(evalArgs(dir, judgeArgs()));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(judge.requests.length - j1, 5 - kept, "only the verdicts not committed are asked");
  assert.equal(JSON.parse(r.stdout).judged.n, 5);
});

test("kinema judge tempcompass --run: a run made without --judge is judged afterwards, once", async () => {
  const dir = join(tmp, "runs-j");
  const e = await kinema(evalArgs(dir));
  assert.equal(e.code, 0, e.stderr);
  const run = JSON.parse(e.stdout).run;
  judge.setScript(() => reply.answer("Correct"));
  const args = ["judge", "tempcompass", "--run", run, "--run-dir", dir, ...judgeArgs(), "--json"];
  const j0 = judge.requests.length;
  const r = await kinema(args.filter((a) => a !== "--judge-timeout-ms" && a !== "1500"));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(judge.requests.length - j0, 3); // the three replies no rule matched; no captions in this run
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.n, out.match, out.ok], [3, 3, 3]);
  assert.equal(out.judge.spec, "openai:gpt-3.5-turbo-1106");
  const again = await kinema(args.filter((a) => a !== "--judge-timeout-ms" && a !== "1500"));
  assert.equal(again.code, 0, again.stderr);
  assert.equal(judge.requests.length - j0, 3, "asked nothing again");
  const p = await kinema(["judge", "tempcompass", "--pred", "x.json", "--judge", "openai:j"]);
  assert.notEqual(p.code, 0);
  assert.match(p.stderr, /kinema score tempcompass/);
});

test("kinema score tempcompass --task captioning: eval_captioning.py on a predictions file; --judge required", async () => {
  const preds = join(tmp, "cap-preds.json");
  const q = JSON.parse(readFileSync(join(tmp, "tc", "questions", "captioning.json"), "utf8"))["1034419625"];
  writeFileSync(
    preds,
    JSON.stringify({
      "1034419625": {
        action: q.action.map((x: any, i: number) => ({
          ...x,
          prediction: i ? "A man dribbles." : "A man dunks.",
        })),
      },
    }),
  );
  const meta = join(tmp, "tc", "meta_info.json"); // questions/multi-choice.json beside it
  const base = ["score", "tempcompass", "--task", "captioning", "--pred", preds, "--meta", meta, "--json"];
  const no = await kinema(base);
  assert.notEqual(no.code, 0);
  assert.match(no.stderr, /--judge SPEC/);
  judge.setScript((req) =>
    req.text.includes("Video Description:A man dunks.")
      ? reply.answer("Reasoning: dunks\nAnswer: A. dunking a basketball")
      : reply.answer("Reasoning: dribbles\nAnswer: B. dribbling a basketball"),
  );
  const j0 = judge.requests.length;
  const out = join(tmp, "cap-eval.json");
  const r = await kinema([
    ...base,
    "--judge",
    "openai:gpt-3.5-turbo-1106",
    "--judge-base-url",
    judge.url,
    "--out",
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(judge.requests.length - j0, 2);
  const j = JSON.parse(r.stdout);
  assert.equal(j.result.aspects.action, 50);
  assert.equal(j.result.matchRate, 0);
  const ev = JSON.parse(readFileSync(out, "utf8"));
  assert.deepEqual(
    ev["1034419625"].action.map((e: any) => [e["chatgpt-answer"], e["gt-answer"], e.rating]),
    [
      ["A. dunking a basketball", "A. dunking a basketball", 1],
      ["B. dribbling a basketball", "A. dunking a basketball", 0],
    ],
  );
});
