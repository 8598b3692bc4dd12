// One writer at a time: an exclusive lock file (created with O_EXCL through a hard link, so exactly one
// process wins) holding the owner's pid and host. A lock whose process is gone (kill -9) is taken over.

import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { KinemaError } from "./errors.ts";

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  what: string;
}

/** The lock file of one stored run (eval and `kinema judge --run` take the same one). */
export function runLockPath(storeDir: string, configHash: string): string {
  return join(storeDir, "locks", `${configHash.slice(0, 32)}.lock`);
}

/** Locks taken by this process (a second writer in the same process is refused too). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockOwner;
  } catch {
    return undefined; // vanished or half-written: treated as free on the next try
  }
}

/**
 * Takes the lock at `path` or throws KinemaError("locked") naming its owner. Returns the release function.
 * `what` says what is being written ("run X", "synthetic set in DIR"); it ends up in the message.
 */
export function acquireLock(path: string, what: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), what };
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, `${JSON.stringify(me)}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (held.has(path)) throw busy(path, me, what);
      try {
        linkSync(tmp, path); // atomic: fails with EEXIST when another writer holds it
        held.add(path);
        let released = false;
        return () => {
          if (released) return;
          released = true;
          held.delete(path);
          try {
            if (readOwner(path)?.pid === process.pid) unlinkSync(path);
          } catch {
            /* already gone */
          }
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const owner = readOwner(path);
      if (owner && owner.host === me.host && owner.pid !== process.pid && !alive(owner.pid)) {
        // the owner died without releasing (kill -9): take over
        try {
          unlinkSync(path);
        } catch {
          /* someone else took it over first; try again */
        }
        continue;
      }
      if (owner === undefined) continue;
      throw busy(path, owner, what);
    }
    throw busy(path, readOwner(path) ?? me, what);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
  }
}

function busy(path: string, owner: LockOwner, what: string): KinemaError {
  return new KinemaError(
    "locked",
    `${what} is being written by another kinema (pid ${owner.pid} on ${owner.host}, since ${owner.since}); wait for it to finish or stop it, then run this again`,
    { file: path, pid: owner.pid },
  );
}
