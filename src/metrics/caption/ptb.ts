// PTB tokenizer reproducing pycocoevalcap's pipeline: Stanford CoreNLP 3.4.1 PTBLexer (default options,
// -preserveLines -lowerCase), then pycocoevalcap's punctuation filter. Re-implemented from the lexer's
// documented rules (longest match, earlier rule wins ties, trailing context counts towards the length).

/** Tokens pycocoevalcap removes after tokenizing (compared AFTER lower-casing, so -lrb- etc. survive). */
export const PTB_PUNCTUATIONS: ReadonlySet<string> = new Set([
  "''",
  "'",
  "``",
  "`",
  "-LRB-",
  "-RRB-",
  "-LCB-",
  "-RCB-",
  ".",
  "?",
  "!",
  ",",
  ":",
  "-",
  "--",
  "...",
  ";",
]);

/** JFlex %caseless: literal characters match either case (character classes stay as written). */
function ci(lit: string): string {
  let out = "";
  for (const ch of lit) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    if (lo !== up) out += `[${lo}${up}]`;
    else out += /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
  }
  return out;
}
const alt = (...xs: string[]) => `(?:${xs.join("|")})`;
const words = (s: string) => alt(...s.split("|").map(ci));

// ---- macros (names follow the lexer's) ----
const SPLET = `&[aeiouAEIOU]${words("acute|grave|uml")};`;
const LETTER_CLS =
  "\\p{L}\\u00AD\\u0237-\\u024F\\u02C2-\\u02C5\\u02D2-\\u02DF\\u02E5-\\u02FF\\u0300-\\u036F\\u0370-\\u037D\\u0384\\u0385\\u03CF\\u03F6\\u03FC-\\u03FF\\u0483-\\u0487\\u04CF\\u04F6-\\u04FF\\u0510-\\u0525\\u055A-\\u055F\\u0591-\\u05BD\\u05BF\\u05C1\\u05C2\\u05C4\\u05C5\\u05C7\\u0615-\\u061A\\u063B-\\u063F\\u064B-\\u065E\\u0670\\u06D6-\\u06EF\\u06FA-\\u06FF\\u070F\\u0711\\u0730-\\u074F\\u0750-\\u077F\\u07A6-\\u07B1\\u07CA-\\u07F5\\u07FA\\u0900-\\u0903\\u093C\\u093E-\\u094E\\u0951-\\u0955\\u0962-\\u0963\\u0981-\\u0983\\u09BC-\\u09C4\\u09C7\\u09C8\\u09CB-\\u09CD\\u09D7\\u09E2\\u09E3\\u0A01-\\u0A03\\u0A3C\\u0A3E-\\u0A4F\\u0A81-\\u0A83\\u0ABC-\\u0ACF\\u0B82\\u0BBE-\\u0BC2\\u0BC6-\\u0BC8\\u0BCA-\\u0BCD\\u0C01-\\u0C03\\u0C3E-\\u0C56\\u0D3E-\\u0D44\\u0D46-\\u0D48\\u0E30-\\u0E3A\\u0E47-\\u0E4E\\u0EB1-\\u0EBC\\u0EC8-\\u0ECD";
