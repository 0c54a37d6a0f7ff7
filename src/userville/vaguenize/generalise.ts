/** Generalisation of one sentence: code, paths, quotes, dates, numbers (and, for research, names) go. */
import { words } from "./common-words";
import { CODE_EXTENSIONS } from "./leaks";
import { generalizeNames } from "./names";
import { ph, resolvePlaceholders } from "./placeholders";
import { tidy } from "./text";
import type { VaguenizeFamily } from "./types";

// Bounds what the regexes see, so that a pathological sentence cannot make them slow.
const MAX_SENTENCE_CHARS = 1_000;
const FILE_NAME = new RegExp(`\\b[\\w-]+\\.(?:${CODE_EXTENSIONS})\\b`, "g");

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

// Research only (SWE output stays as it was): spelled-out centuries and teens are as telling as digits.
const ORDINAL =
  "(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|" +
  "fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first)";
const SPELLED_CENTURY = new RegExp(
  `\\b(?:the\\s+)?(?:early\\s+|late\\s+|mid-?\\s*)?${ORDINAL}[-\\s]centur(?:y|ies)\\b`,
  "gi",
);
const SPELLED_TEEN = /\b(?:thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)\b/gi;

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

export function generalize(input: string, family: VaguenizeFamily): string {
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
  if (family === "research") s = s.replace(SPELLED_CENTURY, ` ${date("century")} `);
  s = s.replace(family === "research" ? ANY_YEAR : YEAR_AFTER_PREPOSITION, date("year"));
  for (const [re, replacement] of DATE_PHRASES) s = s.replace(re, replacement);
  for (const [re, replacement] of NUMBER_RULES) {
    s = typeof replacement === "string" ? s.replace(re, replacement) : s.replace(re, replacement);
  }
  if (family === "research") s = s.replace(SPELLED_TEEN, " some ");
  for (let pass = 0; pass < 2; pass++) s = s.replace(/\s*\([^()]*\)/g, " ").replace(/\s*\[[^\][]*\]/g, " ");
  if (family === "research") s = generalizeNames(s);
  return tidy(resolvePlaceholders(s));
}
