// Decoder worker: runs av.ts jobs (scan, decode) off the main thread, one at a time. Started by pool.ts.
import { parentPort } from "node:worker_threads";
import { AV_LOG_QUIET } from "node-av/constants";
import { Log } from "node-av/lib";
import { type DecodeJob, decodeJob, scan, Unsafe } from "./av.ts";

// FFmpeg would print its complaints to kinema's stderr, also for fast attempts that are then redone. Errors
// reach kinema through return codes and frame error flags instead (av.ts), and are reported from there.
Log.setLevel(AV_LOG_QUIET);

export type WorkerJob = { kind: "scan"; path: string } | { kind: "decode"; job: DecodeJob };
export type WorkerRequest = WorkerJob & { id: number };
export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; unsafe: boolean; message: string };

parentPort?.on("message", (req: WorkerRequest) => {
  try {
    if (req.kind === "scan") parentPort?.postMessage({ id: req.id, ok: true, value: scan(req.path) });
    else {
      const out = decodeJob(req.job);
      parentPort?.postMessage(
        { id: req.id, ok: true, value: out },
        out.frames.map((f) => f.buffer as ArrayBuffer),
      );
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    parentPort?.postMessage({ id: req.id, ok: false, unsafe: e instanceof Unsafe, message });
  }
});
