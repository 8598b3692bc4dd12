// The program shell every CLI entry shares: commander's program with the given command modules, usage errors
// that print one usage line, and the one place that turns a finished command or its error into an exit status.
import { Command, CommanderError } from "commander";
import pkg from "../../package.json" with { type: "json" };
import { formatError, isKinemaError } from "../util/errors.ts";

/** Each command module exports `register(program)`. */
export interface CommandModule {
  register(p: Command): void;
}

export function makeProgram(commands: readonly CommandModule[]): Command {
  const program = new Command("kinema")
    .description("fine-grained video understanding: benchmarks, synthetic motion world, reference models")
    .version(pkg.version)
    .exitOverride();
  for (const c of commands) c.register(program);
  // A usage error prints commander's message (with its "Did you mean" suggestion) and one usage line.
  const usageLine = (c: Command, path: string) => `usage: ${path} ${c.usage()}  (${path} --help for details)`;
  program.showHelpAfterError(usageLine(program, "kinema"));
  for (const c of program.commands) {
    c.showHelpAfterError(usageLine(c, `kinema ${c.name()}`));
    for (const sub of c.commands) sub.showHelpAfterError(usageLine(sub, `kinema ${c.name()} ${sub.name()}`));
  }
  return program;
}

/** Runs the program on argv; the exit status (the error, if any, printed on stderr). */
export async function runProgram(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    // --help and --version end with 0; a usage error (unknown command or flag, bad value) is 2.
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    process.stderr.write(`kinema: ${formatError(e)}\n`);
    if (!isKinemaError(e) && process.env.KINEMA_DEBUG) console.error(e);
    if (isKinemaError(e, "preflight")) return 3;
    return isKinemaError(e, "bad_spec") || isKinemaError(e, "bad_input") ? 2 : 1;
  }
}
