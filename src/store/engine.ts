// The engine store: one SQLite database per data-engine run (RUN/engine.db) holding the run's config, every
// model step (request, reply, usage, outcome), the items the engine made and every human review decision.
// A step written here is never asked again, so a killed engine resumes where it stopped.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { KinemaError } from "../util/errors.ts";

/*
 * Schema (version 1). JSON columns hold JSON text; times are ISO-8601 UTC strings.
 * meta(key TEXT PRIMARY KEY, value TEXT)        -- schema_version, kind (motionbench-qa | videorefer), config (JSON)
 * steps                                         -- one model call of one stage (or a failed one)
 *   stage TEXT, key TEXT, PRIMARY KEY(stage, key)   -- e.g. ("generate", "<caption id>#1"), ("filter", "<item>|<model>")
 *   status TEXT                                 -- ok | invalid (reply unusable; reason in error) | failed (request failed)
 *   model TEXT, request TEXT (JSON, no image bytes), reply TEXT, usage TEXT (JSON), error TEXT (JSON), data TEXT (JSON)
 *   attempts INTEGER, created_at TEXT
 * items                                         -- what the engine made (a question, an object record)
 *   id TEXT PRIMARY KEY, idx INTEGER, source TEXT  -- source: caption / video id
 *   data TEXT (JSON), state TEXT                -- generated | dropped | kept
 *   drop_reason TEXT, filter TEXT (JSON)        -- e.g. "first-frame: all 2 filter models right"; who answered what
 * decisions                                     -- every review decision, latest per item wins
 *   id INTEGER PRIMARY KEY, item_id TEXT, decision TEXT (accept | reject | edit), data TEXT (JSON edited item),
 *   category TEXT, reviewer TEXT, at TEXT
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS steps (
  stage TEXT NOT NULL, key TEXT NOT NULL, status TEXT NOT NULL, model TEXT, request TEXT, reply TEXT,
  usage TEXT, error TEXT, data TEXT, attempts INTEGER, created_at TEXT, PRIMARY KEY (stage, key)
);
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY, idx INTEGER, source TEXT, data TEXT NOT NULL, state TEXT NOT NULL,
  drop_reason TEXT, filter TEXT
);
CREATE TABLE IF NOT EXISTS decisions (
  id INTEGER PRIMARY KEY, item_id TEXT NOT NULL, decision TEXT NOT NULL, data TEXT, category TEXT,
  reviewer TEXT NOT NULL, at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_item ON decisions(item_id);
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '1');
`;

export interface StepRow {
  stage: string;
  key: string;
  status: "ok" | "invalid" | "failed";
  model: string | null;
  request: unknown;
  reply: string | null;
  usage: Record<string, number> | null;
  error: Record<string, unknown> | null;
  data: unknown;
  attempts: number | null;
  createdAt: string;
}

export interface ItemRow {
  id: string;
  idx: number;
  source: string;
  data: Record<string, any>;
  state: "generated" | "dropped" | "kept";
  dropReason: string | null;
  filter: unknown;
}

export type Decision = "accept" | "reject" | "edit";

export interface DecisionRow {
  id: number;
  itemId: string;
  decision: Decision;
  data: Record<string, any> | null;
  category: string | null;
  reviewer: string;
  at: string;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
const unjson = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : null);

export class EngineStore {
  readonly dir: string;
  readonly path: string;
  private db: DatabaseSync;

  constructor(dir: string, opts: { create?: boolean } = {}) {
    this.dir = resolve(dir);
    this.path = join(this.dir, "engine.db");
    try {
      if (opts.create !== false) mkdirSync(this.dir, { recursive: true });
      this.db = new DatabaseSync(this.path, { timeout: 10_000 });
      this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;");
      this.db.exec(SCHEMA);
    } catch (e) {
      throw new KinemaError("bad_input", `cannot open the engine run: ${(e as Error).message}`, {
        file: this.path,
      });
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  getMeta(key: string): string | undefined {
    const r = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return r?.value;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(key, value);
  }

  step(stage: string, key: string): StepRow | undefined {
    const r = this.db.prepare("SELECT * FROM steps WHERE stage = ? AND key = ?").get(stage, key);
    return r ? stepRow(r) : undefined;
  }

  steps(stage?: string): StepRow[] {
    const rows = stage
      ? this.db.prepare("SELECT * FROM steps WHERE stage = ? ORDER BY rowid").all(stage)
      : this.db.prepare("SELECT * FROM steps ORDER BY rowid").all();
    return rows.map(stepRow);
  }

  /** Records a step (autocommit: durable before the engine moves on). A failed step may be replaced later. */
  putStep(s: Omit<StepRow, "createdAt">): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO steps(stage, key, status, model, request, reply, usage, error, data, attempts, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        s.stage,
        s.key,
        s.status,
        s.model,
        json(s.request),
        s.reply,
        json(s.usage),
        json(s.error),
        json(s.data),
        s.attempts,
        new Date().toISOString(),
      );
  }

  putItem(it: ItemRow): void {
    this.db
      .prepare(
        `INSERT INTO items(id, idx, source, data, state, drop_reason, filter) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET idx = excluded.idx, source = excluded.source, data = excluded.data,
           state = excluded.state, drop_reason = excluded.drop_reason, filter = excluded.filter`,
      )
      .run(it.id, it.idx, it.source, JSON.stringify(it.data), it.state, it.dropReason, json(it.filter));
  }

  item(id: string): ItemRow | undefined {
    const r = this.db.prepare("SELECT * FROM items WHERE id = ?").get(id);
    return r ? itemRow(r) : undefined;
  }

  items(): ItemRow[] {
    return this.db.prepare("SELECT * FROM items ORDER BY idx, id").all().map(itemRow);
  }

  addDecision(d: Omit<DecisionRow, "id" | "at"> & { at?: string }): DecisionRow {
    const at = d.at ?? new Date().toISOString();
    const r = this.db
      .prepare(
        "INSERT INTO decisions(item_id, decision, data, category, reviewer, at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(d.itemId, d.decision, json(d.data), d.category, d.reviewer, at);
    return { ...d, id: Number(r.lastInsertRowid), at };
  }

  decisions(itemId?: string): DecisionRow[] {
    const rows = itemId
      ? this.db.prepare("SELECT * FROM decisions WHERE item_id = ? ORDER BY id").all(itemId)
      : this.db.prepare("SELECT * FROM decisions ORDER BY id").all();
    return rows.map(decisionRow);
  }

  /** The latest decision per item (by any reviewer). */
  latestDecisions(): Map<string, DecisionRow> {
    const out = new Map<string, DecisionRow>();
    for (const d of this.decisions()) out.set(d.itemId, d);
    return out;
  }
}

function stepRow(r: any): StepRow {
  return {
    stage: r.stage,
    key: r.key,
    status: r.status,
    model: r.model,
    request: unjson(r.request),
    reply: r.reply,
    usage: unjson(r.usage),
    error: unjson(r.error),
    data: unjson(r.data),
    attempts: r.attempts,
    createdAt: r.created_at,
  };
}

function itemRow(r: any): ItemRow {
  return {
    id: r.id,
    idx: r.idx,
    source: r.source,
    data: JSON.parse(r.data),
    state: r.state,
    dropReason: r.drop_reason,
    filter: unjson(r.filter),
  };
}

function decisionRow(r: any): DecisionRow {
  return {
    id: r.id,
    itemId: r.item_id,
    decision: r.decision,
    data: unjson(r.data),
    category: r.category,
    reviewer: r.reviewer,
    at: r.at,
  };
}

export function openEngineStore(dir: string, opts: { create?: boolean } = {}): EngineStore {
  return new EngineStore(dir, opts);
}
