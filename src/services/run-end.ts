/**
 * How a leaderboard run ends and becomes an entry. A run ends when its last session finishes, or at its deadline
 * (then its unfinished sessions score 0); either way its entry is computed from the stored sessions and signed.
 * Nothing is submitted and nothing chosen: every ended run is an entry. Expiry is lazy: a run past its deadline
 * is ended by the next read of it, of one of its sessions, or of its benchmark's leaderboard.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { leaderboardEntries, runs, sessions } from "../db/schema";
import type { Actor, Bindings } from "../env";
import { ApiError } from "../errors";
import { newId, sha256Hex } from "../lib/crypto";
import { canonicalJson, hmacSha256Hex } from "../lib/signing";
import { aggregateRun, type RunSession, seedOf } from "../userville/leaderboard";
import type { PreferenceId } from "../userville/types";
import { loadBenchmark } from "./benchmarks";
import {
  DEFAULT_DEADLINE_MS,
  deadlineOf,
  loadRun,
  type RunRow,
  runSessionRows,
  runsStarted,
  runView,
  sessionViews,
} from "./runs";
import { loadSession } from "./sessions";

export type EntryRow = typeof leaderboardEntries.$inferSelect;
type SessionRows = Awaited<ReturnType<typeof runSessionRows>>;

export function signingKey(env: Bindings) {
  if (!env.LEADERBOARD_SIGNING_KEY)
    throw new ApiError(
      "internal_error",
      "LEADERBOARD_SIGNING_KEY is not configured: entries cannot be signed.",
    );
  return env.LEADERBOARD_SIGNING_KEY;
}

/** A stored Score as the aggregates read it; null for an unfinished session or a score that is not one. */
function runSessionOf(row: SessionRows[number]): RunSession | null {
  const score = row.score as {
    productivity?: unknown;
    reward?: unknown;
    metrics?: { proactive?: unknown; personalized?: unknown; asked?: unknown };
  } | null;
  const m = score?.metrics;
  if (row.state !== "finished" || typeof score?.productivity !== "number" || typeof score.reward !== "number")
    return null;
  if (typeof m?.proactive !== "boolean" || typeof m.asked !== "boolean") return null;
  if (m.personalized !== null && typeof m.personalized !== "boolean") return null;
  return {
    taskId: row.taskId,
    preference: row.preference as PreferenceId,
    vague: row.vague,
    productivity: score.productivity,
    reward: score.reward,
    proactive: m.proactive,
    personalized: m.personalized,
    asked: m.asked,
  };
}

/** The scores and the sessions digest, from the stored sessions alone; null if any is not finished and scored. */
export async function scoresFromSessions(benchmarkId: string, rows: SessionRows) {
  const parsed = rows.map(runSessionOf);
  if (parsed.length === 0 || parsed.some((s) => s === null)) return null;
  const scores = aggregateRun(parsed as RunSession[], { seed: seedOf(benchmarkId) });
  const digestOf = [...rows]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((r) => ({ id: r.id, task_id: r.taskId, preference: r.preference, vague: r.vague, score: r.score }));
  return { scores, sessionsSha256: await sha256Hex(canonicalJson(digestOf)) };
}

/** What the signature covers: everything an entry shows, plus the run and the digest of its sessions. */
export function entryDocument(e: Omit<EntryRow, "signature">) {
  return {
    v: 1,
    id: e.id,
    benchmark_id: e.benchmarkId,
    run_id: e.runId,
    agent: e.agent,
    version: e.version,
    engine: e.engine,
    model: e.model,
    prompt_versions: e.promptVersions,
    scores: e.scores,
    sessions_sha256: e.sessionsSha256,
    submitted_at: new Date(e.createdAt).toISOString(),
  };
}

export async function entryOfRun(db: Db, runId: string) {
  const [row] = await db
    .select()
    .from(leaderboardEntries)
    .where(eq(leaderboardEntries.runId, runId))
    .limit(1);
  return row;
}

/**
 * What a session left unfinished at its run's deadline scores: 0 in every dimension (not proactive, not
 * personalized, no task score). Written by one UPDATE over the run's open sessions, in SQL, so `asked` and
 * `questions` say what the session did.
 */
const EXPIRED_SCORE = sql`json_object(
  'reward', 0, 'productivity', 0, 'proactivity', 0, 'personalization', 0,
  'metrics', json_object('proactive', json('false'), 'personalized', json('false'),
    'asked', json(CASE WHEN ${sessions.questionCount} > 0 THEN 'true' ELSE 'false' END),
    'questions', ${sessions.questionCount}, 'effort', NULL),
  'questions', json('[]'), 'profile', ${sessions.profile}, 'engine', ${sessions.engine}, 'expired', json('true'))`;

/**
 * Ends a run that is due: every session finished, or its deadline passed (then its open sessions are closed with
 * the zero score first). Its entry is computed from the stored sessions, signed, and stored in one batch with
 * the run marked ended; racing settlers store one entry. Once no session is open nothing can change a session
 * (every write needs state = 'open'), so the entry is final. Idempotent; a run that is not due is returned as is.
 */
