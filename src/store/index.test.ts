// The store's v1 → v2 migration: a store written before judged benchmarks opens, gains samples.judge and the
// judgements table, and keeps its rows; judgements commit with their per-sample digest.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { openStore } from "./index.ts";

test("a version-1 store is migrated in place and keeps its runs and samples", () => {
  const dir = mkdtempSync(join(tmpdir(), "kinema-store-"));
  try {
    // The version-1 schema as it was released (no samples.judge, no judgements table).
    const db = new DatabaseSync(join(dir, "kinema.db"));
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
      CREATE TABLE runs (id TEXT PRIMARY KEY, config_hash TEXT NOT NULL UNIQUE, benchmark TEXT NOT NULL,
        bench_spec TEXT NOT NULL, model TEXT NOT NULL, config TEXT NOT NULL, status TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE samples (run_id TEXT NOT NULL, sample_id TEXT NOT NULL, idx INTEGER NOT NULL, video_id TEXT,
        category TEXT, split TEXT, answer TEXT, question TEXT, options TEXT, video TEXT,
        status TEXT NOT NULL DEFAULT 'pending', request_key TEXT, prompt TEXT, frame_indices TEXT, raw TEXT,
        parsed TEXT, correct INTEGER, error TEXT, attempts INTEGER, latency_ms REAL, usage TEXT,
        served_model TEXT, updated_at TEXT, PRIMARY KEY (run_id, sample_id));
      INSERT INTO meta VALUES ('schema_version', '1');
      INSERT INTO runs VALUES ('r', 'h', 'activitynet-qa', 'activitynet-qa:/x', 'm', '{}', 'done', 't', 't');
      INSERT INTO samples(run_id, sample_id, idx, answer, status, raw) VALUES ('r', 'q1', 0, 'a dog', 'ok', 'a dog');
    `);
    db.close();
    const store = openStore(dir);
    try {
      const [s] = store.samples("r");
      assert.equal(s.raw, "a dog");
      assert.equal(s.judge, null);
      const judgement = {
        kind: "vcgpt-qa",
        metric: "open_ended_qa",
        id: "q1",
        sample: 0,
        status: "ok",
        score: 4,
      };
      store.recordJudgement(
        {
          runId: "r",
          judgeKey: "k1",
          itemId: "q1",
          metric: "open_ended_qa",
          sample: 0,
          kind: "vcgpt-qa",
          status: "ok",
          cacheKey: "c1",
          reply: "{'pred': 'yes', 'score': 4}",
          judgement,
          sampleIds: ["q1"],
        },
        (rows) => ({ reply: rows[0].reply, score: rows[0].judgement.score }),
      );
      assert.deepEqual(store.samples("r")[0].judge, { reply: "{'pred': 'yes', 'score': 4}", score: 4 });
      assert.deepEqual(store.judgements("r", "k1")[0].judgement, judgement);
      assert.deepEqual(
        store.judgeKeys("r").map((k) => k.judgeKey),
        ["k1"],
      );
      assert.equal(store.cachedJudgeReply("c1")?.reply, "{'pred': 'yes', 'score': 4}");
      assert.equal(store.cachedJudgeReply("nope"), undefined);
    } finally {
      store.close();
    }
    const check = new DatabaseSync(join(dir, "kinema.db"), { readOnly: true });
    assert.equal(
      (check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as any).value,
      "5",
    );
    check.close();
    // Opening it again is a no-op.
    openStore(dir).close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
