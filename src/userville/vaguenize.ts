/**
 * Rules-engine prompt vaguenization (spec §1): keep a task's intent, drop its specifics (code, traces, paths,
 * identifiers, versions, numbers, dates, names) and never leave a hidden value in the result. Pure and
 * deterministic: no randomness, no locale-dependent calls, regexes built once.
 */
import type { Family } from "./types";

export type VaguenizeFamily = Family | "general";

export interface VaguenizeInput {
  prompt: string;
  /** Defaults to "general" (SWE rules without the title logic). */
  family?: VaguenizeFamily;
  /** SWE only: the issue title, preferred over the body when it survives generalisation. */
  title?: string | null;
  /** Values the vague prompt must not contain: gold files, functions (`path::Class.method`), the answer. */
  hidden?: string[];
}

export interface VaguenizeResult {
  vague_prompt: string;
  /** Hidden values still present after scrubbing (normally empty). */
  leaked: string[];
}

// Paper §4.1: SWE-bench ~194 → ~11 words, BrowseComp ~97 → ~18.
const TASK_MAX_WORDS = 16;
const RESEARCH_RATIO = 18 / 97;
const RESEARCH_MIN_TARGET = 10;
const RESEARCH_MAX_TARGET = 18;
const RESEARCH_MAX_WORDS = 25;
const MIN_CUT_WORDS = 5;
// Bounds on what the regexes see, so that a pathological prompt cannot make them slow.
const MAX_PROMPT_CHARS = 20_000;
const MAX_SENTENCE_CHARS = 1_000;

const FALLBACK: Record<VaguenizeFamily, string> = {
  swe: "Fix a bug in the code",
  general: "Help with a task",
  research: "Find the answer to a question",
};

const words = (list: string): Set<string> => new Set(list.trim().split(/\s+/));

/**
 * Ordinary English words (and generic code vocabulary) that never count as a leak on their own: a method
 * `save` or a file `models.py` does not leak through the word "save" or "models".
 */
const COMMON_WORDS = words(`
  about above access account action active adapter add address admin after age agent aggregate alias align
  all allow alter analysis and annotate any api app append apply archive area argument array article as ask
  assert assign async attach attribute audit auth author auto available await back backend backup bad
  balance band bar base batch before begin best between bind binary bit block body book bool border both
  bound box branch break bridge broken browser buffer bug build builder bulk button by cache calculate
  calendar call callback can cancel canvas capture card case cast catch cell chain change channel char
  chart check child choice choose chunk circle class clean cleanup clear click client clip clone close
  cluster code collect collection color colour column combine command comment commit common compare
  compat compile compiler complete component compose compute concat condition config configure connect
  connection console constant constraint construct contain container content context continue contract
  control convert copy core count counter cover create credit cross current cursor custom cut data
  database date day debug decode default define delete delta deploy describe describe design detail detect
  device dialog dict diff digest dimension direct directory disable discard disk dispatch display distance
  divide document domain done double down download draft draw drop dump duration each edge edit editor
  element else emit empty enable encode end engine enter entity entry environment equal error escape
  evaluate event every exact example except exception exchange exec execute exist exit expand expect
  export expression extend extension extract factor factory fail false feature fetch field figure file
  fill filter final find finish first fit fix flag flat flatten float flow flush focus fold folder follow
  font for force form format forward frame free from full function gather generate generic get global go
  graph grid group guard handle handler hash have head header health height help helper hidden hide hint
  history hold home hook host hour html icon id image import include increment index info init initialize
  inline inner input insert inspect install instance integer integrate interface internal interval invalid
  invoke is issue item items iterate job join json just keep kernel key keys kind label language last
  launch layer layout lazy leaf left legend length level library limit line link list listen literal load
  loader local location lock log logger login logout long lookup loop lower main make manage manager map
  mark mask match matrix max measure media member memory menu merge message meta method middle middleware
  migrate migration min minute mode model modify module monitor month more move multiply name native
  navigate network new next node none normal normalize note notify null number object offset old on once
  one only open operation operator option options order origin other outer output override owner package
  page pair panel param parameter parent parse parser part partial pass patch path pattern pause payload
  peek pending permission pick pipe pipeline pixel place plan plot plugin point pointer policy poll pool
  pop port position post power predict prefix prepare present preview print printer priority private
  process product profile program progress project property protocol proxy public publish pull push put
  quantity query queue quit quote random range rank rate raw read reader ready real reason rebuild receive
  record recover redirect reduce refresh register registry reject relation release reload remote remove
  render repeat replace reply report repository request require reset resize resolve resource response
  rest restore result resume retry return reverse review right role root rotate round route row rule run
  runner safe sample save scale scan schedule schema scope score screen script scroll search second section
  select selector send sequence serial serialize series serve server service session set setting settings
  setup shape share shell shift show side sign signal simple simplify single size skip slice slot sort
  source space span spec split stack stage standard start state static status step stop storage store
  stream string strip structure style submit subscribe subtract success suite sum summary support swap
  switch symbol sync system table tag target task template term test text theme thread time timeout timer
  title to toggle token tool top total trace track transform transaction translate tree trigger trim true
  try tuple type types unit units unique unit update upgrade upload upper url use user utils valid validate
  validator value values variable vector verify version view visit wait walk warn warning watch web week
  when where while widget width window with word work worker wrap wrapper write writer year zero zone
  accept adjust bin cast center clip compress connect decompress dense deprecate detach dimension direct
  embed expire fade fold govern grant ignore inherit inspect join limit mean median mix nest order pack
  pad parse plain print quick read render sample scatter search seed sparse split stack step sum tile
  weight wide
`);

/** File stems too generic to identify a gold file on their own. */
const GENERIC_FILE_STEMS = words(`
  __init__ __main__ init main index utils util helpers helper common core base setup conftest models views
  urls admin forms types config settings compat misc tools api tests test constants exceptions errors
  version mod lib app apps
`);

const CODE_EXTENSIONS =
  "py|pyx|pyi|js|jsx|ts|tsx|mjs|cjs|java|rb|go|rs|c|h|cc|cpp|hpp|cs|php|json|ya?ml|toml|ini|cfg|txt|md|rst|" +
  "html|css|scss|sql|sh|bat|xml|csv|ipynb|lock|gradle|kt|swift|jl|lua";
const FILE_NAME = new RegExp(`\\b[\\w-]+\\.(?:${CODE_EXTENSIONS})\\b`, "g");
const PATH_VALUE = new RegExp(`^(?:\\S*[\\\\/]\\S*|[\\w.-]+\\.(?:${CODE_EXTENSIONS}))$`);

// ---------------------------------------------------------------------------------------------------------
// Leak matching

interface LeakVariant {
  text: string;
  /** What the scrubber puts in its place. */
  noun: string;
}

