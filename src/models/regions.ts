// How a question names its regions: the n-th `<objectN><region>` (or bare `<region>`, upstream's `[<region>]`
// form included) goes with the n-th object of region input. Shared by the runner and the region adapters.

/** The n-th match is region slot n; group 1 is N of its `<objectN>` tag when it has one. */
export const REGION_RE = /(?:<object(\d+)>)?\s*\[?<region>\]?/g;

/** Each region slot's label in order: `<objectN>`, or `region n` for a bare `<region>`. */
export function regionTags(question: string): string[] {
  return [...question.matchAll(REGION_RE)].map((m, i) =>
    m[1] !== undefined ? `<object${m[1]}>` : `region ${i}`,
  );
}
