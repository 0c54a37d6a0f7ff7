/**
 * The 20 UserVille interaction preferences (spec §3, ids and order from the reference code).
 * `description` is what the agent is told; `rubric` is what the scorer checks per question.
 */
import { PREFERENCE_IDS, type Preference, type PreferenceId } from "./types";

const perViolation = (amount: number) => ({ kind: "per_violation", amount }) as const;
const NONE = { kind: "none" } as const;

export const PREFERENCES: readonly Preference[] = [
  {
    id: "no_preference",
    description: "The user has no particular preference about how or when you ask questions.",
    rubric: "No rubric: every question is acceptable.",
    check: "none",
    split: "seen",
    penalty: NONE,
    penaltyText: "none",
  },
  {
    id: "concise_question",
    description: "The user wants very short questions: each question should be one short sentence.",
    rubric:
      "The question is a single short sentence (at most 15 words, code and paths count as one word each).",
    check: "rule",
    split: "seen",
    penalty: perViolation(0.1),
    penaltyText: "-0.1 per violating question",
  },
  {
    id: "detail_question",
    description:
      "The user wants detailed questions that give enough context: what you found, what you tried and what exactly you need.",
    rubric:
      "The question states its context (observed behaviour, error, expectation or what was tried) and what is needed, in enough words for the user to answer without guessing.",
    check: "judge",
    split: "seen",
    penalty: perViolation(0.1),
    penaltyText: "-0.1 per violating question",
  },
  {
    id: "answer_more",
    description: "The user likes to help and wants you to ask at least three questions during the task.",
    rubric: "Counted per session: the agent made at least three ask calls.",
    check: "rule",
    split: "seen",
    penalty: { kind: "min_asks", minimum: 3 },
    penaltyText: "min(asks - 3, 0): -3 with no question, -2 with one, -1 with two",
  },
  {
    id: "only_begin",
    description:
      "The user only answers at the start: ask everything you need before your first action, never later.",
    rubric: "The question comes before the agent's first non-question action.",
    check: "rule",
    split: "seen",
    penalty: { kind: "flag", amount: 1 },
    penaltyText: "-1 once if any question comes after the first action",
  },
  {
    id: "no_ask",
    description: "The user dislikes being asked anything: do the task without asking any question.",
    rubric: "Any question is a violation.",
    check: "rule",
    split: "seen",
    penalty: { kind: "flag", amount: 1 },
    penaltyText: "-1 once if the agent asks anything",
  },
  {
    id: "do_selection",
    description:
      "The user only answers multiple-choice questions with lettered options (A, B, C...) and replies with just a letter.",
    rubric: "The question offers at least two lettered options (A/B/...) to choose from.",
    check: "rule",
    split: "seen",
    penalty: perViolation(0.5),
    penaltyText: "-0.5 per violating question",
  },
  {
    id: "professional",
    description: "The user is an expert and can answer technical questions in depth.",
    rubric: "No rubric: every question is acceptable.",
    check: "none",
    split: "seen",
    penalty: NONE,
    penaltyText: "none",
  },
  {
    id: "amateur",
    description:
      "The user is not technical: ask only simple, common-sense questions in plain words; they cannot name files or functions.",
    rubric:
      "The question is answerable with common sense: no code, file paths, identifiers or technical jargon, and it does not ask for file or function names.",
    check: "judge",
    split: "seen",
    penalty: perViolation(0.1),
    penaltyText: "-0.1 per violating question",
  },
  {
    id: "ask_many",
    description: "The user wants all your questions at once: put every question into a single ask.",
    rubric: "Counted per session: all questions are in one ask call; any later ask call is a violation.",
    check: "rule",
    split: "seen",
    penalty: { kind: "flag", amount: 1 },
    penaltyText: "-1 once if questions span more than one ask",
  },
  {
    id: "one_question",
    description: "The user wants one question at a time: each ask must contain a single question.",
    rubric:
      "The ask contains at most one question (question marks and implicit requests outside code count).",
    check: "rule",
    split: "seen",
    penalty: perViolation(0.5),
    penaltyText: "-0.5 per violating question",
  },
  {
    id: "first_try",
    description:
      "The user wants you to try first and ask only when truly blocked, saying what you already tried.",
    rubric:
      "The question shows prior effort (what the agent tried, ran or checked) and asks about a real blocker.",
    check: "judge",
    split: "seen",
    penalty: perViolation(0.1),
    penaltyText: "-0.1 per violating question",
  },
  {
    id: "lang_ita",
    description: "The user speaks only Italian: write every question in Italian.",
    rubric: "The question is written in Italian (code, paths and common English technical loanwords aside).",
    check: "rule",
    split: "unseen",
    penalty: perViolation(0.5),
    penaltyText: "-0.5 per violating question",
  },
  {
    id: "lang_multi",
    description: "The user wants every question to mix at least five different languages.",
    rubric: "The question contains parts in at least five distinct natural languages.",
    check: "rule",
    split: "unseen",
    penalty: perViolation(0.5),
    penaltyText: "-0.5 per violating question",
  },
  {
    id: "capital",
    description: "The user wants questions in English written entirely in capital letters.",
    rubric:
      "Every letter of the question is upper case; code spans, code blocks, URLs and file paths are exempt.",
    check: "rule",
    split: "unseen",
    penalty: perViolation(0.5),
    penaltyText: "-0.5 per violating question",
  },
  {
    id: "commas",
    description: "The user wants questions without a single comma.",
    rubric: "The question contains no comma of any script (, ， 、 ، …), code included.",
    check: "rule",
    split: "unseen",
    penalty: perViolation(0.5),
    penaltyText: "-0.5 per violating question",
  },
  {
    id: "json",
    description:
      "The user wants each question wrapped entirely in valid JSON (an object or array), with nothing outside it.",
    rubric:
      "The whole question, surrounding whitespace aside, is one valid JSON object or array that carries the question text; no prose or code fence around it.",
    check: "rule",
    split: "unseen",
    penalty: perViolation(0.5),
    penaltyText: "-0.5 per violating question",
  },
  {
    id: "joke",
    description: "The user wants every question to include a humorous joke.",
    rubric: "The question contains a recognisable joke or pun.",
    check: "judge",
    split: "unseen",
    penalty: perViolation(0.5),
    penaltyText: "-0.5 per violating question",
  },
  {
    id: "snippet",
    description:
      "The user wants each question to quote at least three lines of code or documentation, with the file path or URL it comes from.",
    rubric:
      "The question includes at least three lines of code or quoted text (fenced, indented or '>' quoted) and names a file path or URL.",
    check: "rule",
    split: "unseen",
    penalty: perViolation(0.5),
    penaltyText: "-0.5 per violating question",
  },
  {
    id: "length",
    description: "The user wants every question to be exactly three sentences long.",
    rubric:
      "The question has exactly three sentences (abbreviations, decimals, versions and file names do not end a sentence).",
    check: "rule",
    split: "unseen",
    penalty: perViolation(0.5),
    penaltyText: "-0.5 per violating question",
  },
];

const BY_ID = new Map(PREFERENCES.map((p) => [p.id, p]));

export function isPreferenceId(x: string): x is PreferenceId {
  return (PREFERENCE_IDS as readonly string[]).includes(x);
}

export function getPreference(id: PreferenceId): Preference {
  const preference = BY_ID.get(id);
  if (!preference) throw new Error(`unknown preference: ${id}`);
  return preference;
}