function isCommonWord(word: string): boolean {
  const w = word.toLowerCase();
  if (COMMON_WORDS.has(w)) return true;
  const stems = [w.replace(/s$/, ""), w.replace(/es$/, ""), w.replace(/ed$/, ""), w.replace(/ing$/, "")];
  return stems.some((stem) => COMMON_WORDS.has(stem) || COMMON_WORDS.has(`${stem}e`));
}

/** A bare name is distinctive when it is at least 4 characters and either looks like code or is no common word. */
function isDistinctiveName(name: string): boolean {
  if (name.length < 4) return false;
  if (/[_\d]|[a-z][A-Z]/.test(name)) return true;
  return !isCommonWord(name);
}

function normalizeRepoPath(path: string): string {
  return path
    .replace(/\\/g, "/")
    .replace(/^\/+/, "")
    .replace(/^(?:testbed|workspace)\//, "")
    .replace(/^\.\//, "");
}

/** The strings whose presence means `value` leaked, longest first (rule: see `findLeaks`). */
function leakVariants(value: string): LeakVariant[] {
  const trimmed = value.trim().normalize("NFKC");
  if (!trimmed) return [];
  const variants: LeakVariant[] = [{ text: trimmed, noun: "thing" }];
  const separator = trimmed.indexOf("::");
  let filePart = "";
  let symbol = "";
  if (separator >= 0) {
    filePart = trimmed.slice(0, separator);
    symbol = trimmed.slice(separator + 2);
  } else if (PATH_VALUE.test(trimmed)) {
    filePart = trimmed;
  } else if (/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\(\))?$/.test(trimmed)) {
    symbol = trimmed;
  }
  if (filePart) {
    const path = normalizeRepoPath(filePart);
    const base = path.split("/").pop() ?? "";
    const stem = base.replace(/\.[^.]+$/, "");
    variants.push({ text: path, noun: "file" });
    if (base !== path && base.includes(".")) variants.push({ text: base, noun: "file" });
    if (!GENERIC_FILE_STEMS.has(stem.toLowerCase()) && isDistinctiveName(stem)) {
      variants.push({ text: stem, noun: "file" });
    }
  }
  symbol = symbol.replace(/\(.*\)$/, "").trim();
  if (symbol) {
    const parts = symbol.split(".").filter(Boolean);
    variants.push({ text: symbol, noun: "function" });
    for (let i = 1; i < parts.length; i++) {
      const suffix = parts.slice(i).join(".");
      if (i < parts.length - 1 || isDistinctiveName(suffix))
        variants.push({ text: suffix, noun: "function" });
    }
    if (parts.length === 1 && !isDistinctiveName(symbol)) variants.pop();
  }
  const unique = new Map<string, LeakVariant>();
  for (const v of variants)
    if (v.text && !unique.has(v.text.toLowerCase())) unique.set(v.text.toLowerCase(), v);
  return [...unique.values()].sort((a, b) => b.text.length - a.text.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Case-insensitive; whitespace-insensitive; a word-character edge must not touch another word character. */
function variantPattern(variant: string): RegExp {
  const body = variant.split(/\s+/).map(escapeRegExp).join("\\s+");
  const head = /^[\p{L}\p{N}_]/u.test(variant) ? "(?<![\\p{L}\\p{N}_])" : "";
  const tail = /[\p{L}\p{N}_]$/u.test(variant) ? "(?![\\p{L}\\p{N}_])" : "";
  return new RegExp(`${head}${body}${tail}`, "giu");
}

/**
 * Which hidden values occur in `text`, each reported once, in input order. A value occurs when one of these
 * does, case-insensitively (after NFKC), with any run of whitespace matching any other, and with no letter,
 * digit or `_` touching either end (so `as_sql` is not found in `has_sql`):
 * - the value itself (trimmed) — for every hidden value, answers included;
 * - for a path (`a/b/file.py`, with or without a leading `/`, `/testbed/` or `/workspace/`): the repo-relative
 *   path, the file name with its extension (`file.py`), and the stem (`file`) when it is distinctive:
 *   ≥ 4 characters, not a generic file name (`core`, `utils`, `models`, `__init__`, ...) and, unless it looks
 *   like code (`_`, a digit or an inner capital), not an ordinary English word;
 * - for a symbol (`path::Class.method`, `path::func`, or a bare dotted `Class.method`): the path as above,
 *   the symbol, every shorter dotted suffix (`Class.method`), and the last name (`method`, `func`) when
 *   distinctive by the same rule. A class name on its own is not a leak: it usually names the topic (the
 *   paper's own vague prompt keeps "TimeSeries"); pass it as a separate hidden value to forbid it.
 */
export function findLeaks(text: string, hidden: string[]): string[] {
  const haystack = text.normalize("NFKC");
  const found: string[] = [];
  for (const value of hidden) {
    if (found.includes(value)) continue;
    if (leakVariants(value).some((v) => variantPattern(v.text).test(haystack))) found.push(value);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// Placeholders: a removed specific becomes a marked noun, resolved once its neighbours are known.

const PH_OPEN = "\uE000";
const PH_CLOSE = "\uE001";
const ph = (noun: string): string => ` ${PH_OPEN}${noun}${PH_CLOSE} `;

/** [with no determiner before it, after a determiner]. */
const NOUNS: Record<string, [string, string]> = {
  function: ["a function", "function"],
  attribute: ["an attribute", "attribute"],
  module: ["a module", "module"],
  file: ["a file", "file"],
  option: ["an option", "option"],
  setting: ["a setting", "setting"],
  error: ["an error", "error"],
  message: ["a message", "message"],
  value: ["a value", "value"],
  code: ["some code", "code"],
  thing: ["something", "thing"],
  title: ["a title", "title"],
  club: ["a club", "club"],
  person: ["a person", "person"],
  place: ["a place", "place"],
  university: ["a university", "university"],
  school: ["a school", "school"],
  company: ["a company", "company"],
  award: ["an award", "award"],
  competition: ["a competition", "competition"],
  event: ["an event", "event"],
  country: ["a country", "country"],
};

const DETERMINERS = words(`
  the a an this that these those my our your its their his her some any each every no which what whose
  another
`);

/** Nouns that already say what a removed identifier was ("the `foo` function" → "the function"). */
const KIND_NOUNS = words(`
  function functions method methods class classes attribute attributes argument arguments parameter
  parameters param params option options field fields module modules file files setting settings command
  commands flag flags keyword keywords kwarg kwargs property properties variable variables column columns
  value values object objects decorator template templates tag tags filter filters lookup lookups model
  models call calls message messages error errors exception exceptions warning warnings output check checks
  test tests backend package library type types instance instances widget key keys header headers table
  tables query index mode feature hook signal directive parser loader mixin manager subclass constructor
  operator expression expressions endpoint
`);

function resolvePlaceholders(text: string): string {
  const s = text
    .replace(
      /\uE000([^\uE001]*)\uE001(?:\s*(?:,|\/|&|\band\b|\bor\b)\s*\uE000[^\uE001]*\uE001)+/g,
      "\uE000$1\uE001",
    )
    .replace(/\b(?:called|named|titled|entitled|nicknamed|dubbed|known as)\s+\uE000[^\uE001]*\uE001/gi, " ");
  const out: string[] = [];
  let last = 0;
  for (const match of s.matchAll(/\uE000([^\uE001]*)\uE001/g)) {
    const index = match.index ?? 0;
    const before = s.slice(last, index);
    const previous = (/(\S+)\s*$/.exec(before)?.[1] ?? "").toLowerCase();
    const next = (/^\s*([\p{L}']+)/u.exec(s.slice(index + match[0].length))?.[1] ?? "").toLowerCase();
    const [bare, afterDeterminer] = NOUNS[match[1]] ?? NOUNS.thing;
    const determined = DETERMINERS.has(previous);
    let replacement: string;
    if (KIND_NOUNS.has(next) && match[1] !== "error") replacement = determined ? "" : "the";
    else replacement = determined ? afterDeterminer : bare;
    out.push(before, replacement);
    last = index + match[0].length;
  }
  out.push(s.slice(last));
  return out.join("");
}

// ---------------------------------------------------------------------------------------------------------
// Generalisation of one sentence

const URL = /\b(?:https?:\/\/|www\.)\S+/gi;
const ERROR_NAME = /\b(?:[A-Za-z_]\w*\.)*[A-Z][A-Za-z0-9]+(?:Error|Exception|Warning)\b(?::[^.;\n]*)?/g;
const DOUBLE_QUOTED = /(^|[\s([:=,])(?:"([^"\n]{1,300})"|“([^”\n]{1,300})”)(?=$|[\s).,;:!?\]])/g;
const SINGLE_QUOTED = /(^|[\s([:=,])(?:'([^'\n]{1,300}?)'|‘([^’\n]{1,300}?)’)(?=$|[\s).,;:!?\]])/g;
const PATH = /(?<![\w/.])(?:[A-Za-z]:)?(?:~|\.{1,2})?[\\/]?[\w.-]+(?:[\\/][\w.-]+)+[\\/]?/g;
const OPTION = /(?<![\w-])--?[A-Za-z][\w-]*(?:=\S+)?/g;
const KWARG = /\b[A-Za-z_]\w*=(?:"[^"]*"|'[^']*'|[^\s,;)]+)/g;
const CALL = /\b[A-Za-z_][\w.]*\((?:[^()]|\([^()]*\))*\)/g;
const DOTTED = /\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+\b/g;
const SNAKE = /(?<![\w.])(?:_*[A-Za-z][A-Za-z0-9]*(?:_+[A-Za-z0-9]+)+_*|_+[A-Za-z0-9]+_*)(?!\w)/g;
const CAMEL = /\b[a-z]+[A-Z][A-Za-z0-9]*\b/g;
const CAMEL_BRANDS = words("macOS iOS iPadOS watchOS tvOS iPhone iPad iPod eBay jQuery");
const DOTTED_KEEP = /^(?:e\.g|i\.e|a\.k\.a|etc|vs|ph\.d|u\.s|u\.k|(?:[A-Z]\.)*[A-Z])$/i;

const MONTH =
  "(?:January|February|March|April|May|June|July|August|September|October|November|December|" +
  "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\\.?";
const DAY = "\\d{1,2}(?:st|nd|rd|th)?";
const YEAR = "(?:1[5-9]\\d{2}|20\\d{2})";
const DATE_OPEN = "\uE002";
const DATE_CLOSE = "\uE003";
const date = (noun: string): string => `${DATE_OPEN}${noun}${DATE_CLOSE}`;
const D = `${DATE_OPEN}(\\w+)${DATE_CLOSE}`;
const DATE_SHAPES: [RegExp, string][] = [
  [/\b\d{4}-\d{1,2}-\d{1,2}\b/g, "date"],
  [/\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/g, "date"],
  [new RegExp(`\\b${MONTH}\\s+${DAY},?\\s+${YEAR}\\b`, "g"), "date"],
  [new RegExp(`\\b${DAY}\\s+(?:of\\s+)?${MONTH},?\\s+${YEAR}\\b`, "g"), "date"],
  [new RegExp(`\\b${MONTH},?\\s+${YEAR}\\b`, "g"), "date"],
  [new RegExp(`\\b${MONTH}\\s+${DAY}\\b`, "g"), "date"],
  [new RegExp(`\\b${DAY}\\s+(?:of\\s+)?${MONTH}\\b`, "g"), "date"],
  [new RegExp(`(?<=\\b(?:in|during|since|until|by|before|after|early|late)\\s+)${MONTH}\\b`, "g"), "date"],
  [/\b(?:the\s+)?(?:early\s+|late\s+|mid-?\s*)?(?:1[5-9]|20)\d0s\b/gi, "decade"],
  [/\b(?:the\s+)?(?:early\s+|late\s+|mid-?\s*)?'?[1-9]0s\b/gi, "decade"],
  [/\b(?:the\s+)?(?:early\s+|late\s+|mid-?\s*)?\d{1,2}(?:st|nd|rd|th)[-\s]centur(?:y|ies)\b/gi, "century"],
];
const ANY_YEAR = new RegExp(`(?<![\\w.$#-])${YEAR}(?![\\w%-]|\\.\\d)`, "g");
const YEAR_AFTER_PREPOSITION = new RegExp(
  `(?<=\\b(?:in|since|until|till|before|after|during|from|by|around|circa)\\s+)${YEAR}(?![\\w%-]|\\.\\d)`,
  "g",
);
const DATE_PHRASES: [RegExp, string][] = [
  // "the 2005 cup final" → "the cup final": a date used as an adjective just goes.
  [
    new RegExp(
      `\\b(the|a|an|its|their|his|her)\\s+${D}\\s+(?=(?!(?:and|or|to|in|on|at|by|for|of|with|from|until|when|while|as|but)\\b)[a-z])`,
      "gi",
    ),
    " $1 ",
  ],
  [new RegExp(`\\bbetween\\s+${D}\\s+and\\s+${D}`, "g"), " at some point "],
  [new RegExp(`\\bfrom\\s+${D}\\s+(?:to|until|till|through)\\s+${D}`, "g"), " at some point "],
  [new RegExp(`\\b(?:in|on|during|around|circa|at|within)\\s+(?:the\\s+)?${D}`, "gi"), " at some point "],
  [
    new RegExp(`\\b(before|after|since|until|till|by|from|through)\\s+(?:the\\s+)?${D}`, "gi"),
    " $1 some point ",
  ],
  [new RegExp(D, "g"), " some $1 "],
];

const NUMBER = "\\d+(?:[.,]\\d+)*(?:\\s?(?:million|billion|thousand|hundred)\\b)?";
const NUMBER_WORDS: Record<string, string> = Object.fromEntries([
  ...["two", "three", "four", "five", "six", "seven", "eight", "nine"].map((w) => [w, "a few"]),
  ...[
    "ten",
    "eleven",
    "twelve",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
  ].map((w) => [w, "some"]),
]);
const NUMBER_WORD = `(?:${Object.keys(NUMBER_WORDS).join("|")})`;
const NUMBER_RULES: [RegExp, string | ((m: string) => string)][] = [
  [/#\d+\b/g, " "],
  [/\b\d+(?:x\d+)+\b/g, " "],
  [/[$€£¥]\s?\d[\d,.]*(?:\s?(?:million|billion|thousand|trillion|bn|[km])\b)?/gi, " some money "],
  [/\b\d+(?:\.\d+)?\s?(?:%|percent\b)/gi, " some percent "],
  [
    new RegExp(
      `\\b(?:(?:more|fewer|less|greater|larger|smaller|higher|lower)\\s+than|at least|at most|over|under|about|around|approximately|roughly|nearly|almost|exactly|up to)\\s+(?:${NUMBER}|${NUMBER_WORD})\\b`,
      "gi",
    ),
    " some ",
  ],
  [/\b\d+(?:st|nd|rd|th)\b/g, " "],
  [
    new RegExp(
      `\\b(the|these|those|all|its|their|his|her|our|my|your)\\s+(?:${NUMBER}|${NUMBER_WORD})\\b`,
      "gi",
    ),
    " $1 ",
  ],
  [
    new RegExp(`(?<![\\w.-])-?${NUMBER}(?![\\w-])`, "g"),
    (m) => (m === "1" ? " one " : /^[2-9]$/.test(m) ? " a few " : " some "),
  ],
  [new RegExp(`\\b${NUMBER_WORD}\\b`, "gi"), (m) => ` ${NUMBER_WORDS[m.toLowerCase()] ?? "some"} `],
];

function classifyCode(code: string): string {
  if (/(?:Error|Exception|Warning)\b/.test(code)) return ph("error");
  if (/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*$/.test(code) && code.length >= 3) return ` ${code} `;
  if (/[\\/]/.test(code) || new RegExp(`\\.(?:${CODE_EXTENSIONS})$`).test(code)) return ph("file");
  if (/^-/.test(code) || /^[\w.]+=/.test(code)) return ph("option");
  if (/\(.*\)$/.test(code) && !/\s/.test(code.replace(/\(.*\)$/, ""))) return ph("function");
  if (/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/.test(code))
    return ph(/^[a-z.]+$/.test(code) ? "module" : "attribute");
  if (/^[A-Z0-9]+(?:_[A-Z0-9]+)+$/.test(code)) return ph("setting");
  if (/[\s=+*/<>[\]{}]/.test(code)) return ph("code");
  return ph("thing");
}

function replacePath(path: string): string {
  if (/^[\d/.-]+$/.test(path)) return path;
  const separators = (path.match(/[\\/]/g) ?? []).length;
  const rooted = /^(?:[A-Za-z]:|~|\.{1,2})?[\\/]/.test(path);
  const withExtension = /\.[A-Za-z]{1,5}[\\/]?$/.test(path);
  return separators >= 2 || rooted || withExtension ? ph("file") : path;
}

function generalize(input: string, family: VaguenizeFamily): string {
  let s = ` ${input.slice(0, MAX_SENTENCE_CHARS)} `
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/<\/?[A-Za-z][^>]*>/g, " ")
    .replace(/\*\*(\S(?:.*?\S)?)\*\*/g, "$1")
    .replace(URL, " ")
    .replace(/\S{41,}/g, " ")
    .replace(/`+([^`]+?)`+/g, (_, code: string) => classifyCode(code.trim()))
    .replace(ERROR_NAME, ph("error"));
  const quoted = (_: string, lead: string, a?: string, b?: string): string => {
    const content = a ?? b ?? "";
    if (family === "research") return `${lead}${ph("title")}`;
    return `${lead}${ph(/\s/.test(content.trim()) && !/[=(){}[\]]/.test(content) ? "message" : "value")}`;
  };
  s = s
    .replace(DOUBLE_QUOTED, quoted)
    .replace(SINGLE_QUOTED, quoted)
    .replace(PATH, replacePath)
    .replace(FILE_NAME, ph("file"))
    .replace(OPTION, ph("option"))
    .replace(KWARG, ph("option"))
    .replace(CALL, (call) => (/\((?:e?s)\)$/.test(call) ? call.replace(/\(e?s\)$/, "") : ph("function")))
    .replace(DOTTED, (name) => {
      if (DOTTED_KEEP.test(name)) return name;
      if (/\.(?:com|org|net|io|dev|edu|gov)$/i.test(name)) return " ";
      return ph(/^[a-z.]+$/.test(name) ? "module" : "attribute");
    })
    .replace(SNAKE, (name) => ph(/^[A-Z0-9_]+$/.test(name) ? "setting" : "thing"))
    .replace(CAMEL, (name) => (CAMEL_BRANDS.has(name) ? name : ph("thing")))
    .replace(/\bversions?\s+v?\d+(?:\.\d+)*(?:[-.+]?[A-Za-z]+\d*)*/gi, " some version ")
    .replace(/\bv\d+(?:\.\d+)*\b/g, " ")
    .replace(/\b\d+(?:\.\d+){2,}(?:[-.+]?[A-Za-z]+\d*)*\b/g, " ")
    .replace(/\b([A-Z][\w-]*)\s+\d+\.\d+\b/g, "$1");
  for (const [re, noun] of DATE_SHAPES) s = s.replace(re, ` ${date(noun)} `);
  s = s.replace(family === "research" ? ANY_YEAR : YEAR_AFTER_PREPOSITION, date("year"));
  for (const [re, replacement] of DATE_PHRASES) s = s.replace(re, replacement);
  for (const [re, replacement] of NUMBER_RULES) {
    s = typeof replacement === "string" ? s.replace(re, replacement) : s.replace(re, replacement);
  }
  for (let pass = 0; pass < 2; pass++) s = s.replace(/\s*\([^()]*\)/g, " ").replace(/\s*\[[^\][]*\]/g, " ");
  if (family === "research") s = generalizeNames(s);
  return tidy(resolvePlaceholders(s));
}

// ---------------------------------------------------------------------------------------------------------
// Proper names (research questions): capitalised sequences not at sentence start become a general noun.

const NAME_SEQUENCE =
  /(?<![\p{L}\p{N}_'’])(?:(?:[A-Z]\.){1,3}|[A-Z][\p{L}’'-]*)(?:\s+(?:(?:of|the|de|da|del|della|di|du|van|von|der|den|la|le|y)\s+)*(?:(?:[A-Z]\.){1,3}|[A-Z][\p{L}’'-]*))*/gu;
const NOT_NAMES = words(`
  I A The In On At Of For From By With Which What Who Whom Whose Where When Why How Is Are Was Were Did Do
  Does Can Could Should Would Will Has Have Had Name Identify Find Please This That These Those It Its He She
  They Their His Her After Before During Between Since Until And Or But If As An To
`);
const NON_PLACE_WORDS = words(`
  English French Spanish German Italian Portuguese Russian Chinese Japanese Korean Arabic Latin Greek Dutch
  Swedish Norwegian Danish Finnish Polish Hindi Hebrew Turkish Persian Irish Welsh Scottish Monday Tuesday
  Wednesday Thursday Friday Saturday Sunday
`);
const PLACE_PREPOSITIONS = words(
  "in at near from across outside inside around into towards toward through within",
);
const NAME_MODIFIED_NOUNS = words(`
  club clubs team teams player players league film films movie movies song songs album albums band book books
  novel novels series show shows university city town station river award prize company season seasons final
  finals match game games tournament cup stadium party church school district region province state country
  language festival magazine newspaper character characters episode episodes actor actress singer author
  writer director politician president captain manager coach champion championship record label edition
  painting building museum airport line army war battle dynasty era
`);

function guessNameNoun(tokens: string[], previous: string): string {
  const joined = ` ${tokens.join(" ")} `;
  if (/ (?:FC|AFC|CF|SC|United|Rovers|Athletic|Wanderers|Albion|Hotspur|Rangers|Celtic|Club) /.test(joined)) {
    return "club";
  }
  if (/ (?:University|College|Institute) /.test(joined)) return "university";
  if (/ (?:School|Academy) /.test(joined)) return "school";
  if (
    / (?:Inc|Ltd|LLC|Corp|Corporation|Company|Group|Records|Studios|Press|Airlines|Bank|Motors|Pictures) /.test(
      joined,
    )
  ) {
    return "company";
  }
  if (/ (?:Award|Awards|Prize|Medal|Trophy) /.test(joined)) return "award";
  if (/ (?:Cup|League|Championships?|Olympics|Games|Open|Tournament) /.test(joined)) return "competition";
  if (/ (?:Festival|Conference|Expo|War|Battle|Revolution) /.test(joined)) return "event";
  if (/ (?:Kingdom|Republic|Empire|Federation) /.test(joined)) return "country";
  if (PLACE_PREPOSITIONS.has(previous)) return "place";
  if (
    / (?:River|Lake|Mount|Mountains?|Islands?|Sea|Ocean|Bay|Valley|Park|Street|Road|Avenue|Square|Bridge|Stadium|Arena|Castle|Palace|Cathedral|Church|Museum|Tower|County|Province|City|District) /.test(
      joined,
    )
  ) {
    return "place";
  }
  if (tokens.length <= 3 && tokens.every((t) => /^(?:[A-Z][a-z’'-]+|(?:[A-Z]\.)+)$/.test(t))) return "person";
  return "thing";
}

function generalizeNames(text: string): string {
  return text.replace(NAME_SEQUENCE, (match: string, offset: number, whole: string) => {
    const tokens = match.split(/\s+/);
    let previous = /(\S+)\s*$/.exec(whole.slice(0, offset))?.[1] ?? "";
    const atStart = previous === "" || /[.!?:"“]$/.test(previous);
    let leading = "";
    while (tokens.length > 0 && NOT_NAMES.has(tokens[0])) {
      previous = tokens[0];
      leading += `${tokens.shift()} `;
    }
    // A capitalised word that opens the sentence may be any word: leave it.
    if (tokens.length === 0 || (atStart && leading === "")) return match;
    const possessive = /['’]s$/.test(tokens[tokens.length - 1]);
    if (possessive) tokens[tokens.length - 1] = tokens[tokens.length - 1].replace(/['’]s$/, "");
    const before = previous.toLowerCase();
    const next = (/^\s*([\p{L}']+)/u.exec(whole.slice(offset + match.length))?.[1] ?? "").toLowerCase();
    if (DETERMINERS.has(before) && (NAME_MODIFIED_NOUNS.has(next) || /^(?:which|what|whose)$/.test(before))) {
      return ` ${leading}`;
    }
    const capitalised = tokens.filter((t) => /^[A-Z]/.test(t));
    if (capitalised.length === 1) {
      const single = capitalised[0];
      if (!PLACE_PREPOSITIONS.has(before) || NON_PLACE_WORDS.has(single) || /(?:ish|ese)$/.test(single))
        return match;
    }
    return ` ${leading}${ph(guessNameNoun(tokens, before)).trim()}${possessive ? "'s" : ""} `;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Tidying and cutting

const FILLERS = words(`
  actually basically mistakenly accidentally currently apparently unfortunately simply really just probably
  possibly obviously clearly certainly definitely essentially generally usually typically recently
  previously sometimes occasionally suddenly randomly seemingly somehow eventually initially originally
  additionally also even still quite very rather somewhat slightly totally completely entirely heavily
  extremely
`);
const DANGLING = words(`
  a an the of to in on at by for with from and or but that which who whose when where while as like via if
  than then so because since into onto about over under between is are was were be been this these those
  its their his her our my your see e.g i.e such using
`);
const LEADING_DROP = words("and but or so also then because however");
const BOUNDARY_WORDS = words(`
  and but who whom whose which that where when while with in on at for from between during after before since
  by as whereas although though including despite because if without
`);

function countWords(text: string): number {
  let n = 0;
  for (const token of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(token)) n++;
  return n;
}

function startsWithVowelSound(word: string): boolean {
  if (/^(?:uni|use|usu|uti|eu|one|once|ubi|ur[aei])/i.test(word)) return false;
  if (/^(?:hour|honest|honou?r|heir)/i.test(word)) return true;
  return /^[aeiou]/i.test(word);
}

function tidy(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/\(\s*\)|\[\s*\]|""|''|“”/g, " ")
    .replace(/\s+([,.;:!?])/g, "$1")
    .replace(/([,;:])(?:\s*[,;:])+/g, "$1")
    .replace(/^[\s,.;:!?)\]—–-]+/, "")
    .replace(/\b(\p{L}+)\s+\1\b/giu, "$1")
    .replace(/\b(?:a|an|the|some)\s+(?=(?:some|a few|a|an)\s)/gi, "")
    .replace(
      /(^|[^\p{L}])(a|an|A|An)\s+(\p{L}[\p{L}'-]*)/gu,
      (m, lead: string, article: string, next: string) => {
        if (/^[A-Z]/.test(article) && lead !== "") return m;
        if (/^[A-Z]{2,}/.test(next)) return m;
        const an = startsWithVowelSound(next);
        const fixed = /^[Aa]$/.test(article) ? (an ? `${article}n` : article) : an ? article : article[0];
        return `${lead}${fixed} ${next}`;
      },
    )
    .replace(/\s+/g, " ")
    .trim();
}

function bareWord(token: string): string {
  return token
    .toLowerCase()
    .replace(/[^\p{L}'.]/gu, "")
    .replace(/\.$/, "");
}

function trimEnds(text: string): string {
  const tokens = text.split(/\s+/).filter(Boolean);
  while (tokens.length > 0) {
    const bare = bareWord(tokens[tokens.length - 1]);
    if (bare === "" || DANGLING.has(bare)) tokens.pop();
    else break;
  }
  while (tokens.length > 0 && LEADING_DROP.has(bareWord(tokens[0]))) tokens.shift();
  return tokens.join(" ").replace(/[\s,;:.!?…—–-]+$/, "");
}

function dropFillers(text: string): string {
  return tidy(
    text
      .split(/\s+/)
      .filter((token) => !FILLERS.has(bareWord(token)))
      .join(" "),
  );
}

/** The longest prefix of at most `limit` words that ends before a clause boundary, or null. */
function cutAtBoundary(text: string, limit: number, minWords: number): string | null {
  if (countWords(text) <= limit) return text;
  const tokens = text.split(/\s+/).filter(Boolean);
  let best = -1;
  for (let i = minWords; i < tokens.length && i <= limit; i++) {
    if (BOUNDARY_WORDS.has(bareWord(tokens[i])) || /[,;:]$/.test(tokens[i - 1])) best = i;
  }
  return best < 0 ? null : trimEnds(tokens.slice(0, best).join(" "));
}

function hardCut(text: string, limit: number): string {
  return trimEnds(text.split(/\s+/).filter(Boolean).slice(0, limit).join(" "));
}

function splitSegments(text: string): string[] {
  return text
    .split(/\s*[;,]\s+|\s+[—–]\s+|\s+-{1,2}\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

// ---------------------------------------------------------------------------------------------------------
// Reading the prompt: prose paragraphs without code, traces, environment dumps or section labels.

interface Paragraph {
  text: string;
  /** Under a heading such as "Steps to reproduce" or "System details": read only when nothing else is. */
  detail: boolean;
}

const TRACEBACK_START = /^(?:Traceback \(most recent call last\)|Stack ?trace|Exception in thread)/i;
const EXCEPTION_LINE = /^(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt)\b(?::|$)/;
const DETAIL_SECTION =
  /\b(?:system|versions?|environment|platform|traceback|stack|output|logs?|reproduc|steps|code|example|snippet|setup|install|config|actual|expected|workaround|additional|details|screenshots?)/i;
const CODE_LINE: RegExp[] = [
  /^(?:>>>|\.\.\.\s|\$\s|%\s|In \[\d*\]|Out\[\d*\])/,
  /^File ".*", line \d+/,
  EXCEPTION_LINE,
  /^(?:import\s+[\w.]+|from\s+[\w.]+\s+import\b|def\s+\w+\s*\(|async\s+def\b|class\s+\w+\s*[(:]|return\b|raise\s+\w|assert\s|print\s*\(|@\w+|if __name__|elif\b|else:|try:|except\b|finally:|lambda\b)/,
  /^(?:with|for|while|if)\s.+:$/,
  /^[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*[-+*/|&]?=(?!=)\s*\S/,
  /^[\w.]+\(.*\)\s*;?$/,
  /^(?:pip3?|conda|python3?|npm|npx|yarn|pnpm|git|cd|ls|pytest|tox|sudo|export|echo|curl|wget|docker|brew|apt(?:-get)?|mkdir|rm|cargo|poetry|uv)\s+\S/,
  /[{;]$|^[}\])]|^(?:\/\/|\/\*|\*\/|<\?)/,
  /^(?:os|platform|python|version|versions|system|machine|release|processor|architecture|arch|kernel|browser|node|database|db|numpy|scipy|pandas|django|astropy|sympy|matplotlib|sphinx|pytest|requests|flask|xarray|sklearn|scikit-learn|pylint)\b[\w .-]{0,20}:/i,
];

function isCodeLine(line: string): boolean {
  if (/^(?: {4,}|\t)/.test(line)) return true;
  const t = line.trim();
  if (CODE_LINE.some((re) => re.test(t))) return true;
  if (
    /^[A-Za-z][\w .()/+-]{0,40}?[:=]?\s*v?\d+(?:\.\d+)+\S*/.test(t) &&
    (countWords(t) <= 6 || t.includes("|"))
  ) {
    return true;
  }
  if (!/\s/.test(t) && t.length > 12 && /[._/\\:=-]/.test(t)) return true;
  const symbols = (t.match(/[(){}[\]=<>;*\\|]/g) ?? []).length;
  return t.length >= 6 && symbols / t.length > 0.12;
}

function headingText(t: string): string | null {
  const hashes = /^#{1,6}\s+(.*?)\s*#*$/.exec(t);
  if (hashes) return hashes[1];
  const bold = /^(?:\*\*|__)([^*_]+)(?:\*\*|__):?$/.exec(t);
  if (bold) return bold[1];
  if (/^[A-Z][\w /()&-]{0,40}:$/.test(t) && countWords(t) <= 5) return t.slice(0, -1);
  if (
    /^(?:description|summary|details|problem|environment|versions?|traceback|steps to reproduce|expected (?:behaviou?r|results?|output)|actual (?:behaviou?r|results?|output)|reproduction|minimal example|example|output)$/i.test(
      t,
    )
  ) {
    return t;
  }
  return null;
}

// Case is spelled out: a case-insensitive addressee class would swallow "Hi I noticed ...".
const GREETING = new RegExp(
  "^(?:[Dd]ear\\b[^,.!\\n]{0,40}[,.!:]\\s*|" +
    "(?:[Hh]i|[Hh]ello|[Hh]ey|[Hh]iya|[Hh]owdy|[Gg]reetings|[Gg]ood (?:morning|afternoon|evening))\\b" +
    "(?:\\s+(?:all|team|everyone|everybody|there|folks|guys|y'all|maintainers|devs|developers|friends|again|@[\\w-]+|(?!I\\b)[A-Z][a-z][\\w-]*))*" +
    "(?:\\s*[,!.:;\\u2014\\u2013-]+\\s*|\\s*$|\\s+(?=(?:I|I'm|I've|we|We|my|My|our|Our|when|When|it|It)\\b)))",
);

function stripGreeting(text: string): string {
  return text.replace(GREETING, "").trim();
}

function proseParagraphs(prompt: string): Paragraph[] {
  const text = prompt
    .slice(0, MAX_PROMPT_CHARS)
    .replace(/\r\n?/g, "\n")
    .replace(/<!--[\s\S]*?(?:-->|$)/g, "");
  const out: Paragraph[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let inTrace = false;
  let detail = false;
  const flush = () => {
    if (current.length > 0) out.push({ text: current.join(" "), detail });
    current = [];
  };
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    const fenceMark = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = null;
      continue;
    }
    if (fenceMark) {
      flush();
      fence = fenceMark;
      continue;
    }
    if (!trimmed) {
      flush();
      inTrace = false;
      continue;
    }
    if (TRACEBACK_START.test(trimmed)) {
      flush();
      inTrace = true;
      continue;
    }
    if (inTrace) {
      if (EXCEPTION_LINE.test(trimmed)) inTrace = false;
      continue;
    }
    const heading = headingText(trimmed);
    if (heading !== null) {
      flush();
      detail = DETAIL_SECTION.test(heading);
      continue;
    }
    if (isCodeLine(line) || /^[>|]/.test(trimmed) || stripGreeting(trimmed) === "") {
      flush();
      continue;
    }
    const item = /^(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$/.exec(trimmed);
    if (item) {
      flush();
      current.push(item[1]);
      flush();
      continue;
    }
    current.push(trimmed);
  }
  flush();
  return out;
}

const ABBREVIATIONS = words(`
  e.g i.e etc vs mr mrs ms dr st jr sr fig approx u.s u.k inc ltd co corp cf al prof gen mt ft ca a.k.a
`);

function splitSentences(paragraph: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const m of paragraph.matchAll(/[.!?]+["')\]]*(?=\s+["'([`*_]?[A-Z0-9]|\s*$)/g)) {
    const index = m.index ?? 0;
    const lastWord = /(\S+)$/.exec(paragraph.slice(start, index))?.[1] ?? "";
    if (m[0].startsWith(".") && (ABBREVIATIONS.has(lastWord.toLowerCase()) || /^[A-Z]$/.test(lastWord)))
      continue;
    const end = index + m[0].length;
    const sentence = paragraph.slice(start, end).trim();
    if (sentence) out.push(sentence);
    start = end;
  }
  const rest = paragraph.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// SWE / general: the issue title, else the first sentence that states the problem or goal.

const GOAL_CUE =
  /\b(?:errors?|exceptions?|fail(?:s|ed|ing|ure)?|crash(?:es|ed)?|bugs?|wrong|incorrect(?:ly)?|unexpected(?:ly)?|misleading|confusing|broken|breaks|doesn'?t|does not|don'?t|do not|isn'?t|is not|aren'?t|not work|cannot|can'?t|could not|couldn'?t|unable|should(?:n'?t)?|would be|would like|i'?d like|wants?|expected|rais(?:e|es|ed|ing)|throws?|thrown|returns?|missing|ignor(?:e|es|ed|ing)|problem|issue|regression|support|allow|add|deprecat\w*|instead|inconsistent|slow|hangs?|leaks?|warn(?:s|ing)?|invalid|impossible|no longer|anymore|needs?|improve|feature|propose)\b/i;
const PLEASANTRY =
  /^(?:thanks|thank you|cheers|regards|best|kind regards|sorry|apologies|first of all|first off|i hope|hope you|great (?:work|library|project|package)|love (?:this|the)|this is my first)\b/i;
const LEAD_IN =
  /^(?:so,?\s+|basically,?\s+|currently,?\s+|unfortunately,?\s+|apparently,?\s+|recently,?\s+|it (?:seems|looks|appears)(?: like| that| as if)?\s+|i(?:'ve| have)? (?:just )?(?:noticed|found|discovered|realized|realised|observed|encountered|come across|ran into|run into|stumbled (?:on|upon|across))(?: that)?\s+|i think(?: that)?\s+|i believe(?: that)?\s+|i(?:'d| would) like to\s+|it would be (?:nice|great|good|useful|helpful|cool) (?:to|if)\s+|please\s+|there (?:is|seems to be|appears to be) (?:a|an) (?:bug|issue|problem) (?:where|when|in which)\s+)/i;
const TITLE_TAG =
  /^\s*(?:\[[^\]]*\]\s*)+|^\s*(?:BUG|ENH|DOC|MAINT|TST|BLD|API|DEP|PERF|CLN|TYP|CI|FIX|FEAT|REF|STY|bug|feat|fix|docs|chore)(?:\([^)]*\))?\s*:\s*/;
const SUBORDINATE = /^(?:when|whenever|if|after|while|once|since|because|although|though)\b/i;
const RELATIVE_TAIL = /\s+(?:that|which|who|whose|where)\b.*$/i;

function stripLeadIns(text: string): string {
  let s = text;
  for (let previous = ""; previous !== s; ) {
    previous = s;
    s = s.replace(LEAD_IN, "");
  }
  return s;
}

function goalSentence(prompt: string, family: VaguenizeFamily): string | null {
  const paragraphs = proseParagraphs(prompt);
  const ordered = [...paragraphs.filter((p) => !p.detail), ...paragraphs.filter((p) => p.detail)];
  let fallback: string | null = null;
  for (const paragraph of ordered) {
    for (const raw of splitSentences(paragraph.text)) {
      const sentence = stripLeadIns(stripGreeting(raw));
      if (!sentence || PLEASANTRY.test(sentence)) continue;
      const cue = GOAL_CUE.test(sentence);
      if (!cue && fallback !== null) continue;
      const general = generalize(sentence, family);
      if (countWords(general) < 3) continue;
      if (cue) return general;
      fallback = general;
    }
  }
  return fallback;
}

function joinSegments(segments: string[]): string {
  return segments.join(", ");
}

/** Fits a task sentence into the SWE budget, keeping the first segment (topic) and the problem segment. */
function compressTask(text: string): string {
  let s = tidy(text);
  if (countWords(s) <= TASK_MAX_WORDS) return s;
  s = dropFillers(s);
  if (countWords(s) <= TASK_MAX_WORDS) return s;
  let segments = splitSegments(s).map((seg) => (GOAL_CUE.test(seg) ? seg : seg.replace(RELATIVE_TAIL, "")));
  for (let i = segments.length - 1; i > 0 && countWords(joinSegments(segments)) > TASK_MAX_WORDS; i--) {
    if (!GOAL_CUE.test(segments[i])) segments.splice(i, 1);
  }
  const problem = segments.findIndex((seg) => GOAL_CUE.test(seg));
  if (
    countWords(joinSegments(segments)) > TASK_MAX_WORDS &&
    problem > 0 &&
    countWords(segments[problem]) >= 4
  ) {
    // "When X, Y fails" → "Y fails when X", so that a cut keeps the problem and loses the circumstances.
    const circumstance = SUBORDINATE.test(segments[0])
      ? ` ${segments[0].replace(/^\p{Lu}/u, (c) => c.toLowerCase())}`
      : "";
    segments = [`${trimEnds(segments.slice(problem).join(", "))}${circumstance}`];
  }
  s = joinSegments(segments);
  return cutAtBoundary(s, TASK_MAX_WORDS, MIN_CUT_WORDS) ?? hardCut(s, TASK_MAX_WORDS);
}

function taskDraft(prompt: string, title: string | null | undefined, family: VaguenizeFamily): string {
  if (title) {
    const general = generalize(stripLeadIns(title.replace(TITLE_TAG, "")), family);
    if (countWords(general) >= 3) return compressTask(general);
  }
  return compressTask(goalSentence(prompt, family) ?? "");
}

// ---------------------------------------------------------------------------------------------------------
// Research: the core ask of the question (wh-phrase, main noun, first predicate), most constraints dropped.

const ASK_CUE =
  /^(?:please\s+)?(?:(?:can|could|would)\s+you\s+(?:please\s+)?)?(?:which|what|who|whom|whose|where|when|why|how|identify|name|find|determine|tell me|give me|provide|list|i(?:'m| am) (?:looking for|trying to (?:find|identify|remember))|i want to know|i(?:'d| would) like to know)\b/i;
const IMPERATIVE =
  /^(?:please\s+)?(?:(?:can|could|would)\s+you\s+(?:please\s+)?)?(?:identify|name|find|determine|tell me|give me|provide|find out|figure out|i(?:'m| am) (?:looking for|trying to (?:find|identify|remember))|i want to know|i(?:'d| would) like to know)\s+(.*)$/i;
const QUESTION_START =
  /^(?:in |at |on |for |from |by |of |to )?(?:which|what|who|whom|whose|where|when|why|how|is|are|was|were|do|does|did|can|could|should|would|will|has|have|had)\b/i;
const INSERTION_OPENERS = words(`
  born founded established located based known situated formed created built released published written
  directed produced named nicknamed originally also once formerly later who whom which whose where when
  while although though despite in on at with without from between during after before since by for as
  like having being a an the and or but not including especially particularly possibly perhaps probably
  if whereas according approximately around about near along among this that these those its their his
  her some
`);

function asQuestion(sentence: string): { text: string; question: boolean } {
  const text = sentence.trim();
  const imperative = IMPERATIVE.exec(text);
  if (imperative) {
    const rest = imperative[1];
    const nameOf = /^the name of\s+(.*)$/i.exec(rest);
    if (nameOf) return { text: `What is the name of ${nameOf[1]}`, question: true };
    // "identify the X who did Y" → "Which X did Y"
    const relative = /^(?:the|a|an)\s+([^,]+?)\s+(?:who|that|which)\s+(.*)$/i.exec(rest);
    if (relative) return { text: `Which ${relative[1]} ${relative[2]}`, question: true };
    const article = /^(?:the|a|an)\s+(.*)$/i.exec(rest);
    if (article) return { text: `Which ${article[1]}`, question: true };
    if (QUESTION_START.test(rest)) return { text: rest, question: true };
  }
  return { text, question: /\?["')\]]*$/.test(text) || QUESTION_START.test(text) };
}

function isInsertion(segment: string): boolean {
  const first = bareWord(segment.split(/\s+/)[0] ?? "");
  return (
    INSERTION_OPENERS.has(first) ||
    /^\p{L}+(?:ed|en|wn)\s+(?:in|by|on|at|from|during|between|after|before|as|for|with|under|to|near|into)\b/iu.test(
      segment,
    )
  );
}

function coreAsk(question: string, target: number): string {
  const segments = splitSegments(question.replace(/[?.!\s]+$/, ""));
  if (segments.length === 0) return "";
  let out = segments[0];
  let lastKept = 0;
  let predicate = false;
  // A head that is a whole question on its own stays whole up to the largest target.
  let limit = Math.max(target, Math.min(RESEARCH_MAX_TARGET, countWords(out)));
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    const lastChance = i === segments.length - 1 && !predicate && !/^(?:and|or|but)\b/i.test(segment);
    if (isInsertion(segment) && !lastChance) continue;
    const joined = `${out}${lastKept === i - 1 ? "," : ""} ${segment}`;
    // A bare head ("Which football club") needs its predicate whatever the budget says.
    const needsPredicate = !predicate && countWords(segments[0]) < 6;
    predicate = true;
    if (!needsPredicate && countWords(joined) > target) break;
    out = joined;
    lastKept = i;
    if (needsPredicate) limit = Math.max(target, Math.min(RESEARCH_MAX_TARGET, countWords(out)));
  }
  if (countWords(out) > limit) out = dropFillers(out);
  if (countWords(out) <= limit) return trimEnds(out);
  const cut = cutAtBoundary(out, limit, 6);
  if (cut) return cut;
  if (countWords(out) <= RESEARCH_MAX_WORDS) return trimEnds(out);
  return cutAtBoundary(out, RESEARCH_MAX_WORDS, 6) ?? hardCut(out, RESEARCH_MAX_WORDS);
}

function researchDraft(prompt: string): { text: string; question: boolean } {
  const sentences = proseParagraphs(prompt)
    .flatMap((p) => splitSentences(p.text))
    .map(stripGreeting)
    .filter((s) => s && !PLEASANTRY.test(s));
  if (sentences.length === 0) return { text: "", question: false };
  let askIndex = sentences.findIndex((s) => /\?["')\]]*$/.test(s));
  if (askIndex < 0) askIndex = sentences.findIndex((s) => ASK_CUE.test(s));
  if (askIndex < 0) askIndex = sentences.length - 1;
  const ask = asQuestion(sentences[askIndex]);
  const target = Math.min(
    RESEARCH_MAX_TARGET,
    Math.max(RESEARCH_MIN_TARGET, Math.round(countWords(sentences.join(" ")) * RESEARCH_RATIO)),
  );
  let text = coreAsk(generalize(ask.text, "research"), target);
  const room = RESEARCH_MAX_TARGET - countWords(text);
  if (askIndex > 0 && countWords(text) < RESEARCH_MIN_TARGET && room >= 4) {
    // A short ask leans on the description before it ("... What is the title of their second novel?").
    const context = splitSegments(generalize(sentences[0], "research"))[0] ?? "";
    const fitted = cutAtBoundary(context, room, 4) ?? hardCut(context, room);
    if (countWords(fitted) >= 4) text = `${capitalize(trimEnds(fitted))}. ${capitalize(text)}`;
  }
  return { text, question: ask.question };
}

// ---------------------------------------------------------------------------------------------------------

function capitalize(text: string): string {
  return text.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
}

/** Replaces every occurrence of a leaked value with a general noun; the last pass deletes instead. */
function scrubLeaks(text: string, hidden: string[]): string {
  let s = text.normalize("NFKC");
  for (let pass = 0; pass < 3; pass++) {
    const leaked = findLeaks(s, hidden);
    if (leaked.length === 0) break;
    for (const value of leaked) {
      for (const variant of leakVariants(value)) {
        s = s.replace(variantPattern(variant.text), pass < 2 ? ph(variant.noun) : " ");
      }
    }
    s = tidy(resolvePlaceholders(s));
  }
  return s;
}

/**
 * Rewrites a precise prompt into a vague one with the same intent (spec §1). SWE and general: one short line
 * ending in " ..."; research: the core ask, ending in "?" (or "." for a request that is no question).
 */
export function vaguenize(input: VaguenizeInput): VaguenizeResult {
  const family = input.family ?? "general";
  const hidden = (input.hidden ?? []).filter((value) => value.trim() !== "");
  let body: string;
  let ending: string;
  if (family === "research") {
    const draft = researchDraft(input.prompt);
    body = draft.text;
    ending = draft.question ? "?" : ".";
  } else {
    body = taskDraft(input.prompt, family === "swe" ? input.title : null, family);
    ending = " ...";
  }
  body = trimEnds(scrubLeaks(body, hidden));
  if (countWords(body) === 0) body = FALLBACK[family];
  const vague_prompt = `${capitalize(body)}${ending}`;
  return { vague_prompt, leaked: findLeaks(vague_prompt, hidden) };
}
