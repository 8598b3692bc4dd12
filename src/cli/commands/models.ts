// `kinema models`: lists the built-in ONNX models shipped in models/ (method, k, frames, size, accuracy; u for
// the object model).
import type { Command } from "commander";
import { readManifest } from "../../models/builtin.ts";
import type { BuiltinEntry } from "../../models/onnx.ts";
import { printJson, printText, textTable } from "../output.ts";

export async function models(): Promise<BuiltinEntry[]> {
  return readManifest().map((m) => ({
    name: m.name,
    method: m.method,
    k: m.k,
    n_frames: m.n_frames,
    params: m.params,
    decoder_tokens: m.decoder_tokens,
    trained_on: m.trained_on,
    test_acc: m.test_acc,
    ...(m.u !== undefined ? { u: m.u } : {}),
  }));
}

export function register(program: Command): void {
  program
    .command("models")
    .description("list the built-in models (use them as --model builtin:NAME)")
    .option("--json", "print the list as JSON")
    .action(async (opts: { json?: boolean }) => {
      const list = await models();
      if (opts.json) printJson(list);
      else
        printText(
          textTable([
            ["name", "method", "k", "frames", "params", "decoder tokens", "test acc"],
            ...list.map((m) => [
              `builtin:${m.name}`,
              m.u !== undefined ? `${m.method} (u=${m.u})` : m.method,
              m.k,
              m.n_frames,
              m.params,
              m.decoder_tokens,
              m.test_acc === null ? "—" : `${(m.test_acc * 100).toFixed(1)}%`,
            ]),
          ]),
        );
    });
}
