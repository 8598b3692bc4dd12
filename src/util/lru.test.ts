import assert from "node:assert/strict";
import { test } from "node:test";
import { ByteLru } from "./lru.ts";

test("ByteLru evicts the least recently used values beyond its byte budget", () => {
  const l = new ByteLru<string>(80);
  l.set("a", "A", 10);
  l.set("b", "B", 10);
  assert.equal(l.get("a"), "A"); // a is now the most recent
  for (let i = 0; i < 6; i++) l.set(`x${i}`, "X", 10); // 80 bytes in all: nothing out yet
  assert.equal(l.bytes, 80);
  l.set("c", "C", 10); // b is the oldest
  assert.equal(l.get("b"), undefined);
  assert.equal(l.get("a"), "A");
  assert.equal(l.bytes, 80);
  l.set("a", "A2", 5); // replacing counts the new size only
  assert.equal(l.bytes, 75);
  l.set("huge", "H", 11); // above maxBytes / 8: not kept, nothing evicted
  assert.equal(l.get("huge"), undefined);
  assert.equal(l.size, 8);
  l.clear();
  assert.equal(l.bytes, 0);
});
