// Redis URLs for the queue (`redis://HOST:PORT[/DB]`): parsing with a clear error, BullMQ connection
// options, and a reachability check for `kinema doctor`.
import { KinemaError } from "../util/errors.ts";

/** The BullMQ queue every kinema coordinator and worker on one Redis shares. */
export const QUEUE_NAME = "kinema-eval";

export interface RedisTarget {
  url: string;
  host: string;
  port: number;
  db: number;
}

export function parseRedisUrl(text: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new KinemaError("bad_spec", `--queue must be redis://HOST:PORT[/DB], got "${text}"`, {
      field: "queue",
    });
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new KinemaError("bad_spec", `--queue must be redis://HOST:PORT[/DB], got "${text}"`, {
      field: "queue",
    });
  const dbText = u.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new KinemaError("bad_spec", `--queue: bad database number "${dbText}" in ${text}`, {
      field: "queue",
    });
  return { url: text, host: u.hostname || "127.0.0.1", port: Number(u.port || 6379), db };
}

/** Connection options for BullMQ (ioredis underneath); workers need maxRetriesPerRequest: null. */
export function connectionOf(t: RedisTarget) {
  return { url: t.url, maxRetriesPerRequest: null } as const;
}

/** PING over a plain TCP socket (RESP), so doctor needs no client library: "ok" or why not. */
export async function pingRedis(t: RedisTarget, timeoutMs = 2000): Promise<{ ok: boolean; detail: string }> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const sock = connect({ host: t.host, port: t.port });
    const done = (ok: boolean, detail: string) => {
      sock.destroy();
      resolve({ ok, detail });
    };
    const timer = setTimeout(
      () => done(false, `no reply from ${t.host}:${t.port} in ${timeoutMs} ms`),
      timeoutMs,
    );
    sock.on("connect", () => sock.write("*1\r\n$4\r\nPING\r\n"));
    sock.on("data", (d) => {
      clearTimeout(timer);
      const s = d.toString();
      done(s.startsWith("+PONG"), s.startsWith("+PONG") ? `${t.host}:${t.port} answers PING` : s.trim());
    });
    sock.on("error", (e) => {
      clearTimeout(timer);
      done(false, `${t.host}:${t.port}: ${e.message}`);
    });
  });
}
