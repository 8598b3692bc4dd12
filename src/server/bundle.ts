// Makes sure the web explorer's bundle (web/dist) exists and is newer than its sources; builds it with Vite
// otherwise. A directory lock keeps concurrent servers (parallel tests) from building at the same time.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { KinemaError } from "../util/errors.ts";

export const WEB_DIR = join(import.meta.dirname, "..", "..", "web");
export const DIST_DIR = join(WEB_DIR, "dist");
/** Files outside web/ that the web app bundles (keep in step with web/src imports). */
const WEB_IMPORTS = ["masks/rle.ts", "server/path-id.ts"].map((f) => join(import.meta.dirname, "..", f));

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function isFresh(): boolean {
  const index = join(DIST_DIR, "index.html");
  if (!existsSync(index)) return false;
  // a packaged install may ship dist without sources: then dist is what there is
  if (!existsSync(join(WEB_DIR, "src"))) return true;
  const src = Math.max(
    newest(join(WEB_DIR, "src")),
    statSync(join(WEB_DIR, "index.html")).mtimeMs,
    statSync(join(WEB_DIR, "vite.config.ts")).mtimeMs,
    // project modules the web app imports
    ...WEB_IMPORTS.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)),
  );
  return statSync(index).mtimeMs >= src;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds web/dist when missing or stale. Returns whether it built. */
export async function ensureWebBundle(opts: { force?: boolean } = {}): Promise<boolean> {
  if (!opts.force && isFresh()) return false;
  const lock = join(WEB_DIR, ".build-lock");
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // someone else builds: wait for them, then re-check; steal a lock older than 2 minutes
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {}
      if (Date.now() > deadline) throw new KinemaError("timeout", "waited 2 min for another web build", {});
      await sleep(200);
      if (!opts.force && isFresh()) return false;
    }
  }
  try {
    if (!opts.force && isFresh()) return false;
    let vite: typeof import("vite");
    try {
      vite = await import("vite");
    } catch (e) {
      throw new KinemaError(
        "tool_missing",
        `web/dist is missing and vite is not installed to build it (npm install)`,
        {
          cause: (e as Error).message,
        },
      );
    }
    await vite.build({ root: WEB_DIR, configFile: join(WEB_DIR, "vite.config.ts"), logLevel: "error" });
    return true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
