// A small SQLite cache of judge replies (node:sqlite), keyed by judge spec + params + prompt hash + inputs
// + sample index, so re-judging the same predictions with the same judge costs no calls. Only answered
// calls are stored; failures are never cached.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

export interface CachedReply {
  reply: string;
  servedModel: string | null;
  systemFingerprint: string | null;
  createdAt: string;
}

export interface JudgeCache {
  get(key: string): CachedReply | undefined;
  put(key: string, value: Omit<CachedReply, "createdAt">, meta: Record<string, unknown>): void;
  close(): void;
}

/** Opens (creating) the cache file; ":memory:" gives a throwaway cache. */
export function openJudgeCache(path: string): JudgeCache {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`CREATE TABLE IF NOT EXISTS judge_cache (
    key TEXT PRIMARY KEY,
    reply TEXT NOT NULL,
    served_model TEXT,
    system_fingerprint TEXT,
    meta TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`);
  const get = db.prepare(
    "SELECT reply, served_model, system_fingerprint, created_at FROM judge_cache WHERE key = ?",
  );
  const put = db.prepare(
    "INSERT OR REPLACE INTO judge_cache (key, reply, served_model, system_fingerprint, meta, created_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  return {
    get(key) {
      const r = get.get(key) as Record<string, string | null> | undefined;
      if (!r) return undefined;
      return {
        reply: r.reply as string,
        servedModel: r.served_model,
        systemFingerprint: r.system_fingerprint,
        createdAt: r.created_at as string,
      };
    },
    put(key, v, meta) {
      put.run(
        key,
        v.reply,
        v.servedModel,
        v.systemFingerprint,
        JSON.stringify(meta),
        new Date().toISOString(),
      );
    },
    close() {
      db.close();
    },
  };
}
