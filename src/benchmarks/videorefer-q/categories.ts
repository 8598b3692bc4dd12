// VideoRefer-Bench-Q's five question types in the paper's order, declared once (the loader, the summary and
// the synthetic world's question builder read them). Pure constants with no imports.

export const VIDEOREFER_TYPES = [
  "Basic Questions",
  "Sequential Questions",
  "Relationship Questions",
  "Reasoning Questions",
  "Future Predictions",
] as const;

export type VideoReferType = (typeof VIDEOREFER_TYPES)[number];
