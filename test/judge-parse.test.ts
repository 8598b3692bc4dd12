// Upstream-compatible reply parsing: a Python-literal parser (never eval), int() truncation, the substring
// yes/no rule, and the Bench-D regex.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseBenchDReply, parseVcgptReply, yesNo } from "../src/judge/index.ts";
import { PyLiteralError, parsePyLiteral, pyInt, pyToJson } from "../src/judge/pyliteral.ts";

test("python literals: dicts with single quotes, escapes, numbers, constants, nesting", () => {
  assert.deepEqual(pyToJson(parsePyLiteral("{'pred': 'yes', 'score': 4}")), { pred: "yes", score: 4 });
  assert.deepEqual(
    pyToJson(parsePyLiteral(`  {"a": 'it\\'s', 'b': [1, 2.5, -3, True, None, (1,)], 'c': {'d': 'x' "y"}}\n`)),
    {
      a: "it's",
      b: [1, 2.5, -3, true, null, [1]],
      c: { d: "xy" },
    },
  );
  assert.deepEqual(pyToJson(parsePyLiteral("{'score': 1e1, 'x': 0x1f, 'u': '\\u00e9\\n', 'r': r'\\d'}")), {
    score: 10,
    x: 31,
    u: "é\n",
    r: "\\d",
  });
  assert.deepEqual(pyToJson(parsePyLiteral("{'a': 1, 'a': 2,}")), { a: 2 });
  for (const bad of [
    "{'pred': 'yes', 'score': 5",
    "{''score': 4.8}",
    "",
    "pred: yes",
    "{'a': foo}",
    "{'a': 1} extra",
    "```{'a': 1}```",
  ])
    assert.throws(() => parsePyLiteral(bad), PyLiteralError, JSON.stringify(bad));
});

test("int(): truncates floats, accepts int strings, rejects float strings (as Python)", () => {
  assert.equal(pyInt(4.8), 4);
  assert.equal(pyInt(-0.5), 0);
  assert.equal(pyInt(" 4 "), 4);
  assert.equal(pyInt("4.8"), undefined);
  assert.equal(pyInt("high"), undefined);
  assert.equal(pyInt(true), 1);
  assert.equal(pyInt(null), undefined);
});

test("substring yes/no rule", () => {
  assert.equal(yesNo("yes."), "yes");
  assert.equal(yesNo("no"), "no");
  assert.equal(yesNo("not sure"), "no"); // upstream quirk
  assert.equal(yesNo("yes and no"), "yes");
  assert.equal(yesNo("maybe"), "neither");
  const r = parseVcgptReply("{'pred': 'Yes.', 'score': 4.8}");
  assert.equal(r.status, "ok");
  assert.equal(r.pred, "yes");
  assert.equal(r.score, 4);
  assert.equal(parseVcgptReply("[1, 2]").status, "unparsed");
  assert.equal(parseVcgptReply("{'pred': 1, 'score': 2}").pred, undefined);
});

test("Bench-D regex: names and numbers as upstream's findall; float() rules", () => {
  const r = parseBenchDReply(
    "1. Subject Correspondence: 5\nExplanation: x\n2. Appearance Description: 4.5\n3. Temporal Description: .\n4. Hallucination Detection: 3.",
  );
  assert.deepEqual(r.scores, {
    "Subject Correspondence": 5,
    "Appearance Description": 4.5,
    "Hallucination Detection": 3,
  });
  assert.deepEqual(r.missing, ["Temporal Description"]);
  assert.equal(r.found.length, 4);
  assert.deepEqual(parseBenchDReply("no scores").missing.length, 4);
});

// Whether Python 3's ast.literal_eval accepts each reply (recorded by running it on these strings).
const LITERAL_EVAL_ACCEPTS: [string, boolean][] = [
  ["{'pred': 'yes', 'score': 4}", true],
  [" {'pred': 'yes', 'score': 4}", true],
  ["\n{'pred': 'yes', 'score': 4}\n", true],
  ["{'pred': 'yes', 'score': 4.8}", true],
  ["{''score': 4.8}", false],
  ["{'score': 4,}", true],
  ["{'score': '4'}", true],
  ['{"score": 4}', true],
  ["{'score': 4}\n\n", true],
  ["```python\n{'score': 4}\n```", false],
  ["Sure! {'score': 4}", false],
  ["{'score': 04}", false],
  ["{'score': 1_0}", true],
  ["{'score': -1}", true],
  ["{'score': +2.5}", true],
  ["{'score': True}", true],
  ["{'score': None}", true],
  ["{'score': [1,2]}", true],
  ["{'score': (1,)}", true],
  ["{'score': {1, 2}}", true],
  ["{'a': 'it\\'s'}", true],
  ["{'a': \"it's\"}", true],
  ["{'a': '''x'''}", true],
  ["{'a': r'\\d'}", true],
  ["{'a': u'x'}", true],
  ["{'a': 'x' 'y'}", true],
  ["{'a': 1e3}", true],
  ["{'a': .5}", true],
  ["{'a': 5.}", true],
  ["{'a': 0x10}", true],
  ["{'a': 1j}", true],
  ["{'a': nan}", false],
  ["{'pred': 'yes' 'score': 4}", false],
  ["{pred: 'yes'}", false],
  ["{'pred': 'yes', 'score': 4} {'pred': 'no'}", false],
  ["", false],
  ["   ", false],
  ["{}", true],
  ["{'a': 1, 'a': 2}", true],
  ["{'a':\n 1}", true],
  ["{'a': 'line\nbreak'}", false],
  ["\t{'a': 1}", true],
  ["{'a': '\\x41\\u00e9\\101'}", true],
  ["{'a': b'x'}", true],
  ["({'a': 1})", true],
  ["{'a': -True}", false],
  ["{'score': 4} # comment", true],
  ["{'score': 5}\r\n", true],
];

test("python literals: accepted exactly where ast.literal_eval accepts (48 recorded cases)", () => {
  for (const [s, ok] of LITERAL_EVAL_ACCEPTS) {
    let got = true;
    try {
      parsePyLiteral(s);
    } catch {
      got = false;
    }
    assert.equal(got, ok, JSON.stringify(s));
  }
});
