// The MotionBench §9.2 QA-generation instruction (paper seed 001), kept verbatim in a text file beside this one.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const MOTIONBENCH_QA_PROMPT_FILE = join(import.meta.dirname, "motionbench-qa.prompt.txt");
export const MOTIONBENCH_QA_PROMPT = readFileSync(MOTIONBENCH_QA_PROMPT_FILE, "utf8");
export const MOTIONBENCH_QA_PROMPT_SHA256 = createHash("sha256").update(MOTIONBENCH_QA_PROMPT).digest("hex");
