/**
 * Deterministic per-question checks for the 20 preferences: one Verdict per ask_question call, pure and
 * synchronous. Rule verdicts use judge "rule"; detail_question, amateur, first_try and joke get keyword
 * heuristics (judge "heuristic") standing in for the LLM judge; no_preference and professional have no rule.
 */
import type { AskCall, PreferenceId, Verdict } from "../types";
import { checkCapital, checkCommas, checkJson } from "./format";
import { checkAmateur, checkDetail, checkFirstTry, checkJoke } from "./heuristics";
import { checkItalian, checkMultilingual } from "./language";
import { checkConcise, checkDoSelection, checkLength, checkOneQuestion } from "./questions";
import { checkAnswerMore, checkAskMany, checkNoAsk, checkOnlyBegin } from "./session";
import { checkSnippet } from "./snippet";
import { notApplicable } from "./verdict";

type SessionCheck = (asks: AskCall[]) => Verdict[];
type TextCheck = (text: string) => Verdict;

const perText =
  (check: TextCheck): SessionCheck =>
  (asks) =>
    asks.map((ask) => check(ask.text ?? ""));

const CHECKS: Record<PreferenceId, SessionCheck> = {
  no_preference: (asks) => asks.map(notApplicable),
  professional: (asks) => asks.map(notApplicable),
  no_ask: checkNoAsk,
  ask_many: checkAskMany,
  answer_more: checkAnswerMore,
  only_begin: checkOnlyBegin,
  concise_question: perText(checkConcise),
  detail_question: perText(checkDetail),
  do_selection: perText(checkDoSelection),
  amateur: perText(checkAmateur),
  one_question: perText(checkOneQuestion),
  first_try: perText(checkFirstTry),
  lang_ita: perText(checkItalian),
  lang_multi: perText(checkMultilingual),
  capital: perText(checkCapital),
  commas: perText(checkCommas),
  json: perText(checkJson),
  joke: perText(checkJoke),
  snippet: perText(checkSnippet),
  length: perText(checkLength),
};

export function checkQuestions(pref: PreferenceId, asks: AskCall[]): Verdict[] {
  return CHECKS[pref](asks);
}

export { DETAIL_MIN_WORDS } from "./heuristics";
export { identify, languagesOf, MULTI_MIN_LANGUAGES } from "./language";
export { CONCISE_MAX_WORDS, countQuestions, optionLetters } from "./questions";
export { SNIPPET_MIN_LINES } from "./snippet";
export { sentences, words } from "./text";
