/**
 * Effort without labels: the rules engine's guess at the tier the simulator would have answered from.
 * Ranked retrieval (MiniSearch BM25) over the task's hidden tiers, plus a few intent cues; the least
 * sensitive tier that answers wins, as the simulator is told to escalate only when needed (spec §2).
 */
import {
  buildRetrieval,
  contentTerms,
  fileNames,
  functionNames,
  mentionMatcher,
  type Ranked,
  type Retrieval,
  type TierPassage,
} from "./terms";
import { assertTier, tierEffort, tierForEffort } from "./tiers";
import type { AskCall, Effort, Family, TaskHidden, Tier } from "./types";

export type { TierPassage } from "./terms";

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

/** Gold names (file or function) of a task and which less sensitive tiers already state them. */
interface GoldNames {
  mention: RegExp;
  /** Content terms of the names: what finds the hint passage that states them. */
  terms: string[];
  inPrompt: boolean;
  inHint: boolean;
}

function goldNames(task: TaskHidden, names: string[]): GoldNames | null {
  const mention = task.family === "swe" ? mentionMatcher(names) : null;
  if (!mention) return null;
  return {
    mention,
    terms: contentTerms(names.join(" ")),
    inPrompt: mention.test(task.prompt),
    inHint: !!task.hint && mention.test(task.hint),
  };
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

  private index(): Retrieval {
    this.retrieval ??= buildRetrieval(this.task);
    return this.retrieval;
  }

  /** MiniSearch's OR query, assembled from memoised per-term hits: summed BM25 × number of terms matched. */
  private rank(terms: string[]): Ranked[] {
    const { hits } = this.index();
    const matched = new Map<number, Ranked>();
    for (const term of terms) {
      for (const hit of hits(term)) {
        const entry = matched.get(hit.id);
        if (entry) {
          entry.score += hit.score;
          entry.terms.push(term);
        } else matched.set(hit.id, { id: hit.id, tier: hit.tier, score: hit.score, terms: [term] });
      }
    }
    return [...matched.values()].sort((a, b) => b.score * b.terms.length - a.score * a.terms.length);
  }

  /**
   * Per tier, the idf-weighted share of the query terms found in its top-ranked passages: rare terms
   * ("compare") decide, terms every tier shares ("column") barely count. Built lazily: questions that
   * arrive labelled never need the index.
   */
  private coverage(terms: string[]): Map<Tier, number> {
    if (terms.length === 0) return new Map();
    const ranked = this.rank(terms);
    const { idf } = this.index();
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

  /**
   * The tier's passages sharing a term with the question, best first, each with how many of the question's
   * terms it holds: what a simulated user would quote.
   */
  rankedPassages(question: string, tier: Tier): (TierPassage & { matched: number })[] {
    const terms = contentTerms(question);
    // "Which function…?" answered from a hint that names it: the naming passage is the answer.
    if (tier === "hint" && this.askedTier(question) === "hint") {
      for (const gold of [this.functions, this.files]) if (gold?.inHint) terms.push(...gold.terms);
    }
    const { passages } = this.index();
    return this.rank([...new Set(terms)])
      .filter((r) => r.tier === tier)
      .map((r) => ({ ...passages[r.id], matched: r.terms.length }));
  }

  /** The best-matching passage of a tier outside code blocks, or null when none shares a term. */
  bestPassage(question: string, tier: Tier): string | null {
    return this.rankedPassages(question, tier).find((p) => !p.code)?.text ?? null;
  }

  /** Every passage of a tier, in document order. */
  tierPassages(tier: Tier): TierPassage[] {
    return this.index().passages.filter((p) => p.tier === tier);
  }

  /**
   * How well a statement (e.g. a multiple-choice option) matches the task: the least sensitive tier that
   * covers it, the best coverage over tiers, and whether it names a gold file or function the prompt does not.
   */
  match(text: string): { tier: Tier; coverage: number; namesGold: boolean } {
    const leaked = this.leakedTier(text);
    const coverage = this.coverage(contentTerms(text));
    const best = Math.max(0, ...coverage.values());
    return { tier: leaked ?? this.leastAnswering(coverage), coverage: best, namesGold: leaked !== null };
  }

  /** Whether the text names a gold file or function in any form (path, module, base name, bare name). */
  mentionsGoldName(text: string): boolean {
    return !!(this.files?.mention.test(text) || this.functions?.mention.test(text));
  }
}

/** What a TierIndex depends on: equal keys, equal indexes (the answer is not indexed). */
export function taskContentKey(task: TaskHidden): string {
  return JSON.stringify([task.family, task.prompt, task.hint, task.files, task.functions, task.documents]);
}

/**
 * A memo of TierIndex by task content, for batches whose items carry inline tasks (equal content, distinct
 * objects): each distinct task is indexed once per batch.
 */
export function tierIndexCache(): (task: TaskHidden) => TierIndex {
  const indexes = new Map<string, TierIndex>();
  return (task) => {
    const key = taskContentKey(task);
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
