// Runs the kinema CLI as a child process for end-to-end tests, tracking children so a test can SIGKILL them.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const MAIN = join(import.meta.dirname, "..", "..", "src", "cli", "main.ts");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `cwd()` is read per call (test temp dirs are made in `before`); the frame cache lives under it. */
export function cliRunner(cwd: () => string) {
  const children = new Set<ChildProcess>();
  function kinema(args: string[]): Promise<CliResult> {
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd: cwd(),
      env: { ...process.env, KINEMA_CACHE_DIR: join(cwd(), "cache"), OPENAI_API_KEY: "sk-test" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    return new Promise((r) =>
      child.on("close", (code) => {
        children.delete(child);
        r({ code, stdout, stderr });
      }),
    );
  }
  return { kinema, children };
}
