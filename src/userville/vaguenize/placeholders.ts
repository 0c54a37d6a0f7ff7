/** Placeholders: a removed specific becomes a marked noun, resolved once its neighbours are known. */
import { words } from "./common-words";

const PH_OPEN = "\uE000";
const PH_CLOSE = "\uE001";
export const ph = (noun: string): string => ` ${PH_OPEN}${noun}${PH_CLOSE} `;

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

export const DETERMINERS = words(`
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

export function resolvePlaceholders(text: string): string {
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
