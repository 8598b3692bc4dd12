// Errata files (`kinema engine errata` writes them, `kinema eval --errata FILE` applies them): reviewed label
// corrections to a benchmark — a new answer letter per sample, or the sample excluded. Applying one is a named
// scoring variant recorded in the run's identity; it is never applied silently.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Sample } from "../benchmarks/types.ts";
import { KinemaError } from "../util/errors.ts";

export const ErrataFile = z.object({
  kind: z.literal("kinema-errata"),
  version: z.literal(1),
  name: z.string().regex(/^[\w.-]{1,64}$/, "letters, digits, . _ - (1–64)"),
  benchmark: z.string().min(1),
  entries: z.array(
    z.object({
      id: z.string().min(1),
      answer: z
        .string()
        .regex(/^[A-Z]$/)
        .optional(),
      exclude: z.boolean().optional(),
      was: z.string().optional(),
      reviewer: z.string().optional(),
      at: z.string().optional(),
    }),
  ),
});
export type ErrataFile = z.infer<typeof ErrataFile>;

export function readErrata(file: string): { errata: ErrataFile; sha256: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new KinemaError("not_found", `cannot read errata ${file}: ${(e as Error).message}`, { file });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new KinemaError("bad_input", `errata is not JSON: ${(e as Error).message}`, { file });
  }
  const p = ErrataFile.safeParse(v);
  if (!p.success) {
    const iss = p.error.issues[0];
    throw new KinemaError("bad_input", `bad errata: ${iss.path.join(".")}: ${iss.message}`, {
      file,
      field: iss.path.join("."),
    });
  }
  return { errata: p.data, sha256: createHash("sha256").update(text).digest("hex") };
}

/** Applies errata to loaded samples; entries naming no sample or a letter that is not an option are issues. */
export function applyErrata(
  samples: Sample[],
  errata: ErrataFile,
  file: string,
): {
  samples: Sample[];
  corrected: number;
  excluded: number;
  issues: { file: string; field: string; message: string }[];
} {
  const byId = new Map(errata.entries.map((e) => [e.id, e]));
  const ids = new Set(samples.map((s) => s.id));
  const issues: { file: string; field: string; message: string }[] = [];
  errata.entries.forEach((e, i) => {
    if (!ids.has(e.id))
      issues.push({ file, field: `entries[${i}].id`, message: `no sample ${e.id} in this benchmark` });
  });
  let corrected = 0;
  let excluded = 0;
  const out: Sample[] = [];
  for (const s of samples) {
    const e = byId.get(s.id);
    if (!e) {
      out.push(s);
      continue;
    }
    if (e.exclude) {
      excluded++;
      continue;
    }
    if (e.answer && e.answer.charCodeAt(0) - 65 < s.options.length) {
      corrected++;
      out.push({ ...s, answer: e.answer });
    } else {
      issues.push({
        file,
        field: `entries.${e.id}.answer`,
        message: `answer ${e.answer} is not an option of ${s.id}`,
      });
      out.push(s);
    }
  }
  return { samples: out, corrected, excluded, issues };
}
