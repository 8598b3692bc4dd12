// The decoder pool: worker threads that decode in-process with node-av (av.ts). Workers start on first use,
// live for the run (idle workers do not keep the process alive) and end with closeDecoders().
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { DecodeJob, DecodeOutput, Scan } from "./av.ts";
import type { WorkerJob, WorkerReply } from "./avworker.ts";

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
interface Slot {
  worker: Worker;
  busy: number;
  pending: Map<number, Pending>;
  /** Out of the pool after a time-out; ended once its job returns (see call()). */
  abandoned?: boolean;
}

/** Raised by a fast-mode job that cannot vouch for its frames; decode.ts then runs the safe mode. */
export class UnsafeDecode extends Error {}

let available: boolean | undefined;
let slots: Slot[] = [];
let nextId = 1;
const queue: (() => void)[] = [];

/** Whether node-av and its prebuilt FFmpeg load on this machine ($KINEMA_DECODER=cli turns it off). */
export function engineAvailable(): boolean {
  if (process.env.KINEMA_DECODER === "cli") return false;
  if (available === undefined) {
    try {
      const req = createRequire(import.meta.url);
      req.resolve("node-av");
      req.resolve(`@seydx/node-av-${process.platform}-${process.arch}/package.json`);
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/** Most workers at once: one per core (`KINEMA_DECODE_WORKERS` overrides). */
export function poolSize(): number {
  const env = Number(process.env.KINEMA_DECODE_WORKERS);
  return Number.isInteger(env) && env > 0 ? env : Math.max(1, availableParallelism());
}

function startSlot(): Slot {
  const worker = new Worker(new URL("./avworker.ts", import.meta.url));
  const slot: Slot = { worker, busy: 0, pending: new Map() };
  worker.unref();
  worker.on("message", (m: WorkerReply) => {
    const p = slot.pending.get(m.id);
    if (slot.abandoned && slot.pending.size <= (p ? 1 : 0)) void worker.terminate(); // back in JS: safe to end
    if (!p) return;
    slot.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(m.unsafe ? new UnsafeDecode(m.message) : new Error(m.message));
  });
  const fail = (e: Error) => {
    for (const p of slot.pending.values()) p.reject(e);
    slot.pending.clear();
    slots = slots.filter((s) => s !== slot);
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`decoder worker exited (code ${code})`)));
  slots.push(slot);
  return slot;
}

/** An idle worker, starting one when under the pool size; waits when all are busy. */
async function acquire(): Promise<Slot> {
  for (;;) {
    const idle = slots.find((s) => s.busy === 0);
    if (idle) return idle;
    if (slots.length < poolSize()) return startSlot();
    await new Promise<void>((r) => queue.push(r));
  }
}

/** Thrown when a job outlives its time limit; its worker leaves the pool and ends when the job returns. */
export class DecodeTimeout extends Error {}

async function call<T>(req: WorkerJob, timeoutMs = 0): Promise<T> {
  const slot = await acquire();
  slot.busy++;
  slot.worker.ref();
  const id = nextId++;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ ...req, id });
      if (timeoutMs > 0)
        timer = setTimeout(() => {
          // The caller gets its time-out now and the pool a fresh worker; the old one is ended when its job
          // returns. Ending a worker inside a native decoder call (Worker.terminate) was measured to abort
          // the whole process now and then (node-av throws into a terminating thread: FATAL ERROR napi_throw).
          // It stays ref'd until then: a process that ended with it unref'd inside a native call aborted the
          // same way (test/video-errors.test.ts, now and then), so exit waits for the job to come back.
          slot.pending.delete(id);
          slot.abandoned = true;
          slots = slots.filter((s) => s !== slot);
          reject(new DecodeTimeout(`decoding took longer than ${timeoutMs} ms`));
        }, timeoutMs);
    });
  } finally {
    clearTimeout(timer);
    slot.busy--;
    if (slot.busy === 0 && !slot.abandoned) slot.worker.unref();
    queue.shift()?.();
  }
}

/** Packet table of a file's video stream (no decoding). */
export function scanFile(path: string): Promise<Scan> {
  return call<Scan>({ kind: "scan", path });
}

/** Runs a decode job on a worker. Rejects with UnsafeDecode when fast mode cannot vouch for the frames. */
export async function runDecodeJob(job: DecodeJob, timeoutMs = 0): Promise<DecodeOutput> {
  const out = await call<DecodeOutput>({ kind: "decode", job }, timeoutMs);
  return { ...out, frames: out.frames.map((f) => new Uint8Array(f.buffer, f.byteOffset, f.byteLength)) };
}

/** Workers currently started (tests and perf). */
export function decoderWorkers(): number {
  return slots.length;
}

/** Ends every decoder worker (the end of a run); a later decode starts new ones. */
export async function closeDecoders(): Promise<void> {
  const all = slots;
  slots = [];
  await Promise.all(all.map((s) => s.worker.terminate()));
}