const DIGIT_CLS = "\\p{Nd}\\u07C0-\\u07C9";
const LETTER = `(?:[${LETTER_CLS}]|${SPLET})`;
const LETTER_OR_DIGIT = `(?:[${LETTER_CLS}${DIGIT_CLS}]|${SPLET})`;
const DIGIT = `[${DIGIT_CLS}]`;
const JLETTER = "\\p{L}"; // [:letter:]
const JLD = "[\\p{L}\\p{Nd}]"; // ([:letter:]|[:digit:])
const SPACE = "[ \\t\\u00A0\\u2000-\\u200A\\u3000]";
const NEWLINE = "(?:\\r\\n|[\\r\\n\\u2028\\u2029\\u000B\\u000C\\u0085])";
const SPACENL = `(?:${SPACE}|${NEWLINE})`;
const SGML = `<(?:[!?][A-Za-z-][^>\\r\\n]*|[A-Za-z][A-Za-z0-9_:.-]*(?:[ ]+(?:[A-Za-z][A-Za-z0-9_:.-]*|[A-Za-z][A-Za-z0-9_:.-]*[ ]*=[ ]*(?:'[^']*'|"[^"]*")))*[ ]*\\/?|\\/[A-Za-z][A-Za-z0-9_:.-]*)[ ]*>`;
const SENTEND = `${SPACENL}(?:${SPACENL}|\\p{Uppercase}|${SGML})`;
const NUM = alt(`${DIGIT}+`, `${DIGIT}*(?:[.:,\\u00AD\\u066B\\u066C]${DIGIT}+)+`);
const NUMBER = `[-+]?${NUM}`;
const WORD = `${LETTER}${LETTER_OR_DIGIT}*(?:[.!?]${LETTER}${LETTER_OR_DIGIT}*)*`;
const APOS = alt("['\\u0092\\u2019]", ci("&apos;"));
const APOSETC = alt(APOS, "[`\\u0091\\u2018\\u201B]");
const HYPHEN = "[-_\\u058A\\u2010\\u2011]";
const ACRO = alt(
  "[A-Za-z](?:\\.[A-Za-z])*",
  `${words("Canada|Sino|Korean|EU|Japan|non")}-${ci("U.S")}`,
  `${ci("U.S.-")}${words("U.K|U.S.S.R")}`,
);
const ACRO2 = alt(
  "[A-Za-z](?:\\.[A-Za-z])+",
  `${words("Canada|Sino|Korean|EU|Japan|non")}-${ci("U.S")}`,
  `${ci("U.S.-")}${words("U.K|U.S.S.R")}`,
);
const REDAUX = `${APOS}(?:[msdMSD]|${words("re|ve|ll")})`;
const SWORD = "[A-Za-z\\u00AD]*[A-MO-Za-mo-z]\\u00AD*";
const SREDAUX = `${ci("n")}${APOSETC}${ci("t")}`;
const APOWORD = alt(
  `${APOS}${ci("n")}${APOS}?`,
  `[lLdDjJ]${APOS}`,
  `${ci("Dunkin")}${APOS}`,
  `${ci("somethin")}${APOS}`,
  `${ci("ol")}${APOS}`,
  `${APOS}${ci("em")}`,
  `[A-HJ-XZn]${APOSETC}${JLETTER}{2}${JLETTER}*`,
  `${APOS}[2-9]0${ci("s")}`,
  `${APOS}${ci("til")}${ci("l")}?`,
  `${JLETTER}${JLETTER}*[aeiouyAEIOUY]${APOSETC}[aeiouA-Z]${JLETTER}*`,
  `${APOS}${ci("cause")}`,
  `${ci("cont'd")}\\.?`,
  words("'twas|nor'easter|c'mon|e'er|s'mores|ev'ry|li'l|nat'l"),
  `${ci("O")}${APOSETC}${ci("o")}`,
);
const FILENAME_EXT = words(
  "bat|bmp|c|class|cgi|cpp|dll|doc|docx|exe|gif|gz|h|htm|html|jar|java|jpeg|jpg|mov|mp3|pdf|php|pl|png|ppt|ps|py|sql|tar|txt|wav|x|xml|zip",
);
const ABMONTH = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec";
const ABDAYS = "Mon|Tue|Tues|Wed|Thu|Thurs|Fri";
// States written with a class in the lexer ([A]z) are case-sensitive on their first letter.
const ABSTATE = alt(
  words(
    "Ala|Ariz|Calif|Colo|Conn|Ct|Dak|Fla|Ga|Ind|Kan|Kans|Ky|Md|Mich|Minn|Mo|Mont|Neb|Nev|Okla|Penn|Tenn|Va|Vt|Wisc|Wis|Wyo",
  ),
  `A${ci("z")}`,
  `A${ci("rk")}`,
  `D${ci("el")}`,
  `I${ci("ll")}`,
  `L${ci("a")}`,
  `M${ci("ass")}`,
  `M${ci("iss")}`,
  `O${ci("re")}`,
  `P${ci("a")}`,
  `T${ci("ex")}`,
  `W${ci("ash")}`,
);
const ABCOMP = alt(
  words("Inc|Cos|Co|Corp|Ltd|Plc|Rt|Bancorp|Bhd|Assn|Univ|Intl|Sys"),
  "[pP][pP]?[tT][ye][sS]?",
);
const ABPTIT = alt(words("Jr|Sr|Bros|Blvd|Rd|Esq"), `${words("Ed|Ph")}\\.${ci("D")}`);
const ABBREV1 = `${alt(words(ABMONTH), words(ABDAYS), ABSTATE, ABCOMP, words("tel|est|ext|sq"), ABPTIT, words("etc|al|seq|Bldg"))}\\.`;
const ABTITLE = alt(
  words(
    "Mr|Mrs|Ms|Dr|Drs|Prof|Profs|Sen|Sens|Rep|Reps|Atty|Attys|Lt|Col|Gen|Messrs|Gov|Govs|Adm|Rev|Maj|Sgt|Cpl|Pvt|Capt|St|Ste|Ave|Pres|Lieut|Hon|Brig|Cmdr|Comdr|Pfc|Spc|Supt|Supts|Det|Mt|Ft|Adj|Adv|Asst|Assoc|Ens|Insp|Mlle|Mme|Msgr|Sfc",
  ),
  `M${ci("iss")}`,
);
const ABBREV4 = alt(
  ABTITLE,
  words("vs|Alex|Wm|Jos|Cie|a.k.a|cf|TREAS|Ph"),
  ACRO,
  words("Invt|Elec|Natl|Dept"),
  `${ci("M")}[ft]${ci("g")}`,
);
const ABBREV3 = `${words("ca|figs|fig|prop|nos|no|art|bldg|pp|op")}\\.`;
const PHONE = alt(
  "(?:\\([0-9]{2,3}\\)[ \\u00A0]?|(?:\\+\\+?)?(?:[0-9]{2,4}[- \\u00A0])?[0-9]{2,4}[- \\u00A0])[0-9]{3,4}[- \\u00A0]?[0-9]{3,5}",
  "(?:(?:\\+\\+?)?[0-9]{2,4}\\.)?[0-9]{2,4}\\.[0-9]{3,4}\\.[0-9]{3,5}",
);
const QUOTES = alt(
  APOS,
  "''",
  "[`\\u2018\\u2019\\u201A\\u201B\\u201C\\u201D\\u0091\\u0092\\u0093\\u0094\\u201E\\u201F\\u2039\\u203A\\u00AB\\u00BB]{1,2}",
);
const DBLQUOT = alt('"', ci("&quot;"));
const MISCSYMBOL =
  "[+%&~^|\\\\\\u00A6\\u00A7\\u00A8\\u00A9\\u00AC\\u00AE\\u00AF\\u00B0-\\u00B3\\u00B4-\\u00BA\\u00D7\\u00F7\\u0387\\u05BE\\u05C0\\u05C3\\u05C6\\u05F3\\u05F4\\u0600-\\u0603\\u0606-\\u060A\\u060C\\u0614\\u061B\\u061E\\u066A\\u066D\\u0703-\\u070D\\u07F6\\u07F7\\u07F8\\u0964\\u0965\\u0E4F\\u1FBD\\u2016\\u2017\\u2020-\\u2023\\u2030-\\u2038\\u203B\\u203E-\\u2042\\u2044\\u207A-\\u207F\\u208A-\\u208E\\u2100-\\u214F\\u2190-\\u21FF\\u2200-\\u2BFF\\u3012\\u30FB\\uFF01-\\uFF0F\\uFF1A-\\uFF20\\uFF3B-\\uFF40\\uFF5B-\\uFF65]";
