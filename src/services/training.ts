import { and, asc, desc, eq, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { trainingJobPayloads, trainingJobs, trainingMetrics } from "../db/schema";
import type { Actor } from "../env";
import { ApiError } from "../errors";
import { newId } from "../lib/crypto";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import type { TrainingQueue } from "../queue/contract";
import type { CreateTrainingJobInput } from "../routes/training/schema";
import { isTerminal, type JobState, RANK } from "../training/states";
import { type JobRow, loadJob } from "../training/store";
import type { Score } from "../userville/score";
import { expandTrainingRows, SEEN_PREFERENCES } from "../userville/training-rows";
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
    error: row.error,
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
    try {
      await loadTasks({ db, actor, ids: config.task_ids });
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== "not_found") throw err;
      throw new ApiError("invalid_request", err.message, {
        details: [{ path: "config.task_ids", ...(err.details as object) }],
      });
    }
    const preferences = config.preferences ? [...new Set(config.preferences)] : [...SEEN_PREFERENCES];
    const rows = expandTrainingRows([...new Set(config.task_ids)], preferences);
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
  const items = input.items.map((item, i) => ({
    ...item,
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
}: {
  db: Db;
  actor: Actor;
  input: CreateTrainingJobInput;
  scored: ScoredItems | null;
  queue: TrainingQueue | undefined;
}) {
  const { payload, summary } = await payloadOf(db, actor, input, scored);
  const text = JSON.stringify(payload);
  const id = newId("job");
  const now = Date.now();
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += PAYLOAD_CHUNK_CHARS)
    parts.push(text.slice(i, i + PAYLOAD_CHUNK_CHARS));
  const [job] = await db.batch([
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
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    ...parts.map((data, seq) => db.insert(trainingJobPayloads).values({ jobId: id, seq, data })),
  ]);
  // After the commit: a lost send leaves the job CREATED, and the dispatcher's cron re-drives it.
  try {
    if (!queue) throw new Error("TRAINING_QUEUE is not bound");
    await queue.send({ kind: "dispatch", job_id: id });
  } catch (err) {
    console.error(JSON.stringify({ job: id, enqueue: "failed", error: String(err) }));
  }
  return jobView(job[0]);
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
