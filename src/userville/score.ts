/** One trajectory → the Score of api.md: component rewards (unweighted), weighted total, metrics, labels. */
import { resolveTier, TierIndex } from "./effort";
import { type SessionMetrics, sessionMetrics } from "./metrics";
import { productivity } from "./productivity";
import { personalizationPenalty, personalizationReward, proactivityReward, totalReward } from "./rewards";
import { MAX_ANSWERED_QUESTIONS } from "./tiers";
import type {
  AskCall,
  Effort,
  EffortSource,
  JudgeKind,
  Preference,
  Profile,
  TaskHidden,
  Tier,
  Verdict,
  Weights,
} from "./types";

export type Engine = "rules" | "llm";

export interface ScoredQuestion {
  text: string;
  /** null for the 5th and later asks: the simulator refused them. */
  effort: Effort | null;
  tier: Tier | null;
  effort_source: EffortSource | null;
  compliant: boolean | null;
  judge: JudgeKind | null;
}

export interface Score {
  /** clip(Prod + w·Proact + w·Pers, 0, 1). */
  reward: number;
  /** 0 when it cannot be computed (no gold, no prediction, no task_score): an unscored task is unsolved. */
  productivity: number;
  proactivity: number;
  personalization: number;
  metrics: SessionMetrics;
  questions: ScoredQuestion[];
  profile: Profile;
  engine: Engine;
}

/** An ask whose tier/effort label came from somewhere other than the client (e.g. the LLM simulator). */
export type ScoredAsk = AskCall & { labelSource?: EffortSource };

export interface ScoreInput {
  task: TaskHidden;
  preference: Preference;
  vague: boolean;
  profile: Profile;
  weights: Weights;
  asks: readonly ScoredAsk[];
  /** One per ask, in order, computed by the caller's checkers. */
  verdicts: readonly Verdict[];
  prediction?: string | readonly string[] | null;
  taskScore?: number | null;
  engine: Engine;
  /** Reuse across trajectories on the same task; built (lazily) when absent. */
  tierIndex?: TierIndex;
}

function scoreQuestions(input: ScoreInput): ScoredQuestion[] {
  const { task, asks, verdicts } = input;
  const index = input.tierIndex ?? new TierIndex(task);
  // The reference simulator is never given file or function names for an amateur user (userville.py).
  const view = input.preference.id === "amateur" ? index.withoutGoldNames() : index;
  return asks.map((ask, i) => {
    const { compliant, judge } = verdicts[i];
    if (i >= MAX_ANSWERED_QUESTIONS) {
      return { text: ask.text, effort: null, tier: null, effort_source: null, compliant, judge };
    }
    const resolved = resolveTier(task.family, ask, view);
    const source = resolved.source === "client" ? (ask.labelSource ?? "client") : resolved.source;
    return {
      text: ask.text,
      effort: resolved.effort,
      tier: resolved.tier,
      effort_source: source,
      compliant,
      judge,
    };
  });
}

export function scoreTrajectory(input: ScoreInput): Score {
  const { task, preference, vague, profile, weights, asks, verdicts } = input;
  if (verdicts.length !== asks.length) {
    throw new RangeError(`expected one verdict per ask (${asks.length}), got ${verdicts.length}`);
  }
  const questions = scoreQuestions(input);
  const prod = productivity(task, input.prediction, input.taskScore) ?? 0;
  const proactivity = proactivityReward({
    profile,
    family: task.family,
    vague,
    levels: questions.map((q) => q.tier),
    taskScore: prod,
  });
  const personalization = personalizationReward({ preference, vague, asks: asks.length, verdicts });
  const metrics = sessionMetrics({
    profile,
    vague,
    efforts: questions.map((q) => q.effort),
    taskScore: prod,
    proactivity,
    penaltyRule: preference.penalty,
    penalty: personalizationPenalty(preference.penalty, asks.length, verdicts),
  });
  return {
    reward: totalReward(prod, proactivity, personalization, weights),
    productivity: prod,
    proactivity,
    personalization,
    metrics,
    questions,
    profile,
    engine: input.engine,
  };
}
