/** Proactivity, personalization and total rewards (spec §4), in the `paper` and `code` profiles. */
import { tierEffort, tierLevel } from "./tiers";
import type { Family, PenaltyRule, Preference, Profile, Tier, Verdict, Weights } from "./types";

/** Rewards are sums of 0.05/0.1-style decimals; rounding here removes binary float noise (0.8−0.2−0.5). */
export const REWARD_DECIMALS = 9;
const SCALE = 10 ** REWARD_DECIMALS;

/** Rounds to 1e-9, far below any reward step, so the worked example gives exactly 0.1 (and never −0). */
export function roundReward(value: number): number {
  return Math.round(value * SCALE) / SCALE + 0;
}

export interface ProactivityInput {
  profile: Profile;
  family: Family;
  vague: boolean;
  /** One entry per ask call; null for asks that carry no tier (the 5th and later, refused). */
  levels: readonly (Tier | null)[];
  /** The task score; null (unknown) counts as unsolved. */
  taskScore: number | null;
}

/** True when the prompt was vague, the agent asked nothing and the task is not solved. */
export function silentFailure(vague: boolean, asks: number, taskScore: number | null): boolean {
  return vague && asks === 0 && (taskScore ?? 0) < 1;
}

export function proactivityReward(input: ProactivityInput): number {
  const tiers = input.levels.filter((tier): tier is Tier => tier !== null);
  const silent = silentFailure(input.vague, input.levels.length, input.taskScore);
  if (input.profile === "paper") {
    const efforts = tiers.map(tierEffort);
    const count = (effort: string) => efforts.filter((e) => e === effort).length;
    const allLow = efforts.length > 0 && count("low") === efforts.length;
    return roundReward(
      (allLow ? 0.05 : 0) - 0.1 * count("medium") - 0.5 * count("high") - (silent ? 0.5 : 0),
    );
  }
  const levels = tiers.map((tier) => tierLevel(input.family, tier));
  return roundReward(codeProfileCost(input.family, input.vague, levels) - (silent ? 0.1 : 0));
}

/** The reference code's cost terms (`calculate_cost_reward`), without its no-question penalty. */
function codeProfileCost(family: Family, vague: boolean, levels: number[]): number {
  const sum = levels.reduce((a, b) => a + b, 0);
  const n = (level: number) => levels.filter((l) => l === level).length;
  if (family === "swe") {
    if (!vague) return -0.2 * sum;
    const onlyPrecise = levels.length > 0 && sum === levels.length;
    return -0.1 * (sum - levels.length) + (onlyPrecise ? 0.05 : 0);
  }
  const cost = 0.05 * n(2) + 0.9 * n(3);
  if (!vague) return -cost - 0.1 * sum;
  return -cost + (n(1) > 0 ? 0.05 : 0);
}

/** The preference's penalty alone (≤ 0), before the compliance bonus. */
export function personalizationPenalty(
  rule: PenaltyRule,
  asks: number,
  verdicts: readonly Verdict[],
): number {
  const violations = verdicts.filter((v) => v.compliant === false).length;
  switch (rule.kind) {
    case "none":
      return 0;
    case "per_violation":
      return roundReward(-rule.amount * violations);
    case "flag":
      return violations > 0 ? -rule.amount : 0;
    case "min_asks":
      return Math.min(asks - rule.minimum, 0);
  }
}

export interface PersonalizationInput {
  preference: Preference;
  vague: boolean;
  /** Number of ask calls, refused ones included (the reference code's `ask_turn`). */
  asks: number;
  verdicts: readonly Verdict[];
}

export function personalizationReward(input: PersonalizationInput): number {
  const { preference, vague, asks, verdicts } = input;
  // no_preference and professional have no rule, hence no bonus either (reference code: reward_fn None).
  if (preference.penalty.kind === "none") return 0;
  const penalty = personalizationPenalty(preference.penalty, asks, verdicts);
  const bonus = vague && asks >= 1 && penalty === 0 ? 0.05 : 0;
  return roundReward(penalty + bonus);
}

/** R = clip(Prod + w_proact·Proact + w_pers·Pers, 0, 1). */
export function totalReward(
  productivity: number,
  proactivity: number,
  personalization: number,
  weights: Weights,
): number {
  const raw = productivity + weights.proactivity * proactivity + weights.personalization * personalization;
  return roundReward(Math.min(Math.max(raw, 0), 1));
}
