import assert from "node:assert/strict";
import { test } from "node:test";
import { REDACTED, redactSecrets } from "./redact.ts";

test("secrets are replaced in plain, URL-encoded and base64 form; short ones are left alone", () => {
  const key = "sk-a/b+c=d0123";
  const text = `Bearer ${key} ${encodeURIComponent(key)} ${Buffer.from(key).toString("base64")} A`;
  assert.equal(redactSecrets(text, [key]), `Bearer ${REDACTED} ${REDACTED} ${REDACTED} A`);
  assert.equal(redactSecrets("A", ["A", undefined]), "A");
});
