/**
 * Language preferences, identified with eld (Nito-ELD, extrasmall database: 60 languages, pure JS,
 * ~280 KiB gzipped). Why eld and not franc/tinyld/lande: docs/langid.md.
 */
import { eld } from "eld/extrasmall";
import type { Verdict } from "../types";
import { clip, naturalText, sentences } from "./text";
import { fail, pass } from "./verdict";

/** ISO 639-1 code, or "" when the text is too short or has no letters. */
export function identify(text: string): string {
  return eld.detect(text).language;
}

const wordCount = (s: string) => s.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;

/** Sentences long enough that eld is trustworthy on them (see the fragment results in docs/langid.md). */
const LONG_SENTENCE_WORDS = 5;

// The question as a whole must read as Italian, and no long sentence in it may be in another language:
// "Quale versione usi? Also please paste the full traceback here." is not an Italian question even when
// the whole-text vote goes to Italian. Code, paths, identifiers and quotations are removed first; English
// loanwords ("bug", "commit", "pull request") stay, and eld still reads the sentence as Italian.
export function checkItalian(text: string): Verdict {
  const natural = naturalText(text, true);
  const lang = identify(natural);
  if (!lang) return fail("no natural-language text to identify");
  if (lang !== "it") return fail(`identified as "${lang}", not Italian`);
  for (const sentence of sentences(natural)) {
    if (wordCount(sentence) < LONG_SENTENCE_WORDS) continue;
    const other = identify(sentence);
    if (other && other !== "it") return fail(`sentence in "${other}": ${clip(sentence)}`);
  }
  return pass("identified as Italian");
}

export const MULTI_MIN_LANGUAGES = 5;

// Clause punctuation of Latin, CJK and Arabic scripts, and dashes between spaces.
const CLAUSE_BREAK = /[,;:()[\]{}"“”«»„¡!¿?/|。，、；：！？،؛؟]+|\s[-–—]+\s|\n/u;
// One bucket per script family: a change of script is a change of language we need not guess at.
const SCRIPTS: [string, RegExp][] = [
  ["latin", /\p{Script=Latin}/u],
  ["cjk", /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ["hangul", /\p{Script=Hangul}/u],
  ["cyrillic", /\p{Script=Cyrillic}/u],
  ["greek", /\p{Script=Greek}/u],
  ["arabic", /\p{Script=Arabic}/u],
  ["hebrew", /\p{Script=Hebrew}/u],
  ["devanagari", /\p{Script=Devanagari}/u],
  ["thai", /\p{Script=Thai}/u],
];
const scriptOf = (ch: string) => SCRIPTS.find(([, re]) => re.test(ch))?.[0] ?? "other";

/** Splits a clause where the script of its letters changes; non-letters stay with the current run. */
function scriptRuns(clause: string): { script: string; text: string }[] {
  const runs: { script: string; text: string }[] = [];
  for (const ch of clause) {
    const last = runs.at(-1);
    if (!/\p{L}/u.test(ch)) {
      if (last) last.text += ch;
      continue;
    }
    const script = scriptOf(ch);
    if (last && last.script === script) last.text += ch;
    else runs.push({ script, text: ch });
  }
  return runs;
}

/**
 * The languages of a mixed question: sentences → clauses (at punctuation) → script runs; each piece is
 * identified on its own. A Latin-script piece needs two words (one word is a guess: "bitte", "file"),
 * a piece in another script two letters. Word-level mixing inside one clause is therefore undercounted.
 */
export function languagesOf(text: string): string[] {
  const found = new Set<string>();
  for (const sentence of sentences(naturalText(text))) {
    for (const clause of sentence.split(CLAUSE_BREAK)) {
      for (const run of scriptRuns(clause)) {
        const letters = run.text.match(/\p{L}/gu)?.length ?? 0;
        const enough = run.script === "latin" ? wordCount(run.text) >= 2 : letters >= 2;
        if (!enough) continue;
        const lang = identify(run.text.trim());
        if (lang) found.add(lang);
      }
    }
  }
  return [...found];
}

export function checkMultilingual(text: string): Verdict {
  const langs = languagesOf(text);
  const list = langs.join(", ") || "none";
  return langs.length >= MULTI_MIN_LANGUAGES
    ? pass(`${langs.length} languages: ${list}`)
    : fail(`${langs.length} language(s) (${list}); needs ${MULTI_MIN_LANGUAGES}`);
}
