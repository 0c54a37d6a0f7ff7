/** Shared vocabulary of the UserVille domain (see ../shared/spec/userville.md). Pure TypeScript. */

export const FAMILIES = ["swe", "research"] as const;
export type Family = (typeof FAMILIES)[number];

export const TIERS = ["precise", "hint", "idk", "file", "function", "gold_doc"] as const;
export type Tier = (typeof TIERS)[number];

export const EFFORTS = ["low", "medium", "high"] as const;
export type Effort = (typeof EFFORTS)[number];

export const PROFILES = ["paper", "code"] as const;
export type Profile = (typeof PROFILES)[number];

export const PREFERENCE_IDS = [
  "no_preference",
  "concise_question",
  "detail_question",
  "answer_more",
  "only_begin",
  "no_ask",
  "do_selection",
  "professional",
  "amateur",
  "ask_many",
  "one_question",
  "first_try",
  "lang_ita",
  "lang_multi",
  "capital",
  "commas",
  "json",
  "joke",
  "snippet",
  "length",
] as const;
export type PreferenceId = (typeof PREFERENCE_IDS)[number];

export type CheckKind = "rule" | "judge" | "none";
export type Split = "seen" | "unseen";
export type JudgeKind = "rule" | "llm" | "heuristic";
export type EffortSource = "client" | "rules" | "llm";

/** How a preference turns violations into the personalization penalty. */
export type PenaltyRule =
  | { kind: "none" }
  /** amount × number of violating questions (amount is positive; the reward subtracts it). */
  | { kind: "per_violation"; amount: number }
  /** a flat amount once, when any question violates. */
  | { kind: "flag"; amount: number }
  /** min(asks − 3, 0): answer_more. */
  | { kind: "min_asks"; minimum: number };

export interface Preference {
  id: PreferenceId;
  /** What the user is like, as the agent is told. */
  description: string;
  /** What the judge checks per question (kept with the scorer, never shown to the simulated user's agent). */
  rubric: string;
  check: CheckKind;
  split: Split;
  penalty: PenaltyRule;
  /** Human-readable penalty, e.g. "-0.5 per violating question". */
  penaltyText: string;
}

/** The hidden side of an episode. */
export interface TaskHidden {
  family: Family;
  prompt: string;
  hint?: string | null;
  files?: string[];
  functions?: string[];
  documents?: string[];
  answer?: string | null;
}

/** One ask call made by the agent. */
export interface AskCall {
  text: string;
  answer?: string | null;
  tier?: Tier | null;
  effort?: Effort | null;
  /** The agent's non-question steps before this ask. */
  afterActions: number;
}

/** A per-question compliance verdict. `compliant: null` = not applicable (no rule for this preference). */
export interface Verdict {
  compliant: boolean | null;
  judge: JudgeKind | null;
  /** Short reason, for humans reading a transcript. */
  reason?: string;
}

export interface Weights {
  proactivity: number;
  personalization: number;
}
