/** Per-session evaluation metrics (spec §2 session effort, §5 metrics). */
import { silentFailure } from "./rewards";
import type { Effort, PenaltyRule, Profile } from "./types";

export interface SessionMetrics {
  proactive: boolean;
  /** null = the session is not counted for personalization. */
  personalized: boolean | null;
  asked: boolean;
  questions: number;
  effort: Effort | null;
}

const EFFORT_RANK: Record<Effort, number> = { low: 0, medium: 1, high: 2 };

export interface SessionEffortInput {
  vague: boolean;
  /** One entry per ask call; null for untiered (refused) asks. */
  efforts: readonly (Effort | null)[];
  /** null (unknown) counts as unsolved, as in the rewards. */
  taskScore: number | null;
}

/** Highest effort among tiered questions; high for a silent unsolved vague session; else null. */
export function sessionEffort(input: SessionEffortInput): Effort | null {
  let highest: Effort | null = null;
  for (const effort of input.efforts) {
    if (effort !== null && (highest === null || EFFORT_RANK[effort] > EFFORT_RANK[highest])) highest = effort;
  }
  if (highest === null && silentFailure(input.vague, input.efforts.length, input.taskScore)) return "high";
  return highest;
}

export interface SessionMetricsInput extends SessionEffortInput {
  profile: Profile;
  /** The session's (unweighted) proactivity reward. */
  proactivity: number;
  penaltyRule: PenaltyRule;
  /** The preference penalty alone, without the +0.05 bonus (see personalizationPenalty). */
  penalty: number;
}

export function sessionMetrics(input: SessionMetricsInput): SessionMetrics {
  const questions = input.efforts.length;
  const effort = sessionEffort(input);
  const proactive = input.profile === "paper" ? effort === "low" || effort === null : input.proactivity >= 0;
  // Counted only when the agent asked, or when a count rule fired without questions (answer_more);
  // preferences without a rule are never counted (reference code leaves preference_ok unset).
  const counted = input.penaltyRule.kind !== "none" && (questions > 0 || input.penalty !== 0);
  return {
    proactive,
    personalized: counted ? input.penalty === 0 : null,
    asked: questions > 0,
    questions,
    effort,
  };
}
