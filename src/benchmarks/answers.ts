// Hidden test answers supplied separately ({uid: letter}, e.g. the synthetic generator's answers.json):
// validated and filled into test-split samples so they can be scored apart from dev. Pure.
import { KinemaError } from "../util/errors.ts";
import { letterOf } from "./parse.ts";
import type { LoadIssue, Sample } from "./types.ts";

/** Checks a parsed answers file: a JSON object of {uid: "A".."Z"}; throws bad_input naming file and uid. */
export function parseAnswers(data: unknown, file: string): Map<string, string> {
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new KinemaError("bad_input", 'expected a JSON object {"<uid>": "<letter>"}', { file });
  const out = new Map<string, string>();
  for (const [uid, v] of Object.entries(data)) {
    if (typeof v !== "string" || !/^[A-Z]$/.test(v))
      throw new KinemaError(
        "bad_input",
        `answer for ${uid} must be one letter A-Z, got ${JSON.stringify(v)}`,
        {
          file,
          field: uid,
        },
      );
    out.set(uid, v);
  }
  return out;
}

/**
 * Returns the samples with hidden answers ("NA", split "test") replaced from `answers`. Dev answers are never
 * overridden; uids the benchmark does not have are ignored (a file may cover more than `--limit` keeps);
 * a letter that is not one of the sample's options is reported and not applied.
 */
export function applyTestAnswers(
  samples: readonly Sample[],
  answers: ReadonlyMap<string, string>,
  file: string,
): { samples: Sample[]; applied: number; issues: LoadIssue[] } {
  const issues: LoadIssue[] = [];
  let applied = 0;
  const out = samples.map((s) => {
    const letter = answers.get(s.id);
    if (letter === undefined || s.answer !== "NA" || s.split !== "test") return s;
    if (s.options.length > 0 && letter.charCodeAt(0) - 65 >= s.options.length) {
      issues.push({
        file,
        field: s.id,
        id: s.id,
        message: `answer ${letter} is not one of the options ${letterOf(0)}-${letterOf(s.options.length - 1)}`,
        action: "kept",
      });
      return s;
    }
    applied++;
    return { ...s, answer: letter };
  });
  return { samples: out, applied, issues };
}
