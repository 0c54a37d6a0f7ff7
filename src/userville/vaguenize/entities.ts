/**
 * Named entities of the precise prompt (issue #14): a capitalised word the prompt uses inside a sentence, or
 * after "called" / "named", is a name (a person, place, work, product). None may survive into the vague prompt
 * unless the title the client gave names it too; the prompt's own sentence openers do not count as evidence.
 */
import { guessNameNoun, NAME_SEQUENCE, NON_PLACE_WORDS, NOT_NAMES } from "./names";
import { ph, resolvePlaceholders } from "./placeholders";
import { tidy } from "./text";
import type { VaguenizeFamily } from "./types";

const TOKEN = /[\p{L}\p{N}][\p{L}\p{N}’'_-]*/gu;
/** At least one capital first and one lower-case letter: "Hans", "McEwan", "TimeSeries"; not "SQL" or "I". */
const NAME_LIKE = /^\p{Lu}[\p{L}\p{N}’'_-]*\p{Ll}[\p{L}\p{N}’'_-]*$/u;
const NAMING_CUE = /\b(?:called|named|nicknamed|dubbed|titled|entitled|known as)\s*$/i;
const MONTHS = new Set(
  "January February March April May June July August September October November December".split(" "),
);
const bare = (token: string) => token.replace(/['’]s$/, "");

function isGenericCapital(word: string): boolean {
  return NOT_NAMES.has(word) || NON_PLACE_WORDS.has(word) || MONTHS.has(word) || /(?:ish|ese)$/.test(word);
}

/**
 * SWE: an identifier in the code's own spelling ("TimeSeries", "QuerySet") names the topic and stays, as in the
 * paper's own vague prompts; an issue without a separate title has its first line as title.
 */
export function promptEntities(prompt: string, family: VaguenizeFamily, title?: string | null): Set<string> {
  const heading = title ?? (family === "swe" ? (/^\s*(.*)/.exec(prompt)?.[1] ?? "") : "");
  const titled = new Set(heading.match(TOKEN)?.map((t) => bare(t).toLowerCase()) ?? []);
  const found = new Set<string>();
  for (const match of prompt.matchAll(TOKEN)) {
    const word = bare(match[0]);
    if (!NAME_LIKE.test(word) || isGenericCapital(word) || titled.has(word.toLowerCase())) continue;
    if (family === "swe" && !/^\p{Lu}\p{Ll}+$/u.test(word)) continue;
    const before = prompt.slice(Math.max(0, (match.index ?? 0) - 40), match.index);
    // Mid-sentence: the previous non-space character is a letter, digit or comma (not ".", "\n", "#", ...).
    const midSentence =
      /[\p{L}\p{N},;]\s+$|[\p{L}\p{N}][ \t]*[-–—]\s*$/u.test(before) && !/\n\s*$/.test(before);
    if (midSentence || NAMING_CUE.test(before)) found.add(word);
  }
  return found;
}

/** Replaces each run of capitalised words holding one of `entities` with a general noun. */
export function scrubEntities(text: string, entities: Set<string>): string {
  if (entities.size === 0) return text;
  let touched = false;
  const out = text.replace(NAME_SEQUENCE, (match: string, offset: number, whole: string) => {
    const tokens = match.split(/\s+/);
    if (!tokens.some((t) => entities.has(bare(t)))) return match;
    touched = true;
    let previous = /(\S+)\s*$/.exec(whole.slice(0, offset))?.[1] ?? "";
    let leading = "";
    while (tokens.length > 0 && NOT_NAMES.has(tokens[0]) && !entities.has(bare(tokens[0]))) {
      previous = tokens[0];
      leading += `${tokens.shift()} `;
    }
    const possessive = /['’]s$/.test(tokens[tokens.length - 1] ?? "");
    const noun = guessNameNoun(tokens.map(bare), previous.toLowerCase());
    return ` ${leading}${ph(noun).trim()}${possessive ? "'s" : ""} `;
  });
  return touched ? tidy(resolvePlaceholders(out)) : text;
}
