import { and, asc, desc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import { type Db, insertRowWhere } from "../db/client";
import { accounts, ledger, trainingJobPayloads, trainingJobs, trainingMetrics } from "../db/schema";
import type { Actor } from "../env";
import { ApiError } from "../errors";
import { newId } from "../lib/crypto";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import type { TrainingQueue } from "../queue/contract";
import type { CreateTrainingJobInput } from "../routes/training/schema";
import { isTerminal, type JobState, RANK } from "../training/states";
import { type JobRow, loadJob, reservationLedgerId, settlementStatements } from "../training/store";
import type { Score } from "../userville/score";
import { expandTrainingRows, SEEN_PREFERENCES } from "../userville/training-rows";
import type { Prices } from "./billing";
import { loadTasks } from "./tasks";

/** Characters per payload row: at most 3 UTF-8 bytes each, so a row stays under D1's 2 MB value limit. */
export const PAYLOAD_CHUNK_CHARS = 500_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export type StepMetrics = { step: number } & Record<string, number>;

export function jobView(row: JobRow, metrics?: StepMetrics[]) {
  return {
    id: row.id,
    state: row.state as JobState,
    kind: row.kind,
    runner: row.runner,
    target: row.target,
    runner_job_id: row.runnerJobId,
    attempts: row.attempts,
    cancel_requested: row.cancelRequested,
    // While the job is not over, the last retryable error says why it is waiting (e.g. an unreachable runner).
    error: row.error ?? (isTerminal(row.state as JobState) ? null : (row.lastError ?? null)),
    summary: row.summary,
    ...(metrics ? { metrics } : {}),
    result: row.result ?? null,
    created_at: iso(row.createdAt) as string,
    updated_at: iso(row.updatedAt) as string,
    finished_at: iso(row.finishedAt),
  };
}

export interface ScoredItems {
  scores: Score[];
  advantages: (number | null)[];
  mode: string;
}

/** Builds what the runner reads (the payload) and what the job shows (the summary); validates first. */
async function payloadOf(db: Db, actor: Actor, input: CreateTrainingJobInput, scored: ScoredItems | null) {
  if ("config" in input) {
    const { config } = input;
    const unseen = (config.preferences ?? []).filter((p) => !SEEN_PREFERENCES.includes(p));
    if (unseen.length)
      throw new ApiError(
        "invalid_request",
        `Preference ${unseen[0]} is held out (unseen); train on seen ones.`,
        {
          details: [{ path: "config.preferences", unseen }],
        },
      );
    let tasks: Awaited<ReturnType<typeof loadTasks>>;
    try {
      tasks = await loadTasks({ db, actor, ids: config.task_ids });
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== "not_found") throw err;
      throw new ApiError("invalid_request", err.message, {
        details: [{ path: "config.task_ids", ...(err.details as object) }],
      });
    }
    const preferences = config.preferences ? [...new Set(config.preferences)] : [...SEEN_PREFERENCES];
    // Each row names its task's family (swe | research), which a job's key may not read from /v1/tasks.
    const rows = expandTrainingRows([...new Set(config.task_ids)], preferences).map((row) => ({
      ...row,
      family: tasks.get(row.task_id)?.family,
    }));
    return {
      payload: { kind: "config", config: { ...config, preferences }, rows },
      summary: {
        tasks: new Set(config.task_ids).size,
        rows: rows.length,
        preferences: preferences.length,
        ...config.grpo,
        profile: config.profile,
        base_model: config.base_model,
      },
    };
  }
  const { scores, advantages, mode } = scored as ScoredItems;
  const grpo = input.grpo ?? { group_size: 8, batch_size: 64, learning_rate: 1e-6, advantage: "grpo" };
  const steps =
    input.grpo?.steps ?? Math.max(1, Math.ceil(input.items.length / (grpo.group_size * grpo.batch_size)));
  // An inline task's hidden side (precise prompt, hint, files, functions, documents, answer) stays here: the
  // payload goes to a runner, and runners are the agent side.
  const items = input.items.map(({ task, ...item }, i) => ({
    ...item,
    ...(task ? { task: { family: task.family, vague_prompt: task.vague_prompt ?? null } } : {}),
    reward: scores[i].reward,
    productivity: scores[i].productivity,
    proactivity: scores[i].proactivity,
    personalization: scores[i].personalization,
    advantage: advantages[i],
  }));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    payload: { kind: "items", grpo: { ...grpo, steps }, advantage: mode, items },
    summary: {
      ...grpo,
      steps,
      items: items.length,
      groups: new Set(items.map((it) => it.group)).size,
      advantage: mode,
      reward_mean: mean(scores.map((s) => s.reward)),
    },
  };
}

