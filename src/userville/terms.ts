/**
 * Text handling for ranked retrieval over a task's hidden tiers: content terms, passages and gold-name
 * matchers, and the BM25 index over a task's passages. Shared by the effort classifier and the simulator.
 */
import MiniSearch from "minisearch";
import { normalizeFunctionPath } from "./productivity";
import type { TaskHidden, Tier } from "./types";

const STOPWORDS = new Set(
  `a about above after again all also am an and any are as at be been before being both bug but by can could
  did didn do does doesn doing don down during each else few for from further get got had has have having he
  her here hers him his how if in into is isn issue it its itself just know let like ll me might more most must my
  need no nor not now of off on once only or other our out over own please problem re really same say see shall she
  should so some such sure tell than that the their them then there these they this those through to too try
  under until up us use ve very want was we were what when where which while who whom whose why will with
  won would yes yet you your yours`.split(/\s+/),
);

const WORDS = /[\p{L}\p{N}_]+/gu;
const IDENTIFIER = /_|\p{Ll}\p{Lu}/u;
const IDENTIFIER_PARTS = /_+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})/u;

/** A deliberately crude suffix stripper: it only has to map a question's and a passage's forms together. */
function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith("ies")) w = `${w.slice(0, -3)}y`;
  else if (
    w.length > 4 &&
    w.endsWith("es") &&
    (w.endsWith("sses") || w.endsWith("xes") || w.endsWith("ches"))
  )
    w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !(w.endsWith("ss") || w.endsWith("us") || w.endsWith("is")))
    w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith("ation")) w = w.slice(0, -3);
  else if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  if (w.length > 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

function addTerm(terms: Set<string>, token: string): void {
  let t = token.toLowerCase();
  if (t.startsWith("_") || t.endsWith("_")) t = t.replace(/^_+|_+$/g, "");
  if (t.length >= 2 && !STOPWORDS.has(t)) terms.add(stem(t));
}

/**
 * Distinct stemmed content words, plus the parts of snake_case and camelCase identifiers so that
 * `remove_column` meets "remove the column". Hot path: a batch classifies thousands of questions.
 */
export function contentTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const word of text.match(WORDS) ?? []) {
    addTerm(terms, word);
    if (IDENTIFIER.test(word))
      for (const part of word.split(IDENTIFIER_PARTS)) if (part) addTerm(terms, part);
  }
  return [...terms];
}

export interface PassageText {
  text: string;
  /** Inside a fenced code block: something to run, not something a person would say. */
  code: boolean;
}

const SENTENCE_BREAK = /(?<=[.!?])\s+/;
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const HAS_WORD = /[\p{L}\p{N}]/u;

/**
 * Sentences and lines: small enough that one passage is one fact. Lines are split first so that each
 * passage knows whether it sits in a fenced block; the pieces are those of splitting on sentence ends and
 * newlines at once.
 */
export function passageTexts(text: string | null | undefined): PassageText[] {
  const out: PassageText[] = [];
  let fence: string | null = null;
  for (const line of (text ?? "").split(/\n+/)) {
    const marker = FENCE.exec(line)?.[1];
    const opens = marker !== undefined && !line.slice(line.indexOf(marker) + marker.length).includes(marker);
    const code = fence !== null || opens;
    for (const piece of line.split(SENTENCE_BREAK)) if (HAS_WORD.test(piece)) out.push({ text: piece, code });
    if (
      fence !== null &&
      marker !== undefined &&
      marker.startsWith(fence[0]) &&
      marker.length >= fence.length
    )
      fence = null;
    else if (fence === null && opens) fence = marker;
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A whole-word matcher for any of the names, or null when there are none. */
export function mentionMatcher(names: string[]): RegExp | null {
  const unique = [...new Set(names.filter((n) => n.length >= 3))];
  if (unique.length === 0) return null;
  return new RegExp(`(?<![\\w.-])(?:${unique.map(escapeRegExp).join("|")})(?![\\w])`);
}

/** Names under which a gold file can be mentioned: the path, its dotted module and its base name. */
export function fileNames(files: string[]): string[] {
  return files.flatMap((file) => {
    const path = normalizeFunctionPath(file);
    const base = path.split("/").pop() ?? path;
    return [path, path.replace(/\.\w+$/, "").replaceAll("/", "."), base];
  });
}

/** `a/b.py::C.f` → `C.f` and `f`: the qualified and the bare name. */
export function functionNames(functions: string[]): string[] {
  return functions.flatMap((fn) => {
    const qualified = fn.split("::").pop()?.split(":").pop()?.trim() ?? "";
    return [qualified, qualified.split(".").pop() ?? ""];
  });
}

interface Passage {
  id: number;
  tier: Tier;
  /** Content terms joined by spaces: tokenised once here, so MiniSearch only splits on spaces. */
  terms: string;
}

interface Hit {
  id: number;
  tier: Tier;
  score: number;
}

/** An indexed passage as the simulator may quote it; file and function entries are the bare gold name. */
export interface TierPassage {
  tier: Tier;
  text: string;
  code: boolean;
}

/** A passage matched by a query: summed BM25 of the query terms it holds. */
export interface Ranked {
  tier: Tier;
  score: number;
  terms: string[];
  id: number;
}

export interface Retrieval {
  /** BM25 hits of one term, memoised: a batch asks thousands of questions drawn from one small vocabulary. */
  hits: (term: string) => Hit[];
  /** BM25 idf over the task's passages; undefined for a term no passage has. */
  idf: (term: string) => number | undefined;
  passages: TierPassage[];
}

const named = (kind: string) => (name: string) => ({ text: name, code: false, indexed: `${kind} ${name}` });

export function buildRetrieval(task: TaskHidden): Retrieval {
  const texts: [Tier, { text: string; code: boolean; indexed?: string }[]][] =
    task.family === "swe"
      ? [
          ["precise", passageTexts(task.prompt)],
          ["hint", passageTexts(task.hint)],
          // The kind words let "is it in the core module?" reach an entry that is only a path.
          ["file", (task.files ?? []).map(named("file module"))],
          ["function", (task.functions ?? []).map(named("function method class"))],
        ]
      : [
          ["precise", passageTexts(task.prompt)],
          ["gold_doc", (task.documents ?? []).flatMap(passageTexts)],
        ];
  const docs: Passage[] = [];
  const quoted: TierPassage[] = [];
  const df = new Map<string, number>();
  for (const [tier, list] of texts) {
    for (const { text, code, indexed } of list) {
      const terms = contentTerms(indexed ?? text);
      for (const term of terms) df.set(term, (df.get(term) ?? 0) + 1);
      docs.push({ id: docs.length, tier, terms: terms.join(" ") });
      quoted.push({ tier, text, code });
    }
  }
  const search = new MiniSearch<Passage>({
    fields: ["terms"],
    storeFields: ["tier"],
    tokenize: (text) => text.split(" "),
    processTerm: (term) => term || null,
  });
  search.addAll(docs);
  const memo = new Map<string, Hit[]>();
  const hits = (term: string) => {
    let found = memo.get(term);
    if (!found) {
      found = df.has(term)
        ? search.search(term).map((r) => ({ id: r.id, tier: r.tier, score: r.score }))
        : [];
      memo.set(term, found);
    }
    return found;
  };
  const n = docs.length;
  const idf = (term: string) => {
    const count = df.get(term);
    return count === undefined ? undefined : Math.log(1 + (n - count + 0.5) / (count + 0.5));
  };
  return { hits, idf, passages: quoted };
}
