/**
 * Effort without labels: the rules engine's guess at the tier the simulator would have answered from.
 * Ranked retrieval (MiniSearch BM25) over the task's hidden tiers, plus a few intent cues; the least
 * sensitive tier that answers wins, as the simulator is told to escalate only when needed (spec §2).
 */
import MiniSearch from "minisearch";
import { normalizeFunctionPath } from "./productivity";
import { assertTier, tierEffort, tierForEffort } from "./tiers";
import type { AskCall, Effort, Family, TaskHidden, Tier } from "./types";

/**
 * A tier "answers" a question when its best passages together hold at least this share of the question's
 * (and recorded answer's) content terms, each term weighted by its idf over the task's passages. A share, so
 * it is relative to the query length: with equal weights 0.6 means 2 of 2, 2 of 3, 3 of 4 or 3 of 5 terms.
 */
export const COVERAGE_THRESHOLD = 0.6;
/** Answers often combine neighbouring sentences, so the matched terms of a tier's top passages are pooled. */
export const POOLED_PASSAGES = 5;

const IDK_ANSWER =
  /\b(?:i\s+(?:do\s*n[o']?t|dont)\s+know|not\s+sure|no\s+(?:idea|clue)|(?:can(?:no|')?t|cannot)\s+(?:help|say|tell|answer)|unsure)\b/i;
const FUNCTION_ASK = /\b(?:which|what|name of the)\b[^?.]{0,40}\b(?:functions?|methods?|class(?:es)?)\b/i;
const FILE_ASK =
  /\b(?:which|what|name of the)\b[^?.]{0,40}\b(?:files?|modules?|paths?|director(?:y|ies)|folders?)\b|\bwhere\b[^?.]{0,40}\b(?:code|implemented|defined|located|lives?|edit|change|look)\b/i;
const HINT_ASK =
  /\b(?:hints?|clues?|pointers?|tips?|suggest(?:ion|ions|ed)?|advice|maintainers?)\b|\bhow\s+(?:should|would|do|can)\s+(?:i|we)\s+(?:fix|solve|approach|implement|change)\b/i;
const DOC_ASK =
  /\b(?:which|what)\b[^?.]{0,40}\b(?:documents?|sources?|articles?|pages?|websites?|sites?|urls?|links?|references?|papers?)\b/i;
const DETAIL_ASK =
  /\b(?:more\s+(?:details?|info(?:rmation)?|context|specifics)|elaborate|clarify|describe|explain|full\s+(?:description|question|task))\b/i;

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
function contentTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const word of text.match(WORDS) ?? []) {
    addTerm(terms, word);
    if (IDENTIFIER.test(word))
      for (const part of word.split(IDENTIFIER_PARTS)) if (part) addTerm(terms, part);
  }
  return [...terms];
}

