/** How questions are phrased: how many, how long, multiple choice. */
import type { Verdict } from "../types";
import { clip, proseOf, QUOTED, sentences, splitFences, words } from "./text";
import { fail, pass } from "./verdict";

// A "?" counts when it ends a word: "a?b=1" (a query string without a scheme) does not. "??" and "?!"
// are one question. Spanish "¿…?" is one question because "¿" is not counted.
const QUESTION_MARK = /[?？]+(?=$|[\s)\]}"'”’»*_.,;:!！。])/gu;

const LEAD = String.raw`^(?:(?:and|also|or|so|but|then|plus|finally|lastly|second(?:ly)?)\b[\s,]*)?`;
// Questions written without "?": subject-auxiliary inversion ("Can you share the log.") and the
// common requests for information. English only; "let me know if…" is a courtesy, not a question.
const INVERTED = new RegExp(
  `${LEAD}(?:(?:what|which|where|when|why|how|who|whom|whose)\\b[^.!]*?\\b)?` +
    String.raw`(?:do|does|did|can|could|would|will|should|shall|is|are|was|were|have|has|may|might)\s+` +
    String.raw`(?:you|i|we|it|they|he|she|this|that|these|those|there)\b`,
  "i",
);
const REQUEST = new RegExp(
  `${LEAD}(?:please\\s+)?(?:also\\s+)?(?:tell me|let me know(?!\\s+if\\b)|confirm|clarify|specify|share|explain|describe)\\b`,
  "i",
);

/** Questions in one ask; with `stopAt`, counting stops once that many are found. */
export function countQuestions(text: string, stopAt = Number.POSITIVE_INFINITY): number {
  const prose = proseOf(text).replace(QUOTED, " ");
  const marks = prose.match(QUESTION_MARK)?.length ?? 0;
  if (marks >= stopAt) return marks;
  let implicit = 0;
  for (const s of sentences(prose, stopAt)) {
    if (!/[?？]/.test(s) && (INVERTED.test(s) || REQUEST.test(s))) implicit++;
    if (marks + implicit >= stopAt) break;
  }
  return marks + implicit;
}

export function checkOneQuestion(text: string): Verdict {
  const n = countQuestions(text, 3);
  if (n > 1) return fail(`${n >= 3 ? "3 or more" : n} questions in one ask`);
  return pass(n === 1 ? "one question" : "no explicit question");
}

// "A) …", "(A) …", "[A] …", "A. …", "A: …", "a) …", inline or one per line, markdown bold allowed.
// Lower-case letters only with brackets: "a." and "a:" are too common in prose.
const OPTION = /(?<=^|[\s(*_>])(?:\(([A-Za-z])\)|\[([A-Za-z])\]|([A-Z])[.):\]]|([a-z])\))(?=[\s*_]|$)/gmu;

export function optionLetters(text: string): Set<string> {
  const letters = new Set<string>();
  for (const m of proseOf(text).matchAll(OPTION)) {
    letters.add((m[1] ?? m[2] ?? m[3] ?? m[4]).toUpperCase());
  }
  return letters;
}

export function checkDoSelection(text: string): Verdict {
  const letters = optionLetters(text);
  if (letters.has("A") && letters.has("B")) return pass(`lettered options ${[...letters].sort().join("/")}`);
  return fail(letters.size ? `only option ${[...letters].join("/")}` : "no lettered options (A/B/…)");
}

/**
 * 15 words: the paper's user wants "very short questions: one short sentence". A single clarifying
 * question is typically 6-13 words; 15 leaves room for a file or function name (one word each), while a
 * question that adds context or a second clause goes over.
 */
export const CONCISE_MAX_WORDS = 15;

export function checkConcise(text: string): Verdict {
  if (splitFences(text).blocks.length > 0) return fail("contains a code block");
  const count = words(text).length;
  if (count > CONCISE_MAX_WORDS) return fail(`${count} words (max ${CONCISE_MAX_WORDS})`);
  const n = sentences(text, 1).length;
  if (n !== 1) return fail(`${n > 1 ? "more than one sentence" : "no sentence"}; the user wants one`);
  return pass(`one sentence, ${count} words`);
}

export function checkLength(text: string): Verdict {
  const list = sentences(text, 3);
  if (list.length === 3) return pass("exactly three sentences");
  const shown = list
    .slice(0, 4)
    .map((s) => `"${clip(s, 30)}"`)
    .join(" ");
  const count = list.length > 3 ? "more than three sentences" : `${list.length} sentence(s), not three`;
  return fail(`${count}: ${shown}`);
}
