// Tiny datasets in the published layouts of MVBench, Video-MME, LVBench, Perception Test and TempCompass, with
// real ffmpeg clips (testsrc), for loader and end-to-end tests. Each writes into `dir` and returns its path.

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { testClip } from "../../devkit/clip.ts";
import { resolveTool } from "../../src/video/tools.ts";

/** A testsrc clip of `seconds` at `rate` fps (64×64 H.264). */
export function makeClip(file: string, seconds = 2, rate = 8): void {
  testClip(file, { seconds, rate });
}

/** A folder of 00001.jpg... frames (MVBench's TVQA frames at 3 fps). */
export function makeFrameFolder(dir: string, frames: number): void {
  mkdirSync(dir, { recursive: true });
  const ffmpeg = resolveTool("ffmpeg").path;
  execFileSync(
    ffmpeg,
    [
      "-v",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=64x64:rate=3",
      "-frames:v",
      String(frames),
      join(dir, "%05d.jpg"),
    ],
    { stdio: "ignore" },
  );
}

const json = (file: string, v: unknown) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(v, null, 2)}\n`);
};

/** MVBench: json/<task>.json + video/<source>/...; one bounded task, one frame-folder task, one bad item. */
export function makeMvbenchFixture(dir: string): string {
  makeClip(join(dir, "video/star/Charades_v1_480/A1B2C.mp4"), 4, 8);
  makeClip(join(dir, "video/nturgbd/S001C001P001R001A001_rgb.avi"), 2, 8);
  makeFrameFolder(join(dir, "video/tvqa/frames_fps3_hq/castle_s01e01_seg02_clip_00"), 12);
  json(join(dir, "json/action_sequence.json"), [
    {
      video: "A1B2C.mp4",
      question: "What happened after the person took the towel?",
      candidates: ["Put down the cup.", "Opened the door.", "Sat on the bed.", "Took the shoe."],
      answer: "Opened the door.",
      start: 0.5,
      end: 3.5,
    },
    {
      video: "A1B2C.mp4",
      question: "What did the person do first?",
      candidates: ["Ate.", "Slept.", "Ran."],
      answer: "Ran.",
      start: 1,
      end: 2,
    },
  ]);
  json(join(dir, "json/episodic_reasoning.json"), [
    {
      video: "castle_s01e01_seg02_clip_00",
      question: "Why is Castle smiling?",
      candidates: ["He won.", "He lost.", "He is tired.", "He is hungry.", "He is late."],
      answer: "He won.",
      start: 0.3,
      end: 3.6,
    },
  ]);
  json(join(dir, "json/fine_grained_pose.json"), [
    {
      video: "S001C001P001R001A001_rgb.avi",
      question: "What is the pose?",
      candidates: ["sit down", "stand up"],
      answer: "stand up",
    },
    { video: "S001C001P001R001A001_rgb.avi", question: "Broken item without candidates", answer: "x" },
  ]);
  return dir;
}

/** Video-MME as on Hugging Face: videomme/test-00000-of-00001.parquet, data/<videoID>.mp4, subtitle/<videoID>.srt. */
export function makeVideoMmeFixture(dir: string): string {
  makeClip(join(dir, "data/fFjv93ACGo8.mp4"), 4, 8);
  makeClip(join(dir, "data/JNaRxmvh2Tg.mp4"), 2, 8);
  mkdirSync(join(dir, "subtitle"), { recursive: true });
  const font = (t: string) => `<font color="white" size=".72c">${t}</font>`;
  writeFileSync(
    join(dir, "subtitle/fFjv93ACGo8.srt"),
    `1\r\n00:00:00,000 --> 00:00:01,000\r\n${font("Hi guys, welcome")}\r\n\r\n2\r\n00:00:01,000 --> 00:00:02,500\r\n${font("to the kitchen")}\r\n\r\n3\r\n00:00:03,000 --> 00:00:03,900\r\n${font("see you")}\r\n\r\n4\r\nbroken --> time\r\nnope\r\n`,
  );
  const rows = [
    [
      "001",
      "short",
      "Knowledge",
      "Humanity & History",
      "fFjv93ACGo8",
      "001-1",
      "Counting Problem",
      "How many apples?",
      ["A. One.", "B. Two.", "C. Three.", "D. Four."],
      "C",
    ],
    [
      "001",
      "short",
      "Knowledge",
      "Humanity & History",
      "fFjv93ACGo8",
      "001-2",
      "Information Synopsis",
      "What is the genre?",
      ["A. News.", "B. Vlog.", "C. Tutorial.", "D. Game."],
      "A",
    ],
    [
      "301",
      "medium",
      "Sports Competition",
      "Football",
      "JNaRxmvh2Tg",
      "301-1",
      "Action Recognition",
      "What does the player do?",
      ["A. Kick.", "B. Run.", "C. Jump.", "D. Fall."],
      "B",
    ],
    [
      "301",
      "medium",
      "Sports Competition",
      "Football",
      "JNaRxmvh2Tg",
      "301-2",
      "OCR Problems",
      "Broken answer row",
      ["A. a.", "B. b.", "C. c.", "D. d."],
      "E",
    ],
  ];
  const col = (i: number) => rows.map((r) => r[i]);
  const buf = parquetWriteBuffer({
    columnData: [
      { name: "video_id", data: col(0), type: "STRING" },
      { name: "duration", data: col(1), type: "STRING" },
      { name: "domain", data: col(2), type: "STRING" },
      { name: "sub_category", data: col(3), type: "STRING" },
      { name: "url", data: col(4).map((v) => `https://www.youtube.com/watch?v=${v}`), type: "STRING" },
      { name: "videoID", data: col(4), type: "STRING" },
      { name: "question_id", data: col(5), type: "STRING" },
      { name: "task_type", data: col(6), type: "STRING" },
      { name: "question", data: col(7), type: "STRING" },
      { name: "options", data: col(8) },
      { name: "answer", data: col(9), type: "STRING" },
    ],
  });
  mkdirSync(join(dir, "videomme"), { recursive: true });
  writeFileSync(join(dir, "videomme/test-00000-of-00001.parquet"), Buffer.from(buf));
  return dir;
}

