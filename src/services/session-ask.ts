import { and, eq, inArray, sql } from "drizzle-orm";
import { type Db, insertRowWhere } from "../db/client";
import { sessionQuestions, sessions } from "../db/schema";
import type { Actor, Bindings } from "../env";
import { ApiError } from "../errors";
import { LlmUnavailableError, llmFromEnv } from "../llm/client";
import { simulateWithLlm } from "../llm/prompts/simulator";
import { getPreference } from "../userville/preferences";
import { simulateAnswer } from "../userville/simulator";
import { MAX_ANSWERED_QUESTIONS, tierEffort } from "../userville/tiers";
import type { EffortSource, PreferenceId, TaskHidden, Tier } from "../userville/types";
import { tierIndexFor } from "./scoring";
import { assertOpen, loadQuestions, loadSession, type SessionRow, sessionTask } from "./sessions";

interface Turn {
  answer: string;
  tier: Tier | null;
  source: EffortSource | null;
  meta: Record<string, unknown>;
  usage: { promptTokens: number; completionTokens: number };
}

const NO_USAGE = { promptTokens: 0, completionTokens: 0 };

function rulesTurn(task: TaskHidden, preference: PreferenceId, question: string, answered: number): Turn {
  const simulated = simulateAnswer({ task, preference, question, answered, index: tierIndexFor(task) });
  return {
    answer: simulated.answer,
    tier: simulated.tier,
    source: simulated.tier ? "rules" : null,
    meta: { engine: "rules", ...(simulated.refused ? { refused: true } : {}) },
    usage: NO_USAGE,
  };
}

/**
 * One turn of the llm engine. Malformed cost tags (after the simulator's own retry) keep the reply but take
 * the rules engine's tier; a provider failure falls back to the rules engine's whole turn. Both are marked.
 */
async function llmTurn(
  env: Bindings,
  db: Db,
  row: SessionRow,
  task: TaskHidden,
  question: string,
  answered: number,
): Promise<Turn> {
  const preference = row.preference as PreferenceId;
  const llm = llmFromEnv(env, db);
  if (!llm)
    return {
      ...rulesTurn(task, preference, question, answered),
      meta: { engine: "rules", fallback: "llm_not_configured" },
    };
  // Earlier turns are replayed with their tags, so the model keeps the output format.
  const history = (await loadQuestions(db, row.id)).map((q) => ({
    question: q.text,
    answer: q.answer,
    tier: (q.tier as Tier | null) ?? null,
    reward: (q.meta.simulator_reward as 0 | 1 | undefined) ?? null,
  }));
  try {
    const result = await simulateWithLlm({
      llm,
      task,
      preference: getPreference(preference),
      history,
      question,
    });
    if (result.ok) {
      return {
        answer: result.reply,
        tier: result.tier,
        source: "llm",
        meta: { engine: "llm", ...(result.reward === null ? {} : { simulator_reward: result.reward }) },
        usage: result.usage,
      };
    }
    const rules = rulesTurn(task, preference, question, answered);
    return {
      answer: result.reply?.trim() ? result.reply : rules.answer,
      tier: rules.tier,
      source: "rules",
      meta: { engine: "llm", fallback: "malformed_tags", reason: result.reason },
      usage: result.usage ?? NO_USAGE,
    };
  } catch (err) {
    if (!(err instanceof LlmUnavailableError)) throw err;
    return {
      ...rulesTurn(task, preference, question, answered),
      meta: { engine: "rules", fallback: "llm_unavailable", reason: err.message },
    };
  }
}

/**
 * Records one ask call and the simulated user's reply. The insert only lands while the session is open and
 * the position is free, and the counters move in the same batch: two racing asks cannot both take a slot.
 */
export async function askQuestion({
  db,
  env,
  actor,
  id,
  question,
  requestId,
  priorAttempts,
}: {
  db: Db;
  env: Bindings;
  actor: Actor;
  id: string;
  question: string;
  /** This attempt, stored with the question; see `priorAttempts`. */
  requestId?: string;
  /** Earlier attempts of the same idempotent request that died: the question one of them asked is adopted. */
  priorAttempts?: string[];
}) {
  const row = await loadSession({ db, actor, id });
  if (priorAttempts?.length) {
    const [adopted] = await db
      .select()
      .from(sessionQuestions)
      .where(and(eq(sessionQuestions.sessionId, row.id), inArray(sessionQuestions.requestId, priorAttempts)))
      .limit(1);
    if (adopted)
      return {
        reply: {
          answer: adopted.answer,
          position: adopted.position + 1,
          remaining: Math.max(0, MAX_ANSWERED_QUESTIONS - adopted.position - 1),
        },
        tokens: 0,
      };
  }
  assertOpen(row);
  const task = await sessionTask(db, actor, row);
  const position = row.questionCount;
  const preference = row.preference as PreferenceId;
  const turn =
    row.engine === "llm" && position < MAX_ANSWERED_QUESTIONS
      ? await llmTurn(env, db, row, task, question, position)
      : rulesTurn(task, preference, question, position);

  const insert = insertRowWhere(
    db,
    sessionQuestions,
    {
      sessionId: row.id,
      position,
      text: question,
      answer: turn.answer,
      tier: turn.tier,
      effort: turn.tier ? tierEffort(turn.tier) : null,
      effortSource: turn.source,
      // Read in the same statement, so a step recorded meanwhile is counted as the original insert did.
      afterActions: sql`${sessions.actions}` as unknown as number,
      meta: turn.meta,
      requestId: requestId ?? null,
    },
    sessions,
    and(eq(sessions.id, row.id), eq(sessions.state, "open"), eq(sessions.questionCount, position)),
  );
  const bump = db
    .update(sessions)
    .set({
      questionCount: sql`${sessions.questionCount} + 1`,
      promptTokens: sql`${sessions.promptTokens} + ${turn.usage.promptTokens}`,
      completionTokens: sql`${sessions.completionTokens} + ${turn.usage.completionTokens}`,
    })
    .where(and(eq(sessions.id, row.id), eq(sessions.state, "open"), eq(sessions.questionCount, position)));
  const [inserted] = await db.batch([insert, bump]);
  if (!(inserted as unknown as D1Result).meta.changes) {
    throw new ApiError(
      "conflict",
      "The session changed while this question was answered (finished, or another ask took its turn).",
    );
  }
  return {
    reply: {
      answer: turn.answer,
      position: position + 1,
      remaining: Math.max(0, MAX_ANSWERED_QUESTIONS - position - 1),
    },
    tokens: turn.usage.promptTokens + turn.usage.completionTokens,
  };
}
