import { asc, desc, eq, sql } from "drizzle-orm";
import { chunk, type Db } from "../db/client";
import { benchmarkItems, benchmarks } from "../db/schema";
import type { Actor } from "../env";
import { ApiError } from "../errors";
import { newId } from "../lib/crypto";
import { type Assignment, expandItems, type PromptKind } from "../userville/benchmark-items";
import type { PreferenceId, Profile } from "../userville/types";
import { loadTasks } from "./tasks";

/** A run's sessions are written in one D1 batch; this keeps a run playable and its aggregates cheap. */
export const BENCHMARK_LIMITS = { items: 1000, sessionsPerRun: 2000 } as const;

export type BenchmarkRow = typeof benchmarks.$inferSelect;

export interface CreateBenchmarkInput {
  id?: string;
  name: string;
  description?: string;
  task_ids: string[];
  preferences: PreferenceId[];
  prompts: PromptKind[];
  assignment: Assignment;
  trials: number;
  daily_run_quota: number;
  max_runs: number;
  deadline_minutes: number;
  profile: Profile;
}

interface ItemStats {
  items: number;
  tasks: number;
  preferences: string | null;
  vague: number;
  precise: number;
}

export function benchmarkView(row: BenchmarkRow, stats: ItemStats) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tasks: stats.tasks,
    items: stats.items,
    trials: row.trials,
    sessions_per_run: stats.items * row.trials,
    preferences: (stats.preferences?.split(",") ?? []).sort() as PreferenceId[],
    prompts: [...(stats.vague ? ["vague"] : []), ...(stats.precise ? ["precise"] : [])] as PromptKind[],
    assignment: row.assignment,
    profile: row.profile,
    daily_run_quota: row.dailyRunQuota,
    max_runs: row.maxRuns,
    deadline_minutes: row.deadlineMinutes,
    created_at: new Date(row.createdAt).toISOString(),
  };
}

export type BenchmarkView = ReturnType<typeof benchmarkView>;

const itemStats = {
  benchmarkId: benchmarkItems.benchmarkId,
  items: sql<number>`count(*)`,
  tasks: sql<number>`count(distinct ${benchmarkItems.taskId})`,
  preferences: sql<string | null>`group_concat(distinct ${benchmarkItems.preference})`,
  vague: sql<number>`sum(${benchmarkItems.vague})`,
  precise: sql<number>`sum(1 - ${benchmarkItems.vague})`,
};

/** Benchmarks are public: every account may list them and start runs. Newest first. */
export async function listBenchmarks(db: Db) {
  const [rows, stats] = await Promise.all([
    db.select().from(benchmarks).orderBy(desc(benchmarks.createdAt), asc(benchmarks.id)),
    db.select(itemStats).from(benchmarkItems).groupBy(benchmarkItems.benchmarkId),
  ]);
  const byId = new Map(stats.map((s) => [s.benchmarkId, s]));
  return rows.map((row) =>
    benchmarkView(row, byId.get(row.id) ?? { items: 0, tasks: 0, preferences: null, vague: 0, precise: 0 }),
  );
}

export async function loadBenchmark(db: Db, id: string) {
  const [row] = await db.select().from(benchmarks).where(eq(benchmarks.id, id)).limit(1);
  if (!row) throw new ApiError("not_found", `No benchmark ${id}.`);
  return row;
}

export async function getBenchmark(db: Db, id: string) {
  const row = await loadBenchmark(db, id);
  const [stats] = await db
    .select(itemStats)
    .from(benchmarkItems)
    .where(eq(benchmarkItems.benchmarkId, id))
    .groupBy(benchmarkItems.benchmarkId);
  return benchmarkView(row, stats ?? { items: 0, tasks: 0, preferences: null, vague: 0, precise: 0 });
}

/** Five bound parameters per item row: 19 rows per statement stay under D1's 100. */
const ITEM_ROWS_PER_INSERT = 19;

/**
 * Creates a benchmark from the admin's own tasks (another account's task is a 404, as everywhere). The items
 * are expanded once and stored, so every run plays the same ones; benchmark and items land in one batch.
 */
export async function createBenchmark({
  db,
  actor,
  input,
}: {
  db: Db;
  actor: Actor;
  input: CreateBenchmarkInput;
}) {
  await loadTasks({ db, actor, ids: input.task_ids });
  const items = expandItems({
    taskIds: input.task_ids,
    preferences: input.preferences,
    prompts: input.prompts,
    assignment: input.assignment,
  });
  if (
    items.length > BENCHMARK_LIMITS.items ||
    items.length * input.trials > BENCHMARK_LIMITS.sessionsPerRun
  ) {
    throw new ApiError(
      "invalid_request",
      `A benchmark may have at most ${BENCHMARK_LIMITS.items} items and ${BENCHMARK_LIMITS.sessionsPerRun} sessions ` +
        `per run (items × trials); this one has ${items.length} items × ${input.trials} trials.`,
    );
  }
  const id = input.id ?? newId("bench");
  const [existing] = await db
    .select({ id: benchmarks.id })
    .from(benchmarks)
    .where(eq(benchmarks.id, id))
    .limit(1);
  if (existing) throw new ApiError("conflict", `Benchmark ${id} already exists.`);
  const rows = items.map((item, position) => ({ benchmarkId: id, position, ...item }));
  try {
    await db.batch([
      db.insert(benchmarks).values({
        id,
        accountId: actor.accountId,
        name: input.name,
        description: input.description ?? null,
        trials: input.trials,
        profile: input.profile,
        assignment: input.assignment,
        dailyRunQuota: input.daily_run_quota,
        maxRuns: input.max_runs,
        deadlineMinutes: input.deadline_minutes,
      }),
      ...chunk(rows, ITEM_ROWS_PER_INSERT).map((part) => db.insert(benchmarkItems).values(part)),
    ]);
  } catch (err) {
    // Two creations racing for one explicit id: the batch rolled back as a whole.
    if (String(err).includes("UNIQUE constraint failed: benchmarks.id"))
      throw new ApiError("conflict", `Benchmark ${id} already exists.`);
    throw err;
  }
  return getBenchmark(db, id);
}
