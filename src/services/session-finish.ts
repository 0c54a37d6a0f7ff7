import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { sessions } from "../db/schema";
import type { Actor, Bindings } from "../env";
import { ApiError } from "../errors";
import { LlmUnavailableError, llmFromEnv } from "../llm/client";
import { judgeAnswerWithLlm, judgeQuestionsWithLlm } from "../llm/prompts/judge";
import { checkQuestions } from "../userville/checkers";
import { getPreference } from "../userville/preferences";
import { exactMatch } from "../userville/productivity";
import { type ScoredAsk, scoreTrajectory } from "../userville/score";
import type { EffortSource, PreferenceId, TaskHidden, Tier, Verdict } from "../userville/types";
import { tierIndexFor } from "./scoring";
import { assertOpen, loadQuestions, loadSession, type QuestionRow, sessionTask } from "./sessions";

type Usage = { promptTokens: number; completionTokens: number };
type Llm = NonNullable<ReturnType<typeof llmFromEnv>>;

/** Judge-kind preferences go to the LLM judge when one is configured; a verdict it cannot give keeps the heuristic. */
async function judgeVerdicts(
  llm: Llm | null,
  preference: PreferenceId,
  asks: ScoredAsk[],
  verdicts: Verdict[],
  usage: Usage,
) {
  const pref = getPreference(preference);
  if (!llm || pref.check !== "judge" || asks.length === 0) return verdicts;
  try {
    const judged = await judgeQuestionsWithLlm({ llm, preference: pref, questions: asks.map((a) => a.text) });
    usage.promptTokens += judged.usage.promptTokens;
    usage.completionTokens += judged.usage.completionTokens;
    return verdicts.map((v, i) => {
      const j = judged.verdicts[i];
      return j ? { compliant: j.compliant, judge: "llm" as const, reason: j.reason } : v;
    });
  } catch (err) {
    if (err instanceof LlmUnavailableError) return verdicts;
    throw err;
  }
}

/** Research answers: normalised exact match first, then the LLM judge when configured. */
async function researchTaskScore(
  llm: Llm | null,
  task: TaskHidden,
  prediction: string | string[],
  usage: Usage,
) {
  if (task.family !== "research" || !task.answer) return null;
  if (exactMatch(prediction, task.answer) === 1) return 1;
  if (!llm) return null;
  try {
    const judged = await judgeAnswerWithLlm({
      llm,
      question: task.prompt,
      gold: task.answer,
      prediction: Array.isArray(prediction) ? prediction.join(" ") : prediction,
    });
    usage.promptTokens += judged.usage.promptTokens;
    usage.completionTokens += judged.usage.completionTokens;
    return judged.correct === null ? null : judged.correct ? 1 : 0;
  } catch (err) {
    if (err instanceof LlmUnavailableError) return null;
    throw err;
  }
}

function asksOf(questions: QuestionRow[]): ScoredAsk[] {
  return questions.map((q) => ({
    text: q.text,
    answer: q.answer,
    tier: (q.tier as Tier | null) ?? null,
    afterActions: q.afterActions,
    labelSource: (q.effortSource as EffortSource | null) ?? undefined,
  }));
}

/** Scores the session against the hidden gold and closes it; the score is stored with the transcript. */
export async function finishSession({
  db,
  env,
  actor,
  id,
  prediction,
  taskScore,
  requestId,
  priorAttempts,
}: {
  db: Db;
  env: Bindings;
  actor: Actor;
  id: string;
  prediction: string | string[];
  taskScore?: number;
  /** This attempt, stored as the session's finish_request_id. */
  requestId?: string;
  /** Earlier attempts of the same idempotent request that died: a finish one of them stored is adopted. */
  priorAttempts?: string[];
}) {
  const row = await loadSession({ db, actor, id });
  if (row.state === "finished" && row.finishRequestId && priorAttempts?.includes(row.finishRequestId))
    return { score: row.score as unknown as ReturnType<typeof scoreTrajectory>, tokens: 0 };
  assertOpen(row);
  // Leaderboard scores come only from what the service checks itself; no self-reported task score.
  if (row.runId && taskScore !== undefined)
    throw new ApiError(
      "invalid_request",
      "A leaderboard run's session takes no `task_score`: the service scores it.",
    );
  const task = await sessionTask(db, actor, row);
  const preference = row.preference as PreferenceId;
  const questions = await loadQuestions(db, row.id);
  const asks = asksOf(questions);
  const llm = row.engine === "llm" ? llmFromEnv(env, db) : null;
  const usage: Usage = { promptTokens: 0, completionTokens: 0 };
  const verdicts = await judgeVerdicts(llm, preference, asks, checkQuestions(preference, asks), usage);
  const judgedScore = taskScore ?? (await researchTaskScore(llm, task, prediction, usage));
  const score = scoreTrajectory({
    task,
    preference: getPreference(preference),
    vague: row.vague,
    profile: row.profile,
    weights: { proactivity: 1, personalization: 1 },
    asks,
    verdicts,
    prediction,
    taskScore: judgedScore,
    engine: row.engine,
    tierIndex: tierIndexFor(task),
  });
  const [closed] = await db
    .update(sessions)
    .set({
      state: "finished",
      finishRequestId: requestId ?? null,
      score: score as unknown as Record<string, unknown>,
      prediction,
      finishedAt: Date.now(),
      promptTokens: sql`${sessions.promptTokens} + ${usage.promptTokens}`,
      completionTokens: sql`${sessions.completionTokens} + ${usage.completionTokens}`,
    })
    .where(
      and(eq(sessions.id, row.id), eq(sessions.state, "open"), eq(sessions.questionCount, row.questionCount)),
    )
    .returning({ id: sessions.id });
  if (!closed)
    throw new ApiError("conflict", "The session changed while it was being finished; nothing was stored.");
  return { score, tokens: usage.promptTokens + usage.completionTokens };
}
