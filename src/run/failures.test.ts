// Failure groups, the retry command, partial runs and the elapsed/token lines.
import assert from "node:assert/strict";
import { test } from "node:test";
import { elapsedText, groupFailures, partialOf, retryCommand, shellQuote, tokenText } from "./failures.ts";

test("groupFailures: by code and HTTP status, largest first, one sample id and its message", () => {
  const f = (id: string, error: Record<string, unknown> | null, status = "failed") => ({
    sampleId: id,
    status: status as "failed",
    error,
  });
  const g = groupFailures([
    f("a", { code: "http_status", status: 500, message: "HTTP 500 x" }),
    f("b", { code: "network", message: "cannot reach" }),
    f("c", { code: "http_status", status: 401, message: "HTTP 401" }),
    f("d", { code: "network", message: "cannot reach 2" }),
    f("e", { code: "network", message: "ok" }, "ok"),
    f("z", null),
  ]);
  assert.deepEqual(g, [
    { code: "network", count: 2, sample: "b", message: "cannot reach" },
    { code: "http_status", status: 401, count: 1, sample: "c", message: "HTTP 401" },
    { code: "http_status", status: 500, count: 1, sample: "a", message: "HTTP 500 x" },
    { code: "unknown", count: 1, sample: "z", message: "no message recorded" },
  ]);
});

test("retryCommand: --resume with the run dir when not the default; header names to add", () => {
  assert.equal(retryCommand("r1", "runs"), "npx kinema eval --resume r1");
  assert.equal(retryCommand("r1", "my runs"), "npx kinema eval --resume r1 --run-dir 'my runs'");
  assert.equal(retryCommand("r1", "runs", ["X-Key"]), "npx kinema eval --resume r1 --header 'X-Key: …'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});

test("partialOf: --limit (fewer samples than the benchmark) and interrupted (pending)", () => {
  assert.deepEqual(partialOf({ total: 3, pending: 0 }, 8), { answered: 3, of: 8, reason: "limit" });
  assert.deepEqual(partialOf({ total: 8, pending: 2 }, 8), { answered: 6, of: 8, reason: "interrupted" });
  assert.equal(partialOf({ total: 8, pending: 0 }, 8), null);
  assert.equal(partialOf({ total: 8, pending: 0 }, undefined), null); // runs made before benchItems existed
});

test("elapsed and token lines", () => {
  assert.equal(elapsedText(4200), "4.2 s");
  assert.equal(elapsedText(185_000), "3 min 05 s");
  assert.equal(elapsedText(3_720_000), "1 h 02 min");
  assert.equal(
    tokenText({ requests: 0, reported: 0, promptTokens: 0, completionTokens: 0 }),
    "tokens: no model requests in this invocation",
  );
  assert.equal(
    tokenText({ requests: 4, reported: 0, promptTokens: 0, completionTokens: 0 }),
    "tokens: not reported by the model (4 requests)",
  );
  assert.equal(
    tokenText({ requests: 4, reported: 3, promptTokens: 12345, completionTokens: 6 }),
    "tokens (as the server reported them): prompt 12,345, completion 6 over 4 requests (1 replies carried no usage)",
  );
});