export async function createTrainingJob({
  db,
  actor,
  input,
  scored,
  queue,
  prices,
  requestId,
}: {
  db: Db;
  actor: Actor;
  input: CreateTrainingJobInput;
  scored: ScoredItems | null;
  queue: TrainingQueue | undefined;
  prices: Prices;
  requestId?: string;
}) {
  const { payload, summary: base } = await payloadOf(db, actor, input, scored);
  const estimate = estimateOf(actor, base, prices);
  const summary = { ...base, estimate };
  const text = JSON.stringify(payload);
  const id = newId("job");
  const now = Date.now();
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += PAYLOAD_CHUNK_CHARS)
    parts.push(text.slice(i, i + PAYLOAD_CHUNK_CHARS));
  const cost = estimate.credits;
  const reservationId = reservationLedgerId(id);
  // One batch: the reservation (only while the balance covers it), the job and its payload. A job whose
  // reservation did not land is never submitted (the claim requires the reservation row) and is removed.
  const reserve =
    cost > 0
      ? [
          insertRowWhere(
            db,
            ledger,
            {
              id: reservationId,
              accountId: actor.accountId,
              keyId: actor.keyId,
              kind: "charge",
              route: "training_rollout",
              units: estimate.rollouts,
              cost,
              requestId: requestId ?? null,
              createdAt: now,
            },
            accounts,
            and(eq(accounts.id, actor.accountId), gte(accounts.credits, cost)),
          ),
          db
            .update(accounts)
            .set({ credits: sql`${accounts.credits} - ${cost}` })
            .where(
              and(
                eq(accounts.id, actor.accountId),
                sql`exists (select 1 from ${ledger} where ${ledger.id} = ${reservationId})`,
              ),
            ),
        ]
      : [];
  const results = await db.batch([
    db
      .insert(trainingJobs)
      .values({
        id,
        accountId: actor.accountId,
        kind: "config" in input ? "config" : "items",
        runner: input.runner,
        target: input.target ?? null,
        maxRuntimeMs: input.max_runtime_minutes * 60_000,
        summary,
        payloadChunks: parts.length,
        payloadBytes: new TextEncoder().encode(text).byteLength,
        reservedCredits: cost,
        rolloutPrice: estimate.price_per_rollout,
        rolloutsReserved: estimate.rollouts,
        requestId: requestId ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    ...reserve,
    ...parts.map((data, seq) => db.insert(trainingJobPayloads).values({ jobId: id, seq, data })),
  ]);
  const job = results[0] as JobRow[];
  if (cost > 0 && !(results[1] as unknown as D1Result).meta.changes) {
    await db.batch([
      db.delete(trainingJobPayloads).where(eq(trainingJobPayloads.jobId, id)),
      db.delete(trainingJobs).where(eq(trainingJobs.id, id)),
    ]);
    throw new ApiError(
      "insufficient_credits",
      `This job reserves ${cost} credits (${estimate.rollouts} rollouts × ${estimate.price_per_rollout}); your balance is lower.`,
      { details: { estimate } },
    );
  }
  // After the commit: a lost send leaves the job CREATED, and the dispatcher's cron re-drives it.
  try {
    if (!queue) throw new Error("TRAINING_QUEUE is not bound");
    await queue.send({ kind: "dispatch", job_id: id });
  } catch (err) {
    console.error(JSON.stringify({ job: id, enqueue: "failed", error: String(err) }));
  }
  return jobView(job[0]);
}

/**
 * What a job will cost before it is accepted: each config-form step plays min(rows, batch_size) prompts ×
 * group_size rollouts, at `training_rollout` credits each (the sessions a job's key plays are covered by it).
 * Items-form jobs play no sessions: their items were charged as `score_batch_item` when scored.
 */
export function estimateOf(actor: Actor, summary: Record<string, unknown>, prices: Prices) {
  const num = (k: string) => (typeof summary[k] === "number" ? (summary[k] as number) : 0);
  const rollouts =
    summary.rows === undefined
      ? 0
      : Math.min(num("rows"), num("batch_size")) * num("group_size") * num("steps");
  const free = actor.operator || actor.mode === "test";
  const price = free ? 0 : prices.training_rollout;
  return { rollouts, price_per_rollout: price, credits: rollouts * price, currency: "credits" as const };
}

/** A dry run: what the job would reserve, and its summary, with nothing charged or stored. */
export async function estimateTrainingJob({
  db,
  actor,
  input,
  prices,
}: {
  db: Db;
  actor: Actor;
  input: CreateTrainingJobInput;
  prices: Prices;
}) {
  if ("items" in input) {
    const price = actor.operator || actor.mode === "test" ? 0 : prices.score_batch_item;
    return {
      dry_run: true as const,
      estimate: {
        rollouts: 0,
        price_per_rollout: 0,
        credits: input.items.length * price,
        currency: "credits" as const,
      },
      summary: { items: input.items.length },
    };
  }
  const { summary } = await payloadOf(db, actor, input, null);
  const estimate = estimateOf(actor, summary, prices);
  return { dry_run: true as const, estimate, summary: { ...summary, estimate } };
}

/** The job an earlier, dead attempt of the same Idempotency-Key created (and paid for), if any. */
export async function jobOfAttempts(db: Db, actor: Actor, attempts: string[] | undefined) {
  if (!attempts?.length) return null;
  const [row] = await db
    .select()
    .from(trainingJobs)
    .where(and(eq(trainingJobs.accountId, actor.accountId), inArray(trainingJobs.requestId, attempts)))
    .limit(1);
  if (!row) return null;
  const paid =
    row.reservedCredits === 0 ||
    (
      await db
        .select({ id: ledger.id })
        .from(ledger)
        .where(eq(ledger.id, reservationLedgerId(row.id)))
        .limit(1)
    ).length > 0;
  return paid ? jobView(row) : null;
}

async function ownJob(db: Db, actor: Actor, id: string) {
  const row = await loadJob(db, id);
  if (!row || row.accountId !== actor.accountId)
    throw new ApiError("not_found", `No training job ${id} in your account.`);
  return row;
}

export async function metricsOf(db: Db, jobId: string) {
  const rows = await db
    .select({ step: trainingMetrics.step, name: trainingMetrics.name, value: trainingMetrics.value })
    .from(trainingMetrics)
    .where(eq(trainingMetrics.jobId, jobId))
    .orderBy(asc(trainingMetrics.step), asc(trainingMetrics.name));
  const bySteps = new Map<number, StepMetrics>();
  for (const r of rows) {
    const step = bySteps.get(r.step) ?? ({ step: r.step } as StepMetrics);
    step[r.name] = r.value;
    bySteps.set(r.step, step);
  }
  return [...bySteps.values()];
}

export async function getTrainingJob({ db, actor, id }: { db: Db; actor: Actor; id: string }) {
  const row = await ownJob(db, actor, id);
  return jobView(row, await metricsOf(db, id));
}

export async function listTrainingJobs({
  db,
  actor,
  limit,
  cursor,
}: {
  db: Db;
  actor: Actor;
  limit: number;
  cursor?: string;
}) {
  const after = cursor ? decodeCursor(cursor) : null;
  const rows = await db
    .select()
    .from(trainingJobs)
    .where(
      and(
        eq(trainingJobs.accountId, actor.accountId),
        after
          ? or(
              lt(trainingJobs.createdAt, after.createdAt),
              and(eq(trainingJobs.createdAt, after.createdAt), lt(trainingJobs.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(trainingJobs.createdAt), desc(trainingJobs.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map((row) => jobView(row)),
    next_cursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

/**
 * A CREATED job is cancelled at once (it never reached a runner); otherwise the cancel is recorded and the
 * dispatcher, the only part that talks to runners, stops the runner's job and ends it CANCELLED.
 */
export async function cancelTrainingJob({
  db,
  actor,
  id,
  queue,
}: {
  db: Db;
  actor: Actor;
  id: string;
  queue: TrainingQueue | undefined;
}) {
  const row = await ownJob(db, actor, id);
  if (isTerminal(row.state)) throw new ApiError("conflict", `The job already ended ${row.state}.`);
  const now = Date.now();
  await db.batch([
    db
      .update(trainingJobs)
      .set({ cancelRequested: true, updatedAt: now })
      .where(and(eq(trainingJobs.id, id), lt(trainingJobs.rank, RANK.SUCCEEDED))),
    db
      .update(trainingJobs)
      .set({
        state: "CANCELLED",
        rank: RANK.CANCELLED,
        error: "cancelled by the client before submission",
        finishedAt: now,
      })
      .where(and(eq(trainingJobs.id, id), eq(trainingJobs.state, "CREATED"))),
    ...settlementStatements(db, id, now),
  ]);
  const after = (await loadJob(db, id)) as JobRow;
  if (!isTerminal(after.state)) {
    try {
      await queue?.send({ kind: "poll", job_id: id });
    } catch (err) {
      console.error(JSON.stringify({ job: id, enqueue: "failed", error: String(err) }));
    }
  }
  return jobView(after, await metricsOf(db, id));
}
