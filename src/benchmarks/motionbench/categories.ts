// MotionBench's six question types, declared once: the question_type strings in the paper's Table 3 order
// with the leaderboard abbreviations. Pure constants with no imports, so the web bundle can import them too.

export const MOTIONBENCH_CATEGORIES = [
  { name: "Motion Recognition", abbrev: "MR" },
  { name: "Location-related Motion", abbrev: "LM" },
  { name: "Camera Motion", abbrev: "CM" },
  { name: "Motion-related Objects", abbrev: "MO" },
  { name: "Action Order", abbrev: "AO" },
  { name: "Repetition Count", abbrev: "RC" },
] as const;

export type MotionBenchCategory = (typeof MOTIONBENCH_CATEGORIES)[number]["name"];

/** The six names in Table 3 order. */
export const MOTIONBENCH_CATEGORY_NAMES: readonly MotionBenchCategory[] = MOTIONBENCH_CATEGORIES.map(
  (c) => c.name,
);
