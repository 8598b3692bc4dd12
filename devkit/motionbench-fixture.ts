// Tiny MotionBench-layout fixtures for tests: 64×64 one-second testsrc clips plus a video_info.meta.jsonl.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testClip } from "./clip.ts";

export const MB_CATEGORIES = [
  "Motion Recognition",
  "Location-related Motion",
  "Camera Motion",
  "Motion-related Objects",
  "Action Order",
  "Repetition Count",
];

export interface FixtureQuestion {
  uid: string;
  /** Question text (without options); tests put scripting markers in it. */
  text: string;
  answer: string;
  category?: string;
  video?: number;
}

/** Writes `videos` clips and one meta line per question into `dir`; returns dir. */
export function makeMotionBenchFixture(dir: string, questions: FixtureQuestion[], videos = 2): string {
  mkdirSync(join(dir, "videos"), { recursive: true });
  for (let v = 0; v < videos; v++) testClip(join(dir, "videos", `v${v}.mp4`));
  const lines = questions.map((q, i) =>
    JSON.stringify({
      question_type: q.category ?? MB_CATEGORIES[i % MB_CATEGORIES.length],
      video_type: null,
      key: `k${i}`,
      qa: [
        {
          uid: q.uid,
          start: null,
          end: null,
          answer: q.answer,
          question: `${q.text}\nA. left\nB. right\nC. up\nD. down`,
        },
      ],
      video_path: `v${(q.video ?? i) % videos}.mp4`,
      video_info: { duration: 1, fps: 8, resolution: { width: 64, height: 64 } },
    }),
  );
  writeFileSync(join(dir, "video_info.meta.jsonl"), `${lines.join("\n")}\n`);
  return dir;
}
