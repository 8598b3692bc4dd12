// The endpoint preflight on its own: loopback detection, the no-key warning, and each failure's wording.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { isKinemaError } from "../util/errors.ts";
import { describeFetchFailure, isLoopbackUrl, preflightOpenAI } from "./preflight.ts";

test("isLoopbackUrl: 127/8, ::1 and localhost only", () => {
  for (const u of [
    "http://127.0.0.1:8000/v1",
    "http://127.8.9.1/v1",
    "http://[::1]:80/v1",
    "http://localhost/v1",
  ])
    assert.equal(isLoopbackUrl(u), true, u);
  for (const u of ["https://api.openai.com/v1", "http://10.0.0.2/v1", "http://128.0.0.1/v1", "not a url"])
    assert.equal(isLoopbackUrl(u), false, u);
});

test("no API key for a remote server is a warning, given before the check fails", async () => {
  const warned: string[] = [];
  await assert.rejects(
    preflightOpenAI(
      { role: "judge", baseUrl: "http://no-such-host.invalid/v1", model: "m", keyEnv: "JUDGE_KEY" },
      { warn: (w) => warned.push(w) },
    ),
    (e) => isKinemaError(e, "preflight") && e.fields.reason === "dns",
  );
  assert.equal(warned.length, 1);
  assert.match(
    warned[0],
    /no API key for the judge server http:\/\/no-such-host\.invalid\/v1: JUDGE_KEY is not set/,
  );
});

test("a loopback server without a key: no warning; a listing with the model passes", async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data: [{ id: "m" }] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const port = (server.address() as AddressInfo).port;
    const r = await preflightOpenAI({
      role: "model",
      baseUrl: `http://127.0.0.1:${port}/v1/`,
      model: "m",
      keyEnv: "K",
    });
    assert.deepEqual(r, { warnings: [], checked: "models" });
  } finally {
    server.close();
  }
});

test("describeFetchFailure names refused, DNS, TLS, unreachable and timeouts", () => {
  const err = (code: string) =>
    Object.assign(new TypeError("fetch failed"), { cause: { code, message: code } });
  const reason = (code: string) =>
    describeFetchFailure(err(code), "https://h.example:8443/v1/models", false).fields.reason;
  assert.equal(reason("ECONNREFUSED"), "refused");
  assert.equal(reason("ENOTFOUND"), "dns");
  assert.equal(reason("EAI_AGAIN"), "dns");
  assert.equal(reason("DEPTH_ZERO_SELF_SIGNED_CERT"), "tls");
  assert.equal(reason("CERT_HAS_EXPIRED"), "tls");
  assert.equal(reason("ERR_TLS_CERT_ALTNAME_INVALID"), "tls");
  assert.equal(reason("EHOSTUNREACH"), "unreachable");
  assert.equal(describeFetchFailure(err("x"), "http://h/v1/models", true).fields.reason, "timeout");
  assert.match(
    describeFetchFailure(err("ECONNREFUSED"), "https://h.example/v1/models", false).message,
    /h\.example:443/,
  );
});
