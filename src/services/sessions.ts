import { and, asc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import { engineOf } from "../config";
import { type Db, insertRowWhere } from "../db/client";
import { sessionQuestions, sessions, tasks, trainingJobs } from "../db/schema";
import type { Actor, Bindings } from "../env";
import { ApiError } from "../errors";
import { newId } from "../lib/crypto";
import { JUDGE_PROMPT_VERSION } from "../llm/prompts/judge";
import { SIMULATOR_PROMPT_VERSION } from "../llm/prompts/simulator";
import { getPreference } from "../userville/preferences";
import { MAX_ANSWERED_QUESTIONS } from "../userville/tiers";
import type { PreferenceId, Profile } from "../userville/types";
import { hiddenOf, loadTasks, type StoredTask } from "./tasks";

export type SessionRow = typeof sessions.$inferSelect;
export type QuestionRow = typeof sessionQuestions.$inferSelect;

/** Versions of what plays the user in the rules engine; the llm engine adds its prompt versions. */
export const RULES_VERSION = "rules-v1";

export async function loadSession({ db, actor, id }: { db: Db; actor: Actor; id: string }) {
  const [row] = await db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.id, id),
        eq(sessions.accountId, actor.accountId),
        // A job key sees only the sessions it played.
        actor.job ? eq(sessions.jobId, actor.job.id) : undefined,
      ),
    )
    .limit(1);
  if (!row) throw new ApiError("not_found", `No session ${id} in your account.`);
  return row;
}

export function assertOpen(row: SessionRow) {
  if (row.state !== "open")
    throw new ApiError("conflict", `Session ${row.id} is finished; it takes no more calls.`);
}

export async function loadQuestions(db: Db, sessionId: string) {
  return db
    .select()
    .from(sessionQuestions)
    .where(eq(sessionQuestions.sessionId, sessionId))
    .orderBy(asc(sessionQuestions.position));
}

/**
 * The task row behind a session, loaded within the session's account. A leaderboard run's session plays the
 * benchmark owner's task: loaded by id alone, since the session itself was already found in the actor's account.
 */
export async function sessionTaskRow(db: Db, actor: Actor, row: SessionRow): Promise<StoredTask> {
  if (row.runId) {
    const [task] = await db.select().from(tasks).where(eq(tasks.id, row.taskId)).limit(1);
    return task;
  }
  const found = await loadTasks({ db, actor, ids: [row.taskId] });
  return found.get(row.taskId) as StoredTask;
}

export async function sessionTask(db: Db, actor: Actor, row: SessionRow) {
  return hiddenOf(await sessionTaskRow(db, actor, row));
}

/** What the agent was shown: the vague prompt, or the precise one in a precise session. */
export function agentPrompt(task: StoredTask, vague: boolean) {
  return vague ? task.vaguePrompt : task.hidden.prompt;
}

/**
 * A job key's session is one of the job's reserved rollouts: the session lands only while the job has one
 * left, and the count moves in the same batch, so racing creates cannot overdraw the reservation.
 */
async function createJobSession(db: Db, jobId: string, v: typeof sessions.$inferInsert) {
  await db.batch([
    insertRowWhere(
      db,
      sessions,
      v,
      trainingJobs,
      and(
        eq(trainingJobs.id, jobId),
        lt(trainingJobs.rolloutsUsed, trainingJobs.rolloutsReserved),
        isNull(trainingJobs.settledAt),
      ),
    ),
    db
      .update(trainingJobs)
      .set({ rolloutsUsed: sql`${trainingJobs.rolloutsUsed} + 1` })
      .where(
        and(
          eq(trainingJobs.id, jobId),
          sql`exists (select 1 from ${sessions} where ${sessions.id} = ${v.id as string})`,
        ),
      ),
  ]);
  const [row] = await db
    .select()
    .from(sessions)
    .where(eq(sessions.id, v.id as string))
    .limit(1);
  if (!row)
    throw new ApiError(
      "insufficient_credits",
      `Training job ${jobId} has used every rollout it reserved (or has ended); start a larger job.`,
    );
  return row;
}

