/**
 * How the rules-engine user talks: one short, casual sentence built from a passage of the hidden task,
 * no markdown, with the template picked by a hash of the question so the same ask gets the same reply.
 */
import { contentTerms } from "../terms";

export type Language = "en" | "it";

/**
 * What a reply carries: a clause of text, a noun phrase (the value of a "Label: value" line), a pointer to a
 * code snippet it will not quote, or gold file paths or function names.
 */
export type PassageKind = "text" | "phrase" | "code" | "file" | "function";

/** Words of quoted content kept in a reply; the template adds three or four more. */
export const MAX_CONTENT_WORDS = 25;
/** A run of clauses shorter than this reads as a fragment, so a shortened passage keeps at least this many. */
const MIN_CLAUSE_WORDS = 8;

const TEMPLATES: Record<Language, Record<PassageKind | "idk", readonly string[]>> = {
  en: {
    text: ["I think {c}.", "{C}, I think.", "As far as I know, {c}.", "{C}.", "Pretty sure {c}."],
    // A label's value may be a noun phrase ("Python 3.9") or a clause ("the check fails"): fit both.
    phrase: ["I'd say {c}.", "{C}, I think.", "{C}, as far as I know."],
    code: ["It's in the code snippet in my report, I think.", "It's in the snippet I posted, I think."],
    file: ["It's in {c}, I think.", "I think it's in {c}.", "You want {c}, I believe."],
    function: ["It's in {c}, I believe.", "I think it's {c}.", "Look at {c}, I think."],
    idk: ["I don't know.", "I don't know, sorry.", "I don't know, honestly."],
  },
  it: {
    text: ["Credo che {c}.", "Penso che {c}.", "Mi pare che {c}."],
    phrase: ["Credo sia {c}.", "Penso sia {c}."],
    code: ["È nel codice che ho incollato, credo.", "Credo sia nello snippet che ho incollato."],
    file: ["Penso sia in {c}.", "Credo sia nel file {c}."],
    function: ["Penso sia in {c}.", "Credo sia la funzione {c}."],
    idk: ["Non lo so.", "Non lo so, mi dispiace."],
  },
};

/** Sentence-initial words that are not names, so they may be lower-cased after "I think". */
const COMMON_START = new Set(
  `a an the this that these those it its there they we he she his her their our my your one some any each
  every all no when if for in on at by with after before while since because so but and or as to from of
  maintainers someone somebody people users user nobody everyone only also then now`.split(/\s+/),
);

/** FNV-1a: a stable 32-bit hash, so the chosen variant depends on the question alone. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function phrase(kind: PassageKind | "idk", content: string, language: Language, seed: number): string {
  const variants = TEMPLATES[language][kind];
  const template = variants[seed % variants.length];
  const first = content.split(" ", 1)[0] ?? "";
  const lower = COMMON_START.has(first.toLowerCase())
    ? first.toLowerCase() + content.slice(first.length)
    : content;
  const upper = content.charAt(0).toUpperCase() + content.slice(1);
  // Replacer functions: a "$&" in the content must stay literal.
  return template.replace("{c}", () => lower).replace("{C}", () => upper);
}

const MARKDOWN_LEAD = /^\s*(?:#{1,6}\s+|>+\s*|[-*+]\s+|\d+[.)]\s+)+/;
const SOURCE_TAG = /^\[[^\]\n]{1,40}\]\s*/;
/** "Versions: …", "Expected output: …"; not "TimeSeries: …" or "ValueError: …", which are names. */
const LABEL = /^\p{Lu}?\p{Ll}+(?:\s\p{Ll}+)?:\s+(?=\S)/u;
const CLAUSE_BREAK = /(?<=[,;:])\s+|\s+(?=[–—(]|- )/;

/**
 * A passage as something to say: plain words without markdown, backticks or source tags, at most
 * MAX_CONTENT_WORDS of it. A longer passage keeps the run of clauses sharing the most terms with the question.
 */
export function toContent(passage: string, question: string): { kind: "text" | "phrase"; text: string } {
  let plain = passage
    .replace(MARKDOWN_LEAD, "")
    .replace(SOURCE_TAG, "")
    .replace(/`+/g, "")
    .replace(/\*\*|__|~~/g, "")
    .replace(/\s+/g, " ")
    .trim();
  const label = LABEL.exec(plain);
  if (label) plain = plain.slice(label[0].length);
  if (plain.split(" ").length > MAX_CONTENT_WORDS)
    plain = bestClauses(plain, new Set(contentTerms(question)));
  return { kind: label ? "phrase" : "text", text: plain.replace(/[\s.,;:!?–—-]+$/u, "") };
}

function bestClauses(text: string, wanted: Set<string>): string {
  const clauses = text.split(CLAUSE_BREAK).map((c) => ({ text: c, words: c.split(" ").length }));
  let best = { score: -1, text: "" };
  for (let i = 0; i < clauses.length; i++) {
    let words = 0;
    const parts: string[] = [];
    for (let j = i; j < clauses.length && words + clauses[j].words <= MAX_CONTENT_WORDS; j++) {
      words += clauses[j].words;
      parts.push(clauses[j].text);
      if (words < MIN_CLAUSE_WORDS && j + 1 < clauses.length) continue;
      const joined = parts.join(" ");
      const score = contentTerms(joined).filter((t) => wanted.has(t)).length;
      if (score > best.score) best = { score, text: joined };
    }
  }
  // One clause longer than the limit: its first MAX_CONTENT_WORDS words.
  return best.text || text.split(" ").slice(0, MAX_CONTENT_WORDS).join(" ");
}

/** A markdown heading or label line ("### Description", "Steps:") says what follows, not a fact. */
export function isHeading(passage: string): boolean {
  return /^\s*#{1,6}\s/.test(passage) || /^[^.!?\s]+(?:\s[^.!?\s]+){0,2}:$/.test(passage.trim());
}

const CODE_LINE =
  /^\s*(?:>>>|\$ |(?:from\s+[\w.]+\s+)?import\s+\w|def\s+\w|class\s+\w+[:(]|return\b|if\s.*:\s*$|for\s.*:\s*$)|^\s*[\w.[\]"']+\s*(?:[-+*/]?=)(?!=)|[;{}]\s*$|^\s*[\w.]+\([^()]*\)\s*;?\s*$/;

/** Code outside a fence: statements, imports, calls, prompts. */
export function looksLikeCode(passage: string): boolean {
  return CODE_LINE.test(passage.replace(/`/g, ""));
}
