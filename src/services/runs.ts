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
import { loadBenchmark } from "./benchmarks";
import { RULES_VERSION } from "./sessions";
import type { StoredTask } from "./tasks";

export type RunRow = typeof runs.$inferSelect;
type RunSessionRow = Pick<
  typeof sessions.$inferSelect,
  "id" | "taskId" | "preference" | "vague" | "state" | "score"
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

async function sessionViews(db: Db, rows: RunSessionRow[]) {
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

/**
 * Starts a run: the run row and all its sessions in one D1 batch. The run insert counts today's runs of this
 * account on this benchmark in the same statement, so concurrent starts cannot pass the quota; each session
 * insert joins the run row, so when the quota refused the run, no session is written either.
 */
export async function startRun({
  db,
  env,
  actor,
  benchmarkId,
  input,
}: {
  db: Db;
  env: Bindings;
  actor: Actor;
  benchmarkId: string;
  input: { agent: string; version?: string };
}) {
  const benchmark = await loadBenchmark(db, benchmarkId);
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
    INSERT INTO ${runs} (id, benchmark_id, account_id, agent, version, profile, engine, model, prompt_versions, day, created_at)
    SELECT ${runId}, b.id, ${actor.accountId}, ${input.agent}, ${input.version ?? null}, b.profile, ${engine},
      ${engine === "llm" ? (env.LLM_MODEL ?? null) : null}, ${JSON.stringify(promptVersions)}, ${day}, ${now}
    FROM ${benchmarks} AS b
    WHERE b.id = ${benchmark.id}
      AND (SELECT count(*) FROM ${runs} AS q
           WHERE q.benchmark_id = b.id AND q.account_id = ${actor.accountId} AND q.day = ${day}) < b.daily_run_quota`,
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
  if (!run.meta.changes) {
    throw new ApiError(
      "rate_limited",
      `This account has used its ${benchmark.dailyRunQuota} runs of ${benchmark.id} for ${day} (UTC); ` +
        "try again after midnight UTC.",
      {
        details: { quota: benchmark.dailyRunQuota, day },
        headers: { "Retry-After": String(secondsToUtcMidnight(now)) },
      },
    );
  }
  const rows = await runSessionRows(db, runId);
  return {
    ...runView(await loadRun({ db, actor, id: runId }), null),
    sessions: await sessionViews(db, rows),
  };
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
    })
    .from(sessions)
    .where(eq(sessions.runId, runId));
}

export function runView(row: RunRow, entryId: string | null) {
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
    submitted_at: row.submittedAt ? new Date(row.submittedAt).toISOString() : null,
    entry_id: entryId,
  };
}

/** The run with every session's state, for an agent that resumes a run. */
export async function getRun({ db, actor, id }: { db: Db; actor: Actor; id: string }) {
  const row = await loadRun({ db, actor, id });
  const [rows, [entry]] = await Promise.all([
    runSessionRows(db, row.id),
    db
      .select({ id: leaderboardEntries.id })
      .from(leaderboardEntries)
      .where(eq(leaderboardEntries.runId, row.id))
      .limit(1),
  ]);
  const finished = rows.filter((r) => r.state === "finished").length;
  return {
    ...runView(row, entry?.id ?? null),
    progress: { finished, total: rows.length },
    sessions: await sessionViews(db, rows),
  };
}