const ACRONYM_NEXT = alt(
  ...[
    "About|According|Additionally|After|An|A|As|At|But|Earlier|He|Her|Here|However|If|In|It|Last|Many|More",
    "Now|Once|One|Other|Our|She|Since|So|Some|Such|That|The|Their|Then|There|These|They|This|We|When|While|What|Yet|You",
  ]
    .join("|")
    .split("|")
    .map((w) => w[0] + ci(w.slice(1))),
  `M${ci("r")}\\.`,
  `M${ci("s")}\\.`,
  SGML,
);

// ---- normalisations applied by the lexer's actions ----
function latexQuotes(s: string, probablyLeft: boolean): string {
  let t = probablyLeft
    ? s.replace(/&apos;|'/gi, "`").replace(/"|&quot;/gi, "``")
    : s.replace(/&apos;|'/gi, "'").replace(/"|&quot;/gi, "''");
  t = t.replace(/[\u0091\u2018\u201B\u2039]/g, "`").replace(/[\u0092\u2019\u203A]/g, "'");
  return t.replace(/[\u0093\u201C\u00AB]/g, "``").replace(/[\u0094\u201D\u00BB]/g, "''");
}
const removeSoftHyphens = (s: string) => {
  if (!s.includes("\u00AD")) return s;
  const t = s.replaceAll("\u00AD", "");
  return t === "" ? "-" : t;
};
const normalizeAmp = (s: string) => s.replace(/&amp;/gi, "&");
const normalizeCurrency = (s: string) =>
  s
    .replace(/\u00A2/g, "cents")
    .replace(/\u00A3/g, "#")
    .replace(/[\u0080\u00A4\u20A0\u20AC]/g, "$");
const FRACTIONS: Record<string, string> = {
  "\u00BC": "1/4",
  "\u00BD": "1/2",
  "\u00BE": "3/4",
  "\u2153": "1/3",
  "\u2154": "2/3",
};
const parens = (s: string) => s.replace(/\(/g, "-LRB-").replace(/\)/g, "-RRB-");
const NL_TOKEN = "\n";

/** What an action returns: the token text (null = nothing emitted) and how many chars it consumed. */
type Action = (text: string) => [string | null, number];
interface Rule {
  re: RegExp;
  trail?: RegExp;
  act: Action;
  /** The pattern has alternations where leftmost-first and longest match differ. */
  longest?: boolean;
}
const keep: Action = (t) => [t, t.length];
const to =
  (f: (t: string) => string): Action =>
  (t) => [f(t), t.length];
const pushback =
  (n: number): Action =>
  (t) => [t.slice(0, t.length - n), t.length - n];
/** "etc." sentence-finally: the token keeps its period and the period is also returned next. */
const dupPeriod: Action = (t) => [t, t.length - 1];

function rule(main: string, act: Action, trail?: string, longest = false): Rule {
  return { re: new RegExp(main, "uy"), trail: trail ? new RegExp(trail, "uy") : undefined, act, longest };
}
const HTHING = `[A-Za-z0-9][A-Za-z0-9.,\\u00AD]*(?:-(?:[A-Za-z0-9\\u00AD]+|${ACRO2}\\.))+`;
const THING = `(?:[dDoOlL]${APOSETC}${JLD})?${JLD}+(?:${HYPHEN}(?:[dDoOlL]${APOSETC}${JLD})?${JLD}+)*`;

/** The rules in the lexer's order (the order breaks ties between equally long matches). */
function buildRules(): Rule[] {
  const acronymAct: Action = (t) => (t.length === 2 ? [t.slice(0, 1), 1] : [t, t.length - 1]);
  return [
    rule(`${ci("c")}\\+\\+`, keep),
    rule(`[cCfF]#`, keep),
    rule(ci("cannot"), pushback(3)),
    rule(ci("'twas"), pushback(3)),
    rule(ci("'tis"), pushback(2)),
    rule(words("gonna|gotta|lemme|gimme|wanna"), pushback(2)),
    rule(
      SGML,
      to((t) => t.replaceAll(" ", "\u00A0")),
    ),
    rule(
      `&${words("MD|mdash|ndash")};|[\\u0096\\u0097\\u2013\\u2014\\u2015]`,
      to(() => "--"),
    ),
    rule(ci("&amp;"), to(normalizeAmp)),
    rule(`&(?:${words("HT|TL|UR|LR|QC|QL|QR|odq|cdq")}|#[0-9]+);`, keep),
    rule(WORD, to(removeSoftHyphens), REDAUX),
    rule(SWORD, to(removeSoftHyphens), SREDAUX),
    rule(WORD, to(removeSoftHyphens)),
    rule(APOWORD, keep),
    rule(`[yY]${APOS}`, keep, JLETTER),
    rule(`${ci("http")}${ci("s")}?:\\/\\/[^ \\t\\n\\f\\r"<>|(){}]+[^ \\t\\n\\f\\r"<>|.!?(){},-]`, keep),
    rule(
      `(?:(?:${ci("www")}\\.(?:[^ \\t\\n\\f\\r"<>|.!?(){},]+\\.)+[a-zA-Z]{2,4})|(?:(?:[^ \\t\\n\\f\\r"\`'<>|.!?(){},-_$]+\\.)+${words("com|net|org|edu")}))(?:\\/[^ \\t\\n\\f\\r"<>|()]+[^ \\t\\n\\f\\r"<>|.!?(){},-])?`,
      keep,
    ),
    rule(
      `(?:${ci("&lt;")}|<)?[a-zA-Z0-9][^ \\t\\n\\f\\r"<>|()\\u00A0{}]*@(?:[^ \\t\\n\\f\\r"<>|(){}.\\u00A0]+\\.)*(?:[^ \\t\\n\\f\\r"<>|(){}.\\u00A0]+)(?:${ci("&gt;")}|>)?`,
      keep,
    ),
    rule(`@[a-zA-Z_][a-zA-Z_0-9]*|#${LETTER}+`, keep),
    rule(
      REDAUX,
      to((t) => latexQuotes(t, false)),
      "[^A-Za-z]",
    ),
    rule(
      SREDAUX,
      to((t) => latexQuotes(t, false)),
      "[^A-Za-z]",
    ),
    rule(`${DIGIT}{1,2}[-/]${DIGIT}{1,2}[-/]${DIGIT}{2,4}`, keep),
    rule(NUMBER, to(removeSoftHyphens), undefined, true),
    rule(
      "[\\u207A\\u207B\\u208A\\u208B]?(?:[\\u2070\\u00B9\\u00B2\\u00B3\\u2074-\\u2079]+|[\\u2080-\\u2089]+)",
      keep,
    ),
    rule(
      `(?:${DIGIT}{1,4}[- \\u00A0])?${DIGIT}{1,4}(?:\\\\?\\/|\\u2044)${DIGIT}{1,4}`,
      to((t) => t.replaceAll(" ", "\u00A0")),
    ),
    rule(
      "[\\u00BC\\u00BD\\u00BE\\u2153-\\u215E]",
      to((t) => FRACTIONS[t] ?? t),
    ),
    rule(
      alt(
        `-${words("RRB|LRB|RCB|LCB|RSB|LSB")}-`,
        ci("C.D.s"),
        ci("pro-"),
        ci("anti-"),
        `${ci("S")}(?:&|${ci("&amp;")})${ci("P-500")}`,
        `${ci("S")}(?:&|${ci("&amp;")})${ci("Ls")}`,
        `${ci("Cap")}${APOS}${ci("n")}`,
        `${ci("c")}${APOS}${ci("est")}`,
      ),
      to(normalizeAmp),
    ),
    rule("[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}(?:\\\\?\\/[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}){1,2}", keep),
    rule("[A-Z]*\\$|#", keep),
    rule(
      "[\\u00A2\\u00A3\\u00A4\\u00A5\\u0080\\u20A0\\u20AC\\u060B\\u0E3F\\u20A4\\uFFE0\\uFFE1\\uFFE5\\uFFE6]",
      to(normalizeCurrency),
    ),
    rule(`(?:${ACRO})\\.`, acronymAct, `${SPACENL}+${ACRONYM_NEXT}${SPACENL}`),
    rule(ABBREV3, keep, `${SPACENL}?\\p{Nd}`),
    rule(`(?:[pP][tT][eyEY]|${ci("co")})\\.`, keep, `${SPACE}${words("ltd|lim")}`),
    rule(ABBREV1, dupPeriod, SENTEND),
    rule(ABBREV1, keep, "[^][^]"),
    rule(ABBREV1, dupPeriod),
    rule(`${ABBREV4}\\.`, keep),
    rule(ABBREV4, keep, SPACE),
    rule(ACRO, keep, SPACENL),
    rule(`${APOS}[0-9][0-9]`, keep, SPACENL),
    rule(`${LETTER_OR_DIGIT}+(?:[.]${LETTER_OR_DIGIT}+)*(?:[.]${FILENAME_EXT})`, keep, `${SPACENL}|[.?!,]`),
    rule(`${WORD}\\.`, to(removeSoftHyphens), "[,;:\\u3001]"),
    rule(
      PHONE,
      to((t) => parens(t.replaceAll(" ", "\u00A0"))),
    ),
    rule(
      DBLQUOT,
      to((t) => latexQuotes(t, true)),
      "[A-Za-z0-9$]",
    ),
    rule(
      DBLQUOT,
      to((t) => latexQuotes(t, false)),
    ),
    rule("\\x7f", () => [null, 1]),
    rule(
      `<|${ci("&lt;")}`,
      to(() => "<"),
    ),
    rule(
      `>|${ci("&gt;")}`,
      to(() => ">"),
    ),
    rule("[<>]?[:;=][-o*']?[()DPdpO\\\\{@|\\[\\]]", to(parens), "[^A-Za-z0-9]"),
    rule(
      // the lexer's first alternative escapes its second "[" by mistake, leaving a literal "[^x=~<>]"
      "[\\^x=~<>]\\.\\[\\^[xX]=~<>\\]|" +
        "[-\\^x=~<>']_[-\\^x=~<>']|\\([-\\^x=~<>'][_.]?[-\\^x=~<>']\\)|\\([\\^x=~<>']-[\\^x=~<>'`]\\)",
      to(parens),
    ),
    rule(
      "\\{",
      to(() => "-LCB-"),
    ),
    rule(
      "\\}",
      to(() => "-RCB-"),
    ),
    rule(
      "\\[",
      to(() => "-LSB-"),
    ),
    rule(
      "\\]",
      to(() => "-RSB-"),
    ),
    rule(
      "\\(",
      to(() => "-LRB-"),
    ),
    rule(
      "\\)",
      to(() => "-RRB-"),
    ),
    rule(
      "-+",
      to((t) => (t.length >= 3 && t.length <= 4 ? "--" : t)),
    ),
    rule(
      "\\.{3,5}|(?:\\.[ \\u00A0]){2,4}\\.|[\\u0085\\u2026]",
      to(() => "..."),
    ),
    rule("@+|#+|_+", keep),
    rule("\\*+|(?:\\\\\\*){1,3}", keep),
    rule("[,;:\\u3001]", keep),
    rule("[?!]+", keep),
    rule("[.\\u00A1\\u00BF\\u037E\\u0589\\u061F\\u06D4\\u0700-\\u0702\\u07FA\\u3002]", keep),
    rule("=", keep),
    rule("\\/", keep),
    rule(`(?:${HTHING})\\.`, to(removeSoftHyphens), "[,;:\\u3001]"),
    rule(HTHING, to(removeSoftHyphens), undefined, true),
    rule(`(?:${THING})\\.`, keep, "[,;:\\u3001]"),
    rule(THING, keep, undefined, true),
    rule(`[A-Z]+(?:(?:[+&]|${ci("&amp;")})[A-Z]+)+\\.`, to(normalizeAmp), "[,;:\\u3001]"),
    rule(`[A-Z]+(?:(?:[+&]|${ci("&amp;")})[A-Z]+)+`, to(normalizeAmp)),
    rule(
      "'",
      to((t) => latexQuotes(t, true)),
      "[A-Za-z][^ \\t\\n\\r\\u00A0]",
    ),
    rule(
      REDAUX,
      to((t) => latexQuotes(t, false)),
    ),
    rule(
      SREDAUX,
      to((t) => latexQuotes(t, false)),
    ),
    rule(
      QUOTES,
      to((t) => latexQuotes(t, false)),
    ),
    rule("<<|>>", keep),
    rule(MISCSYMBOL, keep),
    rule(`\\0|${SPACE}+|[\\u200B\\u200E\\u200F\\uFEFF]`, (t) => [null, t.length]),
    rule(NEWLINE, (t) => [NL_TOKEN, t.length]),
    rule(ci("&nbsp;"), (t) => [null, t.length]),
  ];
}

let RULES: Rule[] | undefined;

/** Longest match of `re` at `pos`: JS regexes are leftmost-first, the lexer is longest-match, so when a
 * rule has alternations we also try every longer end up to the next blank and keep the longest full match. */
function matchLen(re: RegExp, text: string, pos: number): number {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? m[0].length : -1;
}

const BLANK = /[\s\u00A0]/;
const ANCHORED = new WeakMap<RegExp, RegExp>();
function longestLen(re: RegExp, text: string, pos: number, greedy: number): number {
  let full = ANCHORED.get(re);
  if (!full) {
    full = new RegExp(`^(?:${re.source})$`, "u");
    ANCHORED.set(re, full);
  }
  let end = pos + greedy + 1;
  let stop = end;
  while (stop < text.length && !BLANK.test(text[stop])) stop++;
  let best = greedy;
  for (; end <= stop; end++) if (full.test(text.slice(pos, end))) best = end - pos;
  return best;
}

const isAsciiLetter = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
const ASSIMILATIONS = new Set(["cannot", "gonna", "gotta", "lemme", "gimme", "wanna"]);

/**
 * Tokenizes text the way `java edu.stanford.nlp.process.PTBTokenizer -preserveLines -lowerCase` (CoreNLP
 * 3.4.1) does: returns one array of lower-cased tokens per input line.
 */
export function ptbTokenizeLines(text: string): string[][] {
  RULES ??= buildRules();
  // The lexer reads UTF-16 units; a surrogate matches no rule and is deleted as untokenizable. U+FFFF
  // (a noncharacter no rule matches) stands in for each unit so JS's code-point regexes behave the same.
  const s = text.replace(/[\uD800-\uDFFF]/g, "\uFFFF");
  const lines: string[][] = [[]];
  let pos = 0;
  const n = s.length;
  while (pos < n) {
    const c = s.charCodeAt(pos);
    if (c === 0x20) {
      pos++;
      continue;
    }
    if (isAsciiLetter(c)) {
      // Fast path: a run of ASCII letters ending at a space, newline or the end is always one token (WORD,
      // or an ABBREV4/ACRO match with the same text), except the assimilations that split ("gonna").
      let j = pos + 1;
      while (j < n && isAsciiLetter(s.charCodeAt(j))) j++;
      const next = j < n ? s.charCodeAt(j) : 0x20;
      if (next === 0x20 || next === 0x0a) {
        const w = text.slice(pos, j);
        if (!ASSIMILATIONS.has(w.toLowerCase())) {
          lines[lines.length - 1].push(w.toLowerCase());
          pos = j;
          continue;
        }
      }
    }
    let best = -1;
    let bestTotal = 0;
    let bestMain = 0;
    for (let i = 0; i < RULES.length; i++) {
      const r = RULES[i];
      let main = matchLen(r.re, s, pos);
      if (main <= 0) continue;
      let total = main;
      if (r.trail) {
        const t = matchLen(r.trail, s, pos + main);
        if (t < 0) continue;
        total += t;
      } else if (pos + main < n && !BLANK.test(s[pos + main])) {
        // leftmost-first may have stopped early where the lexer's longest match goes on
        main = longestLen(r.re, s, pos, main);
        total = main;
      }
      if (total > bestTotal) {
        best = i;
        bestTotal = total;
        bestMain = main;
      }
    }
    if (best < 0) {
      pos++; // untokenizable: deleted (the lexer's default "firstDelete")
      continue;
    }
    const [tok, used] = RULES[best].act(text.slice(pos, pos + bestMain));
    pos += used;
    if (tok === NL_TOKEN) lines.push([]);
    else if (tok !== null) lines[lines.length - 1].push(tok.toLowerCase());
  }
  return lines;
}

/** Characters the lexer treats as line ends; pycocoevalcap only replaces "\n", so any other one would shift
 * every later caption onto the wrong line upstream. kinema maps them all to spaces (documented deviation). */
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029\u000B\u000C\u0085]/g;

/**
 * pycocoevalcap's PTBTokenizer.tokenize for a list of captions: one "\n"-joined document through the
 * lexer (so lookahead sees the next caption, as upstream), then the punctuation filter; returns each
 * caption as its space-joined tokens.
 */
export function cocoTokenize(captions: readonly string[]): string[] {
  if (captions.length === 0) return [];
  const lines = ptbTokenizeLines(captions.map((c) => c.replace(LINE_BREAKS, " ")).join("\n"));
  return captions.map((_, i) => (lines[i] ?? []).filter((w) => !PTB_PUNCTUATIONS.has(w)).join(" "));
}
