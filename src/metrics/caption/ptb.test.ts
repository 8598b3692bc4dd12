// PTB tokenizer tests: every behaviour in reference/judges-and-captions.md, plus a differential fixture
// produced by the real CoreNLP 3.4.1 lexer on 500 generated captions.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { cocoTokenize, ptbTokenizeLines } from "./ptb.ts";

const tok = (s: string) => cocoTokenize([s])[0];

// Expected strings were produced by CoreNLP 3.4.1's PTBLexer followed by pycocoevalcap's filter.
const CASES: [string, string, string][] = [
  ["contractions 's n't", "The dog's bone isn't here.", "the dog 's bone is n't here"],
  [
    "contractions 'm 're 've 'll 'd",
    "I'm sure you're right, we've seen they'll go and it'd work.",
    "i 'm sure you 're right we 've seen they 'll go and it 'd work",
  ],
  [
    "assimilations cannot/gonna/wanna/gotta",
    "You cannot do that, I'm gonna leave and wanna stay; I gotta go.",
    "you can not do that i 'm gon na leave and wan na stay i got ta go",
  ],
  [
    "quotes become `` '' and are removed",
    `She said "hello there" and 'goodbye' to him.`,
    "she said hello there and goodbye to him",
  ],
  [
    "brackets: -lrb- etc. survive because the filter runs after lower-casing",
    "A man (wearing a hat) sits {on} a [red] bench.",
    "a man -lrb- wearing a hat -rrb- sits -lcb- on -rcb- a -lsb- red -rsb- bench",
  ],
  [
    "hyphenated words stay whole",
    "A well-known t-shirt and a x-ray, co-ed and mother-in-law.",
    "a well-known t-shirt and a x-ray co-ed and mother-in-law",
  ],
  ["slashes", "Cats and/or dogs at 60 km/h either/or.", "cats and/or dogs at 60 km/h either/or"],
  [
    "numbers, times, thousands",
    "It costs 3.5 dollars at 5:30 p.m. with 1,000 people.",
    "it costs 3.5 dollars at 5:30 p.m. with 1,000 people",
  ],
  [
    "currency ($ split, £ → #, € → $, ¢ → cents, ¥ kept)",
    "It costs $5 or US$10, £20, €30, ¥40 and 5¢.",
    "it costs $ 5 or us$ 10 # 20 $ 30 ¥ 40 and 5 cents",
  ],
  ["percent, & * # @ kept", "Only 50% of 100% & more * # @ signs.", "only 50 % of 100 % & more * # @ signs"],
  [
    "ellipses removed, ?! kept",
    "Wait... what?! Really.... Yes . . . ok… fine",
    "wait what ?! really yes ok fine",
  ],
  [
    "dashes (ascii, en, em) removed",
    "A dash - and -- and --- and — and – here.",
    "a dash and and and and here",
  ],
  [
    "abbreviations keep their period",
    "Mr. Smith met Dr. Jones in the U.S. e.g. at 3 a.m. etc. on Jan. 5 vs. Inc.",
    "mr. smith met dr. jones in the u.s. e.g. at 3 a.m. etc. on jan. 5 vs. inc.",
  ],
  [
    "unicode punctuation",
    "“Curly quotes” and ‘single curly’ and «guillemets» ¿qué? ¡sí! 。、",
    "curly quotes and single curly and guillemets ¿ qué ¡ sí 。 、",
  ],
  [
    "emoji outside the BMP are deleted, BMP symbols kept",
    "Emoji 😀 and 👍🏽 are deleted but ☺ • © ° stay.",
    "emoji and are deleted but ☺ • © ° stay",
  ],
  [
    "apostrophe words",
    "A person's hands, o'clock, rock'n'roll, the '90s, y'all, don't, won't, can't.",
    "a person 's hands o'clock rock 'n' roll the '90s y' all do n't wo n't ca n't",
  ],
  [
    "fractions and dates (5 1/2 is one token with a no-break space)",
    "1/2 cup and ½ cup and 5 1/2 inches on 12/25/2020.",
    "1/2 cup and 1/2 cup and 5\u00a01/2 inches on 12/25/2020",
  ],
  [
    "urls and e-mail",
    "Visit http://example.com/a or www.foo.com or mail foo@bar.com now.",
    "visit http://example.com/a or www.foo.com or mail foo@bar.com now",
  ],
  [
    "signed numbers, ratios, ABBREV3 before numbers",
    "He scored -5 then +3 points; ratio 3:2 at No. 4 (ca. 1990).",
    "he scored -5 then +3 points ratio 3:2 at no. 4 -lrb- ca. 1990 -rrb-",
  ],
  ["lower-casing", "A MAN RIDES A HORSE IN THE FIELD", "a man rides a horse in the field"],
  [
    "single letters before a period keep it (quirk)",
    "a. b. point a. Plan B. U.S. The end.",
    "a. b. point a. plan b. u.s. the end",
  ],
  ["non-ASCII letters", "café naïve résumé 日本語 ＡＢＣ", "café naïve résumé 日本語 ａｂｃ"],
];

for (const [name, input, expected] of CASES) {
  test(`ptb: ${name}`, () => assert.equal(tok(input), expected));
}

test("ptb: captions are tokenized as one document, one line each; newlines inside a caption become spaces", () => {
  assert.deepEqual(cocoTokenize(["A dog.", "two\nlines here", "", "etc."]), [
    "a dog",
    "two lines here",
    "",
    "etc.",
  ]);
  assert.deepEqual(ptbTokenizeLines("a b\nc"), [["a", "b"], ["c"]]);
});

test("ptb: matches CoreNLP 3.4.1 on 500 generated captions (differential fixture)", () => {
  const fx = JSON.parse(
    readFileSync(new URL("./ptb-corenlp-3.4.1.fixture.json", import.meta.url), "utf8"),
  ) as {
    input: string[];
    output: string[];
  };
  const got = ptbTokenizeLines(fx.input.join("\n")).map((l) => l.join(" "));
  assert.equal(got.length, fx.output.length);
  const bad = got.flatMap((g, i) =>
    g === fx.output[i] ? [] : [{ input: fx.input[i], want: fx.output[i], got: g }],
  );
  assert.deepEqual(bad, []);
});
