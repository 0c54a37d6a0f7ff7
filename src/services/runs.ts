import { and, asc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { engineOf } from "../config";
import { chunk, type Db, MAX_IN_LIST } from "../db/client";
import { benchmarkItems, benchmarks, leaderboardEntries, runs, sessions, tasks } from "../db/schema";
import type { Actor, Bindings } from "../env";
import { ApiError } from "../errors";
import { newId } from "../lib/crypto";
import { JUDGE_PROMPT_VERSION } from "../llm/prompts/judge";
import { SIMULATOR_PROMPT_VERSION } from "../llm/prompts/simulator";
import { getPreference } from "../userville/preferences";
import type { PreferenceId } from "../userville/types";
import { type BenchmarkRow, loadBenchmark } from "./benchmarks";
import { RULES_VERSION } from "./sessions";
import type { StoredTask } from "./tasks";

export type RunRow = typeof runs.$inferSelect;
type RunSessionRow = Pick<
  typeof sessions.$inferSelect,
  "id" | "taskId" | "preference" | "vague" | "state" | "score" | "finishedAt"
>;

/** Two bound parameters per session row (id, item position) plus the run id: 45 rows stay under D1's 100. */
const SESSION_ROWS_PER_INSERT = 45;

const dialect = new SQLiteAsyncDialect();

/** drizzle's batch cannot carry raw SQL (INSERT … SELECT … FROM (VALUES …)), so these go to D1's own batch. */
function d1Statement(db: Db, query: SQL) {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return db.$client.prepare(text).bind(...params);
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function secondsToUtcMidnight(ms: number) {
  const next = new Date(ms);
  next.setUTCHours(24, 0, 0, 0);
  return Math.max(1, Math.ceil((next.getTime() - ms) / 1000));
}

/** A run's sessions play the benchmark owner's tasks; their public side (the prompt) is loaded by id. */
async function loadTasksById(db: Db, ids: string[]) {
  const found = new Map<string, StoredTask>();
  for (const part of chunk([...new Set(ids)], MAX_IN_LIST)) {
    for (const row of await db.select().from(tasks).where(inArray(tasks.id, part))) found.set(row.id, row);
  }
  return found;
}

/** Same item together, trials adjacent: by task, preference, vague first, then id. */
function byItem(a: RunSessionRow, b: RunSessionRow) {
  return (
    a.taskId.localeCompare(b.taskId) ||
    a.preference.localeCompare(b.preference) ||
    Number(b.vague) - Number(a.vague) ||
    a.id.localeCompare(b.id)
  );
}

export async function sessionViews(db: Db, rows: RunSessionRow[]) {
  const found = await loadTasksById(
    db,
    rows.map((r) => r.taskId),
  );
  return [...rows].sort(byItem).map((r) => {
    const task = found.get(r.taskId) as StoredTask;
    const preference = getPreference(r.preference as PreferenceId);
    return {
      id: r.id,
      task_id: r.taskId,
      prompt: r.vague ? task.vaguePrompt : task.hidden.prompt,
      preference: { id: preference.id, description: preference.description },
      vague: r.vague,
      state: r.state,
    };
  });
}

async function runLimitError(db: Db, benchmark: BenchmarkRow, accountId: string, now: number) {
  const [{ started }] = await db
    .select({ started: sql<number>`count(*)` })
    .from(runs)
    .where(and(eq(runs.benchmarkId, benchmark.id), eq(runs.accountId, accountId)));
  if (started >= benchmark.maxRuns) {
    return new ApiError(
      "forbidden",
      `This account has started its ${benchmark.maxRuns} runs of ${benchmark.id}, the most one account may ` +
        "ever start there; every one of them is an entry on the leaderboard.",
      { details: { max_runs: benchmark.maxRuns, runs_started: started } },
    );
  }
  const day = utcDay(now);
  return new ApiError(
    "rate_limited",
    `This account has used its ${benchmark.dailyRunQuota} runs of ${benchmark.id} for ${day} (UTC); ` +
      "try again after midnight UTC.",
    {
      details: { quota: benchmark.dailyRunQuota, day },
      headers: { "Retry-After": String(secondsToUtcMidnight(now)) },
    },
  );
}

/**
 * The run that an earlier, dead attempt of the same idempotent start stored (with its sessions: one batch wrote
 * both), answered as a fresh start would answer it, so that the retry neither counts against the limits again
 * nor leaves the first run orphaned.
 */
async function adoptedRun(db: Db, actor: Actor, benchmark: BenchmarkRow, attempts: string[]) {
  const [row] = await db
    .select()
    .from(runs)
    .where(
      and(
        eq(runs.accountId, actor.accountId),
        eq(runs.benchmarkId, benchmark.id),
        inArray(runs.requestId, attempts.slice(-MAX_IN_LIST)),
      ),
    )
    .limit(1);
  if (!row) return null;
  const [entry] = await db
    .select({ id: leaderboardEntries.id })
    .from(leaderboardEntries)
    .where(eq(leaderboardEntries.runId, row.id))
    .limit(1);
  return {
    ...runView(row, {
      entryId: entry?.id ?? null,
      runsStarted: await runsStarted(db, row),
      maxRuns: benchmark.maxRuns,
    }),
    sessions: await sessionViews(db, await runSessionRows(db, row.id)),
  };
}

/**
 * Starts a run: the run row and all its sessions in one D1 batch. The run insert counts this account's runs on
 * this benchmark (today's, and all it ever started) in the same statement, so concurrent starts cannot pass
 * either limit; each session insert joins the run row, so when a limit refused the run, no session is written.
 */
export async function startRun({
  db,
  env,
  actor,
  benchmarkId,
  input,
  requestId,
  priorAttempts,
}: {
  db: Db;
  env: Bindings;
  actor: Actor;
  benchmarkId: string;
  input: { agent: string; version?: string };
  /** This attempt, stored as the run's request_id. */
  requestId?: string;
  /** Earlier attempts of the same idempotent request that died: a run one of them started is adopted. */
  priorAttempts?: string[];
}) {
  const benchmark = await loadBenchmark(db, benchmarkId);
  if (priorAttempts?.length) {
    const adopted = await adoptedRun(db, actor, benchmark, priorAttempts);
    if (adopted) return adopted;
  }
  const items = await db
    .select({ position: benchmarkItems.position })
    .from(benchmarkItems)
    .where(eq(benchmarkItems.benchmarkId, benchmark.id))
    .orderBy(asc(benchmarkItems.position));
  const engine = engineOf(env);
  // As createSession records them: what plays the user, and its prompt versions.
  const promptVersions =
    engine === "llm"
      ? { simulator: SIMULATOR_PROMPT_VERSION, judge: JUDGE_PROMPT_VERSION, rules: RULES_VERSION }
      : { rules: RULES_VERSION };
  const now = Date.now();
  const day = utcDay(now);
  const runId = newId("run");
  const plan = items.flatMap((item) =>
    Array.from({ length: benchmark.trials }, () => ({ id: newId("ses"), position: item.position })),
  );
  const insertRun = d1Statement(
    db,
    sql`
    INSERT INTO ${runs} (id, benchmark_id, account_id, agent, version, profile, engine, model, prompt_versions, day, created_at, deadline_at, request_id)
    SELECT ${runId}, b.id, ${actor.accountId}, ${input.agent}, ${input.version ?? null}, b.profile, ${engine},
      ${engine === "llm" ? (env.LLM_MODEL ?? null) : null}, ${JSON.stringify(promptVersions)}, ${day}, ${now},
      ${now} + b.deadline_minutes * 60000, ${requestId ?? null}
    FROM ${benchmarks} AS b
    WHERE b.id = ${benchmark.id}
      AND (SELECT count(*) FROM ${runs} AS q
           WHERE q.benchmark_id = b.id AND q.account_id = ${actor.accountId} AND q.day = ${day}) < b.daily_run_quota
      AND (SELECT count(*) FROM ${runs} AS q
           WHERE q.benchmark_id = b.id AND q.account_id = ${actor.accountId}) < b.max_runs`,
  );
  const insertSessions = chunk(plan, SESSION_ROWS_PER_INSERT).map((part) =>
    d1Statement(
      db,
      sql`
      INSERT INTO ${sessions} (id, account_id, task_id, preference, vague, profile, engine, model, prompt_versions, run_id)
      SELECT v.column1, r.account_id, i.task_id, i.preference, i.vague, r.profile, r.engine, r.model, r.prompt_versions, r.id
      FROM (VALUES ${sql.join(
        part.map((p) => sql`(${p.id}, ${p.position})`),
        sql`, `,
      )}) AS v
      JOIN ${runs} AS r ON r.id = ${runId}
      JOIN ${benchmarkItems} AS i ON i.benchmark_id = r.benchmark_id AND i.position = v.column2`,
    ),
  );
  const [run] = await db.$client.batch([insertRun, ...insertSessions]);
  if (!run.meta.changes) throw await runLimitError(db, benchmark, actor.accountId, now);
  const rows = await runSessionRows(db, runId);
  const row = await loadRun({ db, actor, id: runId });
  return {
    ...runView(row, { entryId: null, runsStarted: await runsStarted(db, row), maxRuns: benchmark.maxRuns }),
    sessions: await sessionViews(db, rows),
  };
}

/** How many runs the run's account has started on its benchmark (this one included). */
export async function runsStarted(db: Db, run: Pick<RunRow, "benchmarkId" | "accountId">) {
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)` })
    .from(runs)
    .where(and(eq(runs.benchmarkId, run.benchmarkId), eq(runs.accountId, run.accountId)));
  return n;
}

export async function loadRun({ db, actor, id }: { db: Db; actor: Actor; id: string }) {
  const [row] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.id, id), eq(runs.accountId, actor.accountId)))
    .limit(1);
  if (!row) throw new ApiError("not_found", `No run ${id} in your account.`);
  return row;
}

export function runSessionRows(db: Db, runId: string): Promise<RunSessionRow[]> {
  return db
    .select({
      id: sessions.id,
      taskId: sessions.taskId,
      preference: sessions.preference,
      vague: sessions.vague,
      state: sessions.state,
      score: sessions.score,
      finishedAt: sessions.finishedAt,
    })
    .from(sessions)
    .where(eq(sessions.runId, runId));
}

export function runView(
  row: RunRow,
  { entryId, runsStarted, maxRuns }: { entryId: string | null; runsStarted: number; maxRuns: number },
) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: row.id,
    benchmark_id: row.benchmarkId,
    agent: row.agent,
    version: row.version,
    state: row.state,
    engine: row.engine,
    model: row.model,
    prompt_versions: row.promptVersions,
    profile: row.profile,
    created_at: new Date(row.createdAt).toISOString(),
    deadline_at: iso(deadlineOf(row)),
    ended_at: row.endedAt === null ? null : iso(row.endedAt),
    ended_by: row.endedBy,
    entry_id: entryId,
    runs_started: runsStarted,
    max_runs: maxRuns,
  };
}

/** Runs from before deadlines existed were given one by migration 0008; this covers a row written in between. */
export const DEFAULT_DEADLINE_MS = 24 * 60 * 60 * 1000;
export const deadlineOf = (row: Pick<RunRow, "deadlineAt" | "createdAt">) =>
  row.deadlineAt ?? row.createdAt + DEFAULT_DEADLINE_MS;