/** LVBench: video_info.meta.jsonl + videos/<key>.mp4 (download.sh's folder); one bad line, one bad QA. */
export function makeLvbenchFixture(dir: string): string {
  makeClip(join(dir, "videos/Cm73ma6Ibcs.mp4"), 3, 8);
  const q = (uid: number, text: string, answer: string, types: string[]) => ({
    uid,
    question: `${text}\n(A) red\n(B) green\n(C) blue\n(D) white`,
    answer,
    question_type: types,
    time_reference: "00:01-00:02",
  });
  const lines = [
    JSON.stringify({
      key: "Cm73ma6Ibcs",
      type: "cartoon",
      video_info: { duration_minutes: 0.05 },
      qa: [
        q(0, "What colour is the car?", "B", ["entity recognition", "key information retrieval"]),
        q(1, "What colour is the sky?", "C", ["reasoning"]),
        { uid: 2, question: "No options here", answer: "A", question_type: ["reasoning"] },
      ],
    }),
    "{not json",
  ];
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "video_info.meta.jsonl"), `${lines.join("\n")}\n`);
  return dir;
}

/** Perception Test MC, validation layout: mc_question_valid.json + videos/<video_id>.mp4; one bad question. */
export function makePerceptionTestFixture(dir: string): string {
  makeClip(join(dir, "videos/video_10909.mp4"), 2, 8);
  const mc = (id: number, question: string, answerId: number, area: string) => ({
    id,
    question,
    options: ["a pen", "a cup", "a key"],
    answer_id: answerId,
    area,
    reasoning: "Descriptive",
    tag: ["Object recognition"],
  });
  json(join(dir, "mc_question_valid.json"), {
    video_10909: {
      metadata: {
        video_id: "video_10909",
        split: "valid",
        num_frames: 16,
        frame_rate: 8,
        resolution: [64, 64],
      },
      mc_question: [
        mc(0, "What did the person pick up?", 1, "Memory"),
        mc(1, "What is on the table?", 2, "Semantics"),
        { id: 2, question: "Broken", options: ["x", "y", "z"], answer_id: 7 },
      ],
    },
  });
  return dir;
}

/** TempCompass: questions/<task>.json, meta_info.json, videos/<id>.mp4 with a conflicting (_reverse) video. */
export function makeTempCompassFixture(dir: string): string {
  makeClip(join(dir, "videos/1034419625.mp4"), 2, 8);
  makeClip(join(dir, "videos/1034419625_reverse.mp4"), 2, 8);
  const dims = (action: unknown, direction: unknown) => ({
    action,
    direction,
    speed: null,
    order: null,
    attribute_change: null,
  });
  json(join(dir, "meta_info.json"), {
    "1034419625": {
      eval_dim: dims({ type: "fine-grained action" }, { type: "object motion" }),
      content: ["people"],
    },
    "1034419625_reverse": { eval_dim: dims(null, { type: "object motion" }), content: ["people"] },
  });
  json(join(dir, "questions/multi-choice.json"), {
    "1034419625": {
      action: [
        {
          question:
            "What is the man doing in the video?\nA. dunking a basketball\nB. dribbling a basketball\nC. passing a basketball",
          answer: "A. dunking a basketball",
        },
      ],
      direction: [
        {
          question: "Which direction is the man moving?\nA. left to right\nB. right to left",
          answer: "A. left to right",
        },
      ],
    },
    "1034419625_reverse": {
      direction: [
        {
          question: "Which direction is the man moving?\nA. left to right\nB. right to left",
          answer: "B. right to left",
        },
      ],
    },
  });
  json(join(dir, "questions/yes_no.json"), {
    "1034419625": { action: [{ question: "Is the man dunking?", answer: "yes" }, { question: "Broken" }] },
  });
  json(join(dir, "questions/caption_matching.json"), {
    "1034419625_reverse": {
      direction: [
        {
          question:
            "Which caption matches the video better?\nCaption A: The man moves left to right.\nCaption B: The man moves right to left.",
          answer: "Caption B: The man moves right to left.",
        },
      ],
    },
  });
  const info = (a: string, b: string) =>
    `You will be presented with a video and several pieces of information. One piece of information is consistent with the video while the others are not. Please identify the information that consistent with the video and generate a video caption accordingly.\nInformation A: {'subject': 'man', 'action': '${a}'}\nInformation B: {'subject': 'man', 'action': '${b}'}\nGenerated Caption:`;
  json(join(dir, "questions/captioning.json"), {
    "1034419625": {
      // judged against multi-choice.json's 1034419625.action[0] (answer "A. dunking a basketball")
      action: [
        {
          question: info("dunking a basketball", "dribbling a basketball"),
          answer: "A. dunking a basketball",
        },
        {
          question: info("dribbling a basketball", "dunking a basketball"),
          answer: "B. dunking a basketball",
        },
      ],
    },
    // no multi-choice question for this aspect: listed, skipped (upstream KeyError)
    "1034419625_reverse": { action: [{ question: info("walking", "running"), answer: "A. walking" }] },
  });
  return dir;
}
