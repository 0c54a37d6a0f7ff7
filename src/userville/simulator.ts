/**
 * The rules-engine user simulator: a deterministic stand-in for the reference LLM user (userville.py). It
 * answers from the least sensitive tier that can (the TierIndex decides), quoting one short, plain sentence
 * of that tier, and honours the preferences that change what a user says (do_selection, amateur, lang_ita).
 */
import { checkAmateur } from "./checkers/heuristics";
import type { TierIndex, TierPassage } from "./effort";
import { lettersOffered } from "./simulator/options";
import {
  isHeading,
  type Language,
  looksLikeCode,
  type PassageKind,
  phrase,
  seedOf,
  toContent,
} from "./simulator/phrasing";
import { MAX_ANSWERED_QUESTIONS, tierEffort } from "./tiers";
import type { Effort, PreferenceId, TaskHidden, Tier } from "./types";

export const REFUSAL = "I cannot answer more. Do it yourself.";
export const MAX_ANSWERS = MAX_ANSWERED_QUESTIONS;

export interface SimulateInput {
  task: TaskHidden;
  preference: PreferenceId;
  question: string;
  /** Questions already answered in this session. */
  answered: number;
  /** Built once per task (new TierIndex(task)) and shared across the session's questions. */
  index: TierIndex;
}

export interface SimulatedAnswer {
  answer: string;
  /** null only for a refusal past the answer cap. */
  tier: Tier | null;
  effort: Effort | null;
  refused: boolean;
}

const TIER_ORDER: readonly Tier[] = ["precise", "hint", "file", "function", "gold_doc", "idk"];

// What the amateur heuristic does not count as jargon but a non-technical user still cannot answer.
const TECHNICAL_WORDS =
  /\b(?:files?|folders?|director(?:y|ies)|paths?|source|code|codebase|scripts?|variables?|identifiers?|line numbers?|imports?|librar(?:y|ies)|packages?|versions?|implement\w*)\b/i;

const answer = (text: string, tier: Tier): SimulatedAnswer => ({
  answer: text,
  tier,
  effort: tierEffort(tier),
  refused: false,
});

export function simulateAnswer(input: SimulateInput): SimulatedAnswer {
  const { task, preference, question, answered, index } = input;
  if (answered >= MAX_ANSWERS) return { answer: REFUSAL, tier: null, effort: null, refused: true };
  const seed = seedOf(question);
  const language: Language = preference === "lang_ita" ? "it" : "en";
  const idk = () => answer(phrase("idk", "", language, seed), "idk");

  // The do_selection user's whole vocabulary is a letter or "I don't know" (spec §3).
  if (preference === "do_selection") return select(question, index) ?? answer("I don't know.", "idk");
  const amateur = preference === "amateur";
  if (amateur && isTechnical(question)) return idk();

  // The amateur user holds no file or function names (userville.py), so those tiers cannot answer.
  const view = amateur ? index.withoutGoldNames() : index;
  const tier = view.classify({ text: question, afterActions: 0 });
  const content =
    tier === "idk"
      ? null
      : contentFor(task, view, question, tier, (p) => quotable(p, index, amateur), amateur);
  if (!content || leaksAnswer(task, tier, content.text)) return idk();
  const reply = phrase(content.kind, content.text, language, seed);
  return answer(preference === "no_ask" ? `Please don't ask me questions. ${reply}` : reply, tier);
}

/** The do_selection user: the letter of the option the task supports best, or null for "I don't know". */
function select(question: string, index: TierIndex): SimulatedAnswer | null {
  const scored = lettersOffered(question)
    .map((option, position) => ({ option, position, ...index.match(option.text) }))
    .filter((o) => o.tier !== "idk");
  // A gold name the prompt does not state is the surest sign; then coverage; then the cheaper tier; then order.
  scored.sort(
    (a, b) =>
      Number(b.namesGold) - Number(a.namesGold) ||
      b.coverage - a.coverage ||
      TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) ||
      a.position - b.position,
  );
  const best = scored[0];
  return best ? answer(best.option.letter, best.tier) : null;
}

function isTechnical(question: string): boolean {
  return checkAmateur(question).compliant === false || TECHNICAL_WORDS.test(question);
}

/** A passage a person would say: not code, a heading or a question; for the amateur, no gold name in it. */
function quotable(passage: TierPassage, index: TierIndex, amateur: boolean): boolean {
  const { text } = passage;
  if (passage.code || looksLikeCode(text) || isHeading(text) || /\?\s*$/.test(text)) return false;
  return !(amateur && index.mentionsGoldName(text));
}

function contentFor(
  task: TaskHidden,
  index: TierIndex,
  question: string,
  tier: Tier,
  usable: (passage: TierPassage) => boolean,
  amateur: boolean,
): { kind: PassageKind; text: string } | null {
  if (tier === "file" && task.files?.length) return { kind: "file", text: task.files.join(" and ") };
  if (tier === "function" && task.functions?.length) {
    const names = task.functions.map((fn) => fn.split("::").pop()?.trim() ?? fn);
    return { kind: "function", text: [...new Set(names)].join(" and ") };
  }
  const ranked = index.rankedPassages(question, tier);
  const passage = ranked.find(usable);
  // Best answered by a snippet ("what format is the time in?"): point at it rather than recite code.
  const top = ranked[0];
  if (top && top.matched > (passage?.matched ?? 0) && (top.code || looksLikeCode(top.text))) {
    return amateur ? null : { kind: "code", text: "" };
  }
  // A question matching nothing quotable ("can you say more?") gets the tier's opening passage.
  const chosen = passage ?? index.tierPassages(tier).find(usable);
  const content = chosen ? toContent(chosen.text, question) : null;
  return content?.text ? content : null;
}

/** Defensive: the research answer is only ever said when the tier quoted holds it literally. */
function leaksAnswer(task: TaskHidden, tier: Tier, text: string): boolean {
  const gold = task.answer?.trim().toLowerCase();
  if (!gold || !text.toLowerCase().includes(gold)) return false;
  return tier !== "gold_doc" && !task.prompt.toLowerCase().includes(gold);
}
