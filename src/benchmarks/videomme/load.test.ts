// Video-MME loader on the Hugging Face layout (parquet + data/ + subtitle/), the prompt snapshots of one frozen
// question with and without subtitles, and subtitles aligned to sampled frames.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makeVideoMmeFixture } from "../../../test/helpers/general-fixtures.ts";
import { parseVideoMme, summarizeVideoMme, videoMmePrompt } from "./index.ts";
import { loadVideoMme } from "./load.ts";
import { parseSrt, subtitlesAtFrames } from "./subtitles.ts";

let dir: string;
before(() => {
  dir = makeVideoMmeFixture(mkdtempSync(join(tmpdir(), "kinema-vmme-")));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("loads the parquet rows; a bad row is listed with file, row and field; .srt problems too", async () => {
  const { samples, issues } = await loadVideoMme(dir);
  assert.deepEqual(
    samples.map((s) => s.id),
    ["001-1", "001-2", "301-1"],
  );
  assert.deepEqual(
    samples.map((s) => s.category),
    ["short", "short", "medium"],
  );
  const bad = issues.find((i) => i.field === "row 3.answer");
  assert.ok(bad?.file.endsWith("test-00000-of-00001.parquet") && bad.line === 4, JSON.stringify(issues));
  assert.ok(issues.some((i) => i.file.endsWith("fFjv93ACGo8.srt") && i.field === "time" && i.line === 14));
  assert.match(samples[0].video.path, /data\/fFjv93ACGo8\.mp4$/);
  assert.deepEqual(samples[0].options, ["One.", "Two.", "Three.", "Four."]);
  assert.equal((await loadVideoMme(dir, { durations: ["medium"] })).samples.length, 1);
});

test("prompt snapshots: the README's prompt, with subtitles at the frames sent, and lmms-eval's", async () => {
  const { samples } = await loadVideoMme(dir);
  const s = samples[0];
  const q = "How many apples?\nA. One.\nB. Two.\nC. Three.\nD. Four.";
  const instr =
    "Select the best answer to the following multiple-choice question based on the video. Respond with only the letter (A, B, C, or D) of the correct option.";
  assert.equal(videoMmePrompt(s).text, `${instr}\n${q}\nThe best answer is:`);
  // frames 4 and 28 at 8 fps: 0.5 s (line 1) and 3.5 s (line 3)
  const ctx = { frames: { indices: [4, 28], fps: 8 } };
  assert.equal(
    videoMmePrompt(s, "official-subs", ctx).text,
    `This video's subtitles are listed below:\nHi guys, welcome\nsee you\n${instr}\n${q}\nThe best answer is:`,
  );
  // no .srt: the subtitle-free prompt (official) / "No subtitles available" (lmms-eval)
  assert.equal(videoMmePrompt(samples[2], "official-subs", ctx).text, videoMmePrompt(samples[2]).text);
  assert.match(
    videoMmePrompt(samples[2], "lmms-eval-subs", ctx).text,
    /^This video's subtitles are listed below: \nNo subtitles available\nSelect the best answer to the following multiple-choice question based on the video and the subtitles\./,
  );
  assert.equal(
    videoMmePrompt(s, "lmms-eval").text,
    `Select the best answer to the following multiple-choice question based on the video and the subtitles. Respond with only the letter (A, B, C, or D) of the correct option.\n${q}\n\nAnswer with the option's letter from the given choices directly.`,
  );
});

test("subtitle alignment: int(start·fps) ≤ frame < int(end·fps), each line once, in file order", () => {
  const { lines } = parseSrt(
    "1\n00:00:01,000 --> 00:00:02,000\nfirst\nline\n\n2\n00:00:00,500 --> 00:00:01,200\n<i>second</i>\n",
  );
  assert.deepEqual(
    lines.map((l) => l.text),
    ["first line", "<i>second</i> "], // the file's last "\n" leaves an empty line, joined by a space as lmms-eval does,
  );
  assert.equal(subtitlesAtFrames(lines, { indices: [9, 10, 11], fps: 10 }), "first line\nsecond");
  assert.equal(subtitlesAtFrames(lines, { indices: [20], fps: 10 }), ""); // end is exclusive
  assert.equal(subtitlesAtFrames(lines), "first line\nsecond"); // no frames: every line
});

test("summary: official denominators leave unextracted replies out; the official block is eval_your_results", async () => {
  const { samples } = await loadVideoMme(dir);
  const o = (i: number, raw: string) => ({
    sample: samples[i],
    status: "ok" as const,
    raw,
    parsed: parseVideoMme(raw, samples[i]),
  });
  const sum = summarizeVideoMme([
    o(0, "Best option: C"),
    o(1, "A."),
    o(2, "I cannot tell from these frames at all, sorry about that."),
  ]);
  assert.equal(sum.overall.n, 2); // the third is unanswered
  assert.equal(sum.overall.right, 1); // "Best option: C" extracts "B" officially
  const off = sum.official as Record<string, { Overall: number; answered: number }>;
  assert.equal(off.short.Overall, 50);
  assert.equal(off.medium.answered, 0);
  assert.equal(off.entire.Overall, 50);
  assert.equal(summarizeVideoMme([o(0, "Best option: C")], { parseMode: "fixed-prefixes" }).overall.right, 1);
});
