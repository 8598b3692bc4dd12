// Commander argument parsers shared by the commands: a bad value is commander's own usage error.
import { InvalidArgumentError } from "commander";

/** An integer option ≥ min. */
export const int =
  (name: string, min = 0) =>
  (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
    return n;
  };

/** A finite number option. */
export const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};

/** A repeatable `Name: value` HTTP header option, collected into one record. */
export const header = (v: string, prev: Record<string, string> = {}) => {
  const i = v.indexOf(":");
  if (i <= 0) throw new InvalidArgumentError(`header must be "Name: value", got "${v}"`);
  return { ...prev, [v.slice(0, i).trim()]: v.slice(i + 1).trim() };
};
