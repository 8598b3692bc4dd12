// `--config FILE`: a command's options as a JSON object whose keys are the long flag names without the dashes
// ({"max-tokens": 64, "run-dir": "runs"}), checked by the same zod schema as the flags; any flag given on the
// command line wins over the file. (JSON only: kinema has no YAML parser among its dependencies.)
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import type { z } from "zod";
import { KinemaError } from "../util/errors.ts";

const camel = (k: string) => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** 1-based line of a character offset, for JSON syntax errors. */
function lineOf(text: string, at: number): number {
  return text.slice(0, at).split("\n").length;
}

/** Reads and checks a config file against `schema` (every key optional, none unknown). */
export function readConfigFile(file: string, schema: z.ZodObject): Record<string, unknown> {
  if (!existsSync(file)) throw new KinemaError("not_found", "no such config file", { file, field: "config" });
  const text = readFileSync(file, "utf8");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message);
    const line = at ? lineOf(text, Number(at[1])) : undefined;
    throw new KinemaError("bad_input", `not JSON: ${(e as Error).message}`, {
      file,
      ...(line ? { line } : {}),
    });
  }
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new KinemaError("bad_input", "a config is one JSON object of flag names and values", { file });
  const options = Object.fromEntries(Object.entries(data).map(([k, v]) => [camel(k), v]));
  const r = schema.partial().strict().safeParse(options);
  if (r.success) return r.data as Record<string, unknown>;
  const issue = r.error.issues[0];
  const unknown = issue.code === "unrecognized_keys";
  const key = unknown ? kebab(issue.keys[0]) : issue.path.map((p) => kebab(String(p))).join(".");
  throw new KinemaError("bad_input", unknown ? "not an option of this command" : issue.message, {
    file,
    field: key,
  });
}

/** The flags with the config's values filled in wherever the command line did not set the flag itself. */
export function overConfig<T extends object>(cmd: Command, flags: T, config: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(flags as Record<string, unknown>) };
  for (const [k, v] of Object.entries(config)) if (cmd.getOptionValueSource(k) !== "cli") out[k] = v;
  return out as T;
}