export async function settleRun({
  db,
  env,
  run,
  now = Date.now(),
}: {
  db: Db;
  env: Bindings;
  run: RunRow;
  now?: number;
}): Promise<RunRow> {
  if (run.state === "ended") return run;
  let rows = await runSessionRows(db, run.id);
  const open = rows.some((r) => r.state === "open");
  if (open && now < deadlineOf(run)) return run;
  if (open) {
    await db
      .update(sessions)
      .set({ state: "finished", score: EXPIRED_SCORE, finishedAt: now })
      .where(and(eq(sessions.runId, run.id), eq(sessions.state, "open")));
    rows = await runSessionRows(db, run.id);
  }
  const key = signingKey(env);
  const computed = await scoresFromSessions(run.benchmarkId, rows);
  if (!computed) throw new ApiError("internal_error", `A session of run ${run.id} has no stored score.`);
  const expired = rows.some((r) => (r.score as { expired?: unknown } | null)?.expired === true);
  const endedAt = expired ? deadlineOf(run) : Math.max(...rows.map((r) => r.finishedAt ?? 0));
  const unsigned = {
    id: newId("entry"),
    runId: run.id,
    benchmarkId: run.benchmarkId,
    agent: run.agent,
    version: run.version,
    engine: run.engine,
    model: run.model,
    promptVersions: run.promptVersions,
    scores: computed.scores as unknown as Record<string, unknown>,
    sessionsSha256: computed.sessionsSha256,
    createdAt: now,
  };
  const signature = await hmacSha256Hex(key, canonicalJson(entryDocument(unsigned)));
  await db.batch([
    db
      .update(runs)
      .set({ state: "ended", endedAt, endedBy: expired ? "expired" : "finished" })
      .where(and(eq(runs.id, run.id), eq(runs.state, "open"))),
    db
      .insert(leaderboardEntries)
      .values({ ...unsigned, signature })
      .onConflictDoNothing({ target: leaderboardEntries.runId }),
  ]);
  const [ended] = await db.select().from(runs).where(eq(runs.id, run.id)).limit(1);
  return ended;
}

async function runById(db: Db, id: string) {
  const [row] = await db.select().from(runs).where(eq(runs.id, id)).limit(1);
  if (!row) throw new ApiError("not_found", `No run ${id}.`);
  return row;
}

/** Whether a run has ended, settling it first; the run's sessions stay concealed until it has. */
export async function runHasEnded({ db, env, runId }: { db: Db; env: Bindings; runId: string }) {
  return (await settleRun({ db, env, run: await runById(db, runId) })).state === "ended";
}

/**
 * Called once a run's session finished: the last one ends the run. A failure here (D1, a missing signing key)
 * leaves the run open, concealed and due, and the next read of the run or its leaderboard settles it.
 */
export async function settleAfterFinish({ db, env, runId }: { db: Db; env: Bindings; runId: string }) {
  try {
    await runHasEnded({ db, env, runId });
  } catch (err) {
    console.error(JSON.stringify({ settle_run: runId, error: String(err) }));
  }
}

/**
 * For the session routes that change a session (ask, action, finish): the session's run, if any, must still
 * be open and before its deadline. A run past its deadline is settled here (its unfinished sessions score 0).
 */
export async function assertRunAcceptsCalls({
  db,
  env,
  actor,
  sessionId,
}: {
  db: Db;
  env: Bindings;
  actor: Actor;
  sessionId: string;
}): Promise<string | null> {
  const session = await loadSession({ db, actor, id: sessionId });
  if (!session.runId) return null;
  const run = await settleRun({ db, env, run: await runById(db, session.runId) });
  if (run.state === "ended") {
    const why =
      run.endedBy === "expired"
        ? `its deadline passed at ${new Date(deadlineOf(run)).toISOString()}; unfinished sessions scored 0`
        : "every session of it is finished";
    throw new ApiError("conflict", `Run ${run.id} has ended (${why}); its sessions take no more calls.`, {
      details: { run_id: run.id, ended_by: run.endedBy },
    });
  }
  return run.id;
}

/** Open runs of a benchmark that are due to end (all sessions finished, or past the deadline), a few per read. */
const SETTLE_PER_READ = 25;

export async function settleDueRuns(db: Db, env: Bindings, benchmarkId: string) {
  const now = Date.now();
  const due = await db
    .select()
    .from(runs)
    .where(
      and(
        eq(runs.benchmarkId, benchmarkId),
        eq(runs.state, "open"),
        sql`(coalesce(${runs.deadlineAt}, ${runs.createdAt} + ${DEFAULT_DEADLINE_MS}) <= ${now}
          OR NOT EXISTS (SELECT 1 FROM ${sessions} WHERE ${sessions.runId} = ${runs.id} AND ${sessions.state} = 'open'))`,
      ),
    )
    .limit(SETTLE_PER_READ);
  for (const run of due) await settleRun({ db, env, run, now });
}

/** The run with every session's state, for an agent that resumes a run; settles it first. */
export async function getRun({ db, env, actor, id }: { db: Db; env: Bindings; actor: Actor; id: string }) {
  const row = await settleRun({ db, env, run: await loadRun({ db, actor, id }) });
  const [rows, entry, started, benchmark] = await Promise.all([
    runSessionRows(db, row.id),
    entryOfRun(db, row.id),
    runsStarted(db, row),
    loadBenchmark(db, row.benchmarkId),
  ]);
  const finished = rows.filter((r) => r.state === "finished").length;
  return {
    ...runView(row, { entryId: entry?.id ?? null, runsStarted: started, maxRuns: benchmark.maxRuns }),
    progress: { finished, total: rows.length },
    sessions: await sessionViews(db, rows),
  };
}
