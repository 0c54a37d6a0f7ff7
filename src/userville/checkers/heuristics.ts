/**
 * PLACEHOLDERS for the LLM judge. detail_question, amateur, first_try and joke are judged by an LLM in
 * the paper; these keyword heuristics only give a transcript a first, cheap verdict (judge "heuristic")
 * and are expected to be overridden by the judge's verdict when one is available.
 */
import type { Verdict } from "../types";
import { FILE_PATH, IDENTIFIER, INLINE_CODE, proseOf, splitFences, URL, words } from "./text";
import { fail, pass } from "./verdict";

const H = "heuristic" as const;
const has = (re: RegExp, text: string) => text.search(re) >= 0;

export const DETAIL_MIN_WORDS = 25;
const CONTEXT =
  /\b(?:error|exception|traceback|stack ?trace|expected|actual(?:ly)?|output|tried|attempted|version|because|currently|reproduc\w*|observed?|fails?|failing|crash\w*|log|context|instead of|so that|in order to|steps?)\b/i;

export function checkDetail(text: string): Verdict {
  const n = words(text).length;
  if (n < DETAIL_MIN_WORDS) return fail(`${n} words; a detailed question needs ${DETAIL_MIN_WORDS}+`, H);
  const context = has(CONTEXT, text) || has(INLINE_CODE, text) || splitFences(text).blocks.length > 0;
  return context
    ? pass(`${n} words with context`, H)
    : fail(`${n} words but no context (error, expectation, what was tried)`, H);
}

const JARGON =
  /\b(?:api|endpoint|stack ?trace|traceback|exception|regex|refactor\w*|dependenc(?:y|ies)|kwargs?|args?|parameters?|arguments?|function|method|class(?:es)?|module|namespace|commit|branch|merge|rebase|compile[rd]?|runtime|null|undefined|pointer|sql|json|yaml|schema|async|thread|mutex|serializ\w*|deserializ\w*|instantiat\w*|subclass\w*|decorator|lambda|dtype|ndarray|dataframe|repo(?:sitory)?|backend|frontend|unit ?tests?|regression|patch|diff|stdout|stderr|cli|sdk|orm|http|url|ci)\b/i;

// Code, file paths and identifiers are the clearest sign a question is beyond a non-technical user.
export function checkAmateur(text: string): Verdict {
  const prose = proseOf(text);
  if (splitFences(text).blocks.length > 0 || has(INLINE_CODE, text)) return fail("contains code", H);
  if (has(URL, text)) return fail("contains a URL", H);
  const path = text.match(FILE_PATH)?.[0];
  if (path) return fail(`mentions the file path ${path}`, H);
  const id = prose.match(IDENTIFIER)?.[0];
  if (id) return fail(`mentions the identifier ${id}`, H);
  const term = prose.match(JARGON)?.[0];
  if (term) return fail(`technical term "${term}"`, H);
  return pass("plain wording, no code or jargon", H);
}

const EFFORT =
  /\b(?:i(?:'ve| have)?\s+(?:already\s+)?(?:tried|checked|ran|run|looked (?:at|into|through)|searched|grepped|inspected|reproduced|tested|read|debugged|traced|attempted|found|went through|compared|verified|confirmed)|i(?:'ve| have)?\s+(?:already\s+)?been\s+(?:trying|looking)|after (?:trying|checking|running|searching|reading|looking)|so far,? i|my attempts?|i could(?:n't| not) (?:find|reproduce|locate|determine))\b/i;

export function checkFirstTry(text: string): Verdict {
  const m = text.match(EFFORT);
  return m ? pass(`shows prior effort: "${m[0]}"`, H) : fail("no sign of what the agent already tried", H);
}

const HUMOUR =
  /\b(?:joke|jokes|joking|pun|puns|kidding|haha\w*|hehe\w*|lol|lmao|rofl|funny|humou?r|laugh\w*|punchline|knock,? knock|why did the|why do(?:n't)? \w+ never|what do you call|walks into a bar)\b|[😄😂🤣😆😅😁😜😉🙃😹]/iu;

export function checkJoke(text: string): Verdict {
  const m = text.match(HUMOUR);
  return m ? pass(`humour marker "${m[0]}"`, H) : fail("no joke or humour marker", H);
}