/** Sentences and lines: small enough that one passage is one fact. */
function passages(text: string | null | undefined): string[] {
  return (text ?? "").split(/(?<=[.!?])\s+|\n+/).filter((s) => /[\p{L}\p{N}]/u.test(s));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A whole-word matcher for any of the names, or null when there are none. */
function mentionMatcher(names: string[]): RegExp | null {
  const unique = [...new Set(names.filter((n) => n.length >= 3))];
  if (unique.length === 0) return null;
  return new RegExp(`(?<![\\w.-])(?:${unique.map(escapeRegExp).join("|")})(?![\\w])`);
}

/** Names under which a gold file can be mentioned: the path, its dotted module and its base name. */
function fileNames(files: string[]): string[] {
  return files.flatMap((file) => {
    const path = normalizeFunctionPath(file);
    const base = path.split("/").pop() ?? path;
    return [path, path.replace(/\.\w+$/, "").replaceAll("/", "."), base];
  });
}

/** `a/b.py::C.f` → `C.f` and `f`: the qualified and the bare name. */
function functionNames(functions: string[]): string[] {
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

interface Retrieval {
  /** BM25 hits of one term, memoised: a batch asks thousands of questions drawn from one small vocabulary. */
  hits: (term: string) => Hit[];
  /** BM25 idf over the task's passages; undefined for a term no passage has. */
  idf: (term: string) => number | undefined;
}

function buildRetrieval(task: TaskHidden): Retrieval {
  const texts: [Tier, string[]][] =
    task.family === "swe"
      ? [
          ["precise", passages(task.prompt)],
          ["hint", passages(task.hint)],
          // The kind words let "is it in the core module?" reach an entry that is only a path.
          ["file", (task.files ?? []).map((f) => `file module ${f}`)],
          ["function", (task.functions ?? []).map((f) => `function method class ${f}`)],
        ]
      : [
          ["precise", passages(task.prompt)],
          ["gold_doc", (task.documents ?? []).flatMap(passages)],
        ];
  const docs: Passage[] = [];
  const df = new Map<string, number>();
  for (const [tier, list] of texts) {
    for (const text of list) {
      const terms = contentTerms(text);
      for (const term of terms) df.set(term, (df.get(term) ?? 0) + 1);
      docs.push({ id: docs.length, tier, terms: terms.join(" ") });
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
  return { hits, idf };
}

/** Gold names (file or function) of a task and which less sensitive tiers already state them. */
interface GoldNames {
  mention: RegExp;
  inPrompt: boolean;
  inHint: boolean;
}

function goldNames(task: TaskHidden, names: string[]): GoldNames | null {
  const mention = task.family === "swe" ? mentionMatcher(names) : null;
  if (!mention) return null;
  return { mention, inPrompt: mention.test(task.prompt), inHint: !!task.hint && mention.test(task.hint) };
}

/** Built once per task and reused for every question on it (e.g. across a /v1/score/batch). */
export class TierIndex {
  readonly family: Family;
  private readonly task: TaskHidden;
  private readonly order: Tier[];
  private readonly files: GoldNames | null;
  private readonly functions: GoldNames | null;
  private retrieval: Retrieval | null = null;
  private withoutGold: TierIndex | null = null;

  constructor(task: TaskHidden) {
    this.task = task;
    this.family = task.family;
    this.order = task.family === "swe" ? ["precise", "hint", "file", "function"] : ["precise", "gold_doc"];
    this.files = goldNames(task, fileNames(task.files ?? []));
    this.functions = goldNames(task, functionNames(task.functions ?? []));
  }

  /** The same task as seen by a simulator that holds no file or function names (the amateur user). */
  withoutGoldNames(): TierIndex {
    this.withoutGold ??= new TierIndex({ ...this.task, files: [], functions: [] });
    return this.withoutGold;
  }

  /**
   * Per tier, the idf-weighted share of the query terms found in its top-ranked passages: rare terms
   * ("compare") decide, terms every tier shares ("column") barely count. Built lazily: questions that
   * arrive labelled never need the index.
   */
  private coverage(terms: string[]): Map<Tier, number> {
    if (terms.length === 0) return new Map();
    this.retrieval ??= buildRetrieval(this.task);
    const { hits, idf } = this.retrieval;
    // MiniSearch's OR query, assembled from memoised per-term hits: summed BM25 × number of terms matched.
    const matched = new Map<number, { tier: Tier; score: number; terms: string[] }>();
    for (const term of terms) {
      for (const hit of hits(term)) {
        const entry = matched.get(hit.id);
        if (entry) {
          entry.score += hit.score;
          entry.terms.push(term);
        } else matched.set(hit.id, { tier: hit.tier, score: hit.score, terms: [term] });
      }
    }
    const ranked = [...matched.values()].sort((a, b) => b.score * b.terms.length - a.score * a.terms.length);
    const pooled = new Map<Tier, { passages: number; terms: Set<string> }>();
    for (const passage of ranked) {
      const entry = pooled.get(passage.tier) ?? { passages: 0, terms: new Set<string>() };
      pooled.set(passage.tier, entry);
      if (entry.passages++ >= POOLED_PASSAGES) continue;
      for (const term of passage.terms) entry.terms.add(term);
    }
    // A term no tier holds ("exact", "roof") is evidence of nothing in particular: it weighs as an average
    // known term, so it dilutes every tier's share without dominating it.
    let known = 0;
    let knownWeight = 0;
    for (const term of terms) {
      const w = idf(term);
      if (w !== undefined) {
        known++;
        knownWeight += w;
      }
    }
    if (known === 0) return new Map();
    const neutral = knownWeight / known;
    const weight = (list: Iterable<string>) => {
      let sum = 0;
      for (const term of list) sum += idf(term) ?? neutral;
      return sum;
    };
    const total = weight(terms);
    const coverage = new Map<Tier, number>();
    for (const [tier, entry] of pooled) coverage.set(tier, weight(entry.terms) / total);
    return coverage;
  }

  /** The least sensitive tier that answers, else idk (the simulator escalates only when it must). */
  private leastAnswering(coverage: Map<Tier, number>): Tier {
    return this.order.find((tier) => (coverage.get(tier) ?? 0) >= COVERAGE_THRESHOLD) ?? "idk";
  }

  /** A recorded answer naming a gold function/file that the precise prompt does not state revealed it. */
  private leakedTier(answer: string): Tier | null {
    for (const [gold, tier] of [
      [this.functions, "function"],
      [this.files, "file"],
    ] as const) {
      if (gold && !gold.inPrompt && gold.mention.test(answer)) return gold.inHint ? "hint" : tier;
    }
    return null;
  }

  /** "Which function/file…" asks what to edit, which the precise prompt never states even where it names it. */
  private askedTier(question: string): Tier | null {
    if (this.functions && FUNCTION_ASK.test(question)) return this.functions.inHint ? "hint" : "function";
    if (this.files && FILE_ASK.test(question)) return this.files.inHint ? "hint" : "file";
    return null;
  }

  private classifyQuestion(question: string): Tier {
    const t = this.task;
    if (t.family === "swe") {
      if (t.hint && HINT_ASK.test(question)) return "hint";
      const asked = this.askedTier(question);
      if (asked) return asked;
    } else if (t.documents?.length && DOC_ASK.test(question)) {
      return "gold_doc";
    }
    if (DETAIL_ASK.test(question)) return "precise";
    return this.leastAnswering(this.coverage(contentTerms(question)));
  }

  /**
   * A recorded answer decides when it says something: it shows what the simulator drew on. The question's
   * wording decides only without one, or when the answer holds nothing the task contains ("Sure, go ahead").
   */
  classify(ask: AskCall): Tier {
    const answer = (ask.answer ?? "").replace(/[\u2018\u2019]/g, "'");
    if (answer) {
      if (IDK_ANSWER.test(answer)) return "idk";
      const leaked = this.leakedTier(answer);
      if (leaked) return leaked;
      const coverage = this.coverage(contentTerms(answer));
      if (coverage.size > 0) return this.leastAnswering(coverage);
    }
    return this.classifyQuestion(ask.text);
  }
}

/**
 * A memo of TierIndex by task content, for batches whose items carry inline tasks (equal content, distinct
 * objects): each distinct task is indexed once per batch.
 */
export function tierIndexCache(): (task: TaskHidden) => TierIndex {
  const indexes = new Map<string, TierIndex>();
  return (task) => {
    const key = JSON.stringify([
      task.family,
      task.prompt,
      task.hint,
      task.files,
      task.functions,
      task.documents,
    ]);
    let index = indexes.get(key);
    if (!index) {
      index = new TierIndex(task);
      indexes.set(key, index);
    }
    return index;
  };
}

/** One-off classification; build a TierIndex instead when several questions share the task. */
export function classifyTier(task: TaskHidden, ask: AskCall): Tier {
  return new TierIndex(task).classify(ask);
}

export interface ResolvedTier {
  tier: Tier;
  effort: Effort;
  source: "client" | "rules";
}

/**
 * A supplied tier is used as given (effort follows from it); an effort alone stands for its least sensitive
 * tier; otherwise the rules engine classifies. Throws InvalidTierError for a tier outside the family.
 */
export function resolveTier(family: Family, ask: AskCall, index: TierIndex): ResolvedTier {
  if (ask.tier) {
    assertTier(family, ask.tier);
    return { tier: ask.tier, effort: tierEffort(ask.tier), source: "client" };
  }
  if (ask.effort) return { tier: tierForEffort(family, ask.effort), effort: ask.effort, source: "client" };
  if (index.family !== family) throw new Error(`TierIndex is for ${index.family}, not ${family}`);
  const tier = index.classify(ask);
  return { tier, effort: tierEffort(tier), source: "rules" };
}