export async function createSession({
  db,
  env,
  actor,
  input,
  requestId,
  priorAttempts,
}: {
  db: Db;
  env: Bindings;
  actor: Actor;
  input: { task_id: string; preference: PreferenceId; vague: boolean; profile: Profile };
  /** This attempt, stored as the session's request_id. */
  requestId?: string;
  /** Earlier attempts of the same idempotent request that died: a session one of them created is adopted. */
  priorAttempts?: string[];
}) {
  const task = (await loadTasks({ db, actor, ids: [input.task_id] })).get(input.task_id);
  if (!task) throw new ApiError("not_found", `No task ${input.task_id} in your account.`);
  if (priorAttempts?.length) {
    const [adopted] = await db
      .select()
      .from(sessions)
      .where(and(eq(sessions.accountId, actor.accountId), inArray(sessions.requestId, priorAttempts)))
      .limit(1);
    if (adopted) return { row: adopted, prompt: agentPrompt(task, adopted.vague) };
  }
  const engine = engineOf(env);
  const values: typeof sessions.$inferInsert & { id: string } = {
    id: newId("ses"),
    accountId: actor.accountId,
    taskId: task.id,
    preference: input.preference,
    vague: input.vague,
    profile: input.profile,
    engine,
    model: engine === "llm" ? (env.LLM_MODEL ?? null) : null,
    promptVersions:
      engine === "llm"
        ? { simulator: SIMULATOR_PROMPT_VERSION, judge: JUDGE_PROMPT_VERSION, rules: RULES_VERSION }
        : { rules: RULES_VERSION },
    requestId: requestId ?? null,
    jobId: actor.job?.id ?? null,
  };
  if (actor.job)
    return { row: await createJobSession(db, actor.job.id, values), prompt: agentPrompt(task, input.vague) };
  const [row] = await db.insert(sessions).values(values).returning();
  return { row, prompt: agentPrompt(task, input.vague) };
}

/** Counts a non-question step of the agent (for only_begin); refuses once the session is finished. */
export async function recordAction({ db, actor, id }: { db: Db; actor: Actor; id: string }) {
  const row = await loadSession({ db, actor, id });
  assertOpen(row);
  const [updated] = await db
    .update(sessions)
    .set({ actions: sql`${sessions.actions} + 1` })
    .where(and(eq(sessions.id, id), eq(sessions.state, "open")))
    .returning({ actions: sessions.actions });
  if (!updated) throw new ApiError("conflict", `Session ${id} is finished; it takes no more calls.`);
  return updated.actions;
}

/** The simulator's own [Reward k] tag, flagged where the deterministic checker decided otherwise. */
function withDisagreement(meta: Record<string, unknown>, compliant: boolean | null) {
  const tag = meta.simulator_reward;
  if (tag === undefined || compliant === null) return meta;
  return { ...meta, simulator_disagrees: (tag === 1) !== compliant };
}

/**
 * The session as the agent may see it: labels and notes only once it is finished. `concealed` (a session of a
 * leaderboard run that has not ended) hides them, the score and the token usage even then.
 */
export function sessionView(row: SessionRow, questions: QuestionRow[], prompt: string, concealed = false) {
  const finished = row.state === "finished" && !concealed;
  const scored = (row.score as { questions?: Record<string, unknown>[] } | null)?.questions ?? [];
  return {
    id: row.id,
    task_id: row.taskId,
    prompt,
    preference: {
      id: row.preference as PreferenceId,
      description: getPreference(row.preference as PreferenceId).description,
    },
    max_questions: MAX_ANSWERED_QUESTIONS as 4,
    vague: row.vague,
    profile: row.profile,
    engine: row.engine,
    state: row.state,
    actions: row.actions,
    questions: questions.map((q, i) => ({
      position: q.position + 1,
      text: q.text,
      answer: q.answer,
      after_actions: q.afterActions,
      ...(finished
        ? {
            tier: q.tier,
            effort: q.effort,
            effort_source: q.effortSource,
            compliant: (scored[i]?.compliant as boolean | null | undefined) ?? null,
            judge: (scored[i]?.judge as string | null | undefined) ?? null,
            notes: withDisagreement(q.meta, (scored[i]?.compliant as boolean | null | undefined) ?? null),
          }
        : {}),
    })),
    score: finished ? row.score : null,
    model: row.model,
    prompt_versions: row.promptVersions,
    usage: concealed ? null : { prompt_tokens: row.promptTokens, completion_tokens: row.completionTokens },
    created_at: new Date(row.createdAt).toISOString(),
    finished_at: row.finishedAt ? new Date(row.finishedAt).toISOString() : null,
  };
}
