import { LRUCache } from "lru-cache";
import type { Engine } from "../config";
import { LIMITS } from "../config";
import type { Db } from "../db/client";
import type { Actor } from "../env";
import { ApiError } from "../errors";
import type { ScoreRequestInput } from "../routes/score/schema";
import { checkQuestions } from "../userville/checkers";
import { TierIndex, taskContentKey } from "../userville/effort";
import { groupAdvantages } from "../userville/grpo";
import { asksFromMessages, TrajectoryError } from "../userville/messages";
import { getPreference } from "../userville/preferences";
import { type Score, scoreTrajectory } from "../userville/score";
import { labelError } from "../userville/tiers";
import type { AskCall, TaskHidden } from "../userville/types";
import { hiddenOf, loadTasks } from "./tasks";

/**
 * Retrieval indexes by task content, kept per isolate: rollouts of one task (a GRPO group, a batch, repeated
 * offline scoring) index it once. Keyed by content, so an edited or inline task can never hit a stale index.
 */
const tierIndexes = new LRUCache<string, TierIndex>({ max: 1024 });

export function tierIndexFor(task: TaskHidden): TierIndex {
  const key = taskContentKey(task);
  let index = tierIndexes.get(key);
  if (!index) {
    index = new TierIndex(task);
    tierIndexes.set(key, index);
  }
  return index;
}

export type AdvantageMode = "grpo" | "dr_grpo" | "none";

function asksOf(item: ScoreRequestInput, task: TaskHidden, index: number | null): AskCall[] {
  const at = (path: (string | number)[]) => (index === null ? path : ["items", index, ...path]);
  if (item.messages) {
    try {
      return asksFromMessages(task.family, item.messages, LIMITS.questionChars);
    } catch (err) {
      if (err instanceof TrajectoryError) {
        throw new ApiError("invalid_request", err.message, { details: [{ path: at(err.path).join(".") }] });
      }
      throw err;
    }
  }
  return (item.questions ?? []).map((q, i) => {
    const problem = labelError(task.family, q.tier, q.effort);
    if (problem) {
      throw new ApiError("invalid_request", problem, {
        details: [{ path: at(["questions", i, "tier"]).join(".") }],
      });
    }
    return {
      text: q.text,
      answer: q.answer,
      tier: q.tier,
      effort: q.effort,
      afterActions: q.after_actions ?? 0,
    };
  });
}

/**
 * Scores trajectories with the rules engine's checkers. Tasks named by id are loaded once for the whole
 * batch (account-scoped); every task's retrieval index is built once and shared by its items.
 */
export async function scoreItems({
  db,
  actor,
  items,
  engine,
  batch,
}: {
  db: Db;
  actor: Actor;
  items: ScoreRequestInput[];
  engine: Engine;
  batch: boolean;
}): Promise<Score[]> {
  const ids = items.flatMap((item) => (item.task_id ? [item.task_id] : []));
  if (actor.job && ids.length < items.length)
    throw new ApiError("forbidden", "A training job's key scores the job's own tasks only (by task_id).");
  const stored = ids.length ? await loadTasks({ db, actor, ids }) : new Map();
  // Validate everything before scoring anything: a rejected batch does no partial work.
  const prepared = items.map((item, i) => {
    const row = item.task_id ? stored.get(item.task_id) : undefined;
    // The schema guarantees exactly one of task_id (loaded above, else 404) and task.
    const task: TaskHidden = row ? hiddenOf(row) : { ...(item.task as TaskHidden) };
    return { item, task, asks: asksOf(item, task, batch ? i : null) };
  });
  return prepared.map(({ item, task, asks }) => {
    const tierIndex = tierIndexFor(task);
    const preference = getPreference(item.preference);
    return scoreTrajectory({
      task,
      preference,
      vague: item.vague,
      profile: item.profile,
      weights: {
        proactivity: item.weights?.proactivity ?? 1,
        personalization: item.weights?.personalization ?? 1,
      },
      asks,
      verdicts: checkQuestions(preference.id, asks),
      prediction: item.prediction ?? null,
      taskScore: item.task_score ?? null,
      engine,
      tierIndex,
    });
  });
}

export function withAdvantages(
  scores: Score[],
  groups: (string | null)[],
  requested: AdvantageMode | undefined,
): { mode: AdvantageMode; advantages: (number | null)[] } {
  const mode = requested ?? (groups.some((g) => g !== null) ? "grpo" : "none");
  const advantages = groupAdvantages(
    scores.map((s) => s.reward),
    groups,
    mode,
  );
  return { mode, advantages: advantages ?? scores.map(() => null) };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function summarize(scores: Score[]) {
  const personalized = scores.flatMap((s) =>
    s.metrics.personalized === null ? [] : [s.metrics.personalized ? 1 : 0],
  );
  return {
    count: scores.length,
    reward: mean(scores.map((s) => s.reward)),
    productivity: mean(scores.map((s) => s.productivity)),
    proactivity: mean(scores.map((s) => s.proactivity)),
    personalization: mean(scores.map((s) => s.personalization)),
    proactive_rate: mean(scores.map((s) => (s.metrics.proactive ? 1 : 0))),
    personalized_rate: personalized.length ? mean(personalized) : null,
    ask_ratio: mean(scores.map((s) => (s.metrics.asked ? 1 : 0))),
  };
}
