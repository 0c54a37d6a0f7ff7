import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { leaderboardEntries, runs } from "../db/schema";
import type { Actor, Bindings } from "../env";
import { ApiError } from "../errors";
import { newId, sha256Hex } from "../lib/crypto";
import { canonicalJson, hmacSha256Hex, hmacSha256Verify } from "../lib/signing";
import { aggregateRun, type EntryScores, type RunSession, seedOf } from "../userville/leaderboard";
import type { PreferenceId } from "../userville/types";
import { getBenchmark } from "./benchmarks";
import { loadRun, runSessionRows } from "./runs";

export type EntryRow = typeof leaderboardEntries.$inferSelect;
type SessionRows = Awaited<ReturnType<typeof runSessionRows>>;

export const SORTS = ["avg", "productivity", "proactivity", "personalization", "pass1"] as const;
export type Sort = (typeof SORTS)[number];
export const SPLITS = ["all", "seen", "unseen", "vague", "precise"] as const;
export type SplitView = (typeof SPLITS)[number];

function signingKey(env: Bindings) {
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
async function scoresFromSessions(benchmarkId: string, rows: SessionRows) {
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

export function entryView(row: EntryRow, rank: number | null = null) {
  return {
    id: row.id,
    rank,
    benchmark_id: row.benchmarkId,
    agent: row.agent,
    version: row.version,
    engine: row.engine,
    model: row.model,
    prompt_versions: row.promptVersions,
    scores: row.scores as unknown as EntryScores,
    signature: row.signature,
    submitted_at: new Date(row.createdAt).toISOString(),
  };
}

export type EntryView = ReturnType<typeof entryView>;

async function entryOfRun(db: Db, runId: string) {
  const [row] = await db
    .select()
    .from(leaderboardEntries)
    .where(eq(leaderboardEntries.runId, runId))
    .limit(1);
  return row;
}

/**
 * Submits a run: its entry is computed from the service's own stored sessions (the request carries no
 * numbers), signed, and stored with the run marked submitted in one batch. Submitting again returns the
 * same entry; two racing submits store one.
 */
export async function submitRun({ db, env, actor, id }: { db: Db; env: Bindings; actor: Actor; id: string }) {
  const run = await loadRun({ db, actor, id });
  if (run.state === "submitted") {
    const existing = await entryOfRun(db, run.id);
    if (existing) return { entry: entryView(existing), created: false };
  }
  const rows = await runSessionRows(db, run.id);
  const unfinished = rows.filter((r) => r.state !== "finished").map((r) => r.id);
  if (unfinished.length) {
    throw new ApiError(
      "conflict",
      `${unfinished.length} of the run's ${rows.length} sessions are not finished; finish every session, then submit.`,
      { details: { unfinished: unfinished.length, session_ids: unfinished.slice(0, 20) } },
    );
  }
  const key = signingKey(env);
  const computed = await scoresFromSessions(run.benchmarkId, rows);
  if (!computed) throw new ApiError("conflict", "A session of this run has no stored score.");
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
    createdAt: Date.now(),
  };
  const signature = await hmacSha256Hex(key, canonicalJson(entryDocument(unsigned)));
  await db.batch([
    db
      .update(runs)
      .set({ state: "submitted", submittedAt: unsigned.createdAt })
      .where(and(eq(runs.id, run.id), eq(runs.state, "open"))),
    db
      .insert(leaderboardEntries)
      .values({ ...unsigned, signature })
      .onConflictDoNothing({ target: leaderboardEntries.runId }),
  ]);
  const stored = (await entryOfRun(db, run.id)) as EntryRow;
  return { entry: entryView(stored), created: stored.id === unsigned.id };
}

function sortValue(scores: EntryScores, sort: Sort, split: SplitView): number | null {
  if (sort === "pass1") return split === "all" ? (scores.pass_k["1"] ?? null) : null;
  const group = split === "all" ? scores : scores.splits[split];
  return group?.[sort].mean ?? null;
}

/**
 * A benchmark's entries, best first by `sort` within `split`; entries without a value there come last, ties
 * go to the earlier submission. Public data: any key may read it, and the page renders the same list.
 */
export async function listEntries({
  db,
  benchmarkId,
  sort = "avg",
  split = "all",
}: {
  db: Db;
  benchmarkId: string;
  sort?: Sort;
  split?: SplitView;
}) {
  const benchmark = await getBenchmark(db, benchmarkId);
  const rows = await db
    .select()
    .from(leaderboardEntries)
    .where(eq(leaderboardEntries.benchmarkId, benchmark.id));
  const keyed = rows.map((row) => ({
    row,
    value: sortValue(row.scores as unknown as EntryScores, sort, split),
  }));
  keyed.sort(
    (a, b) =>
      (b.value ?? Number.NEGATIVE_INFINITY) - (a.value ?? Number.NEGATIVE_INFINITY) ||
      a.row.createdAt - b.row.createdAt ||
      a.row.id.localeCompare(b.row.id),
  );
  return { benchmark, sort, split, entries: keyed.map(({ row }, i) => entryView(row, i + 1)) };
}

export async function getEntry(db: Db, benchmarkId: string, entryId: string) {
  const [row] = await db
    .select()
    .from(leaderboardEntries)
    .where(and(eq(leaderboardEntries.id, entryId), eq(leaderboardEntries.benchmarkId, benchmarkId)))
    .limit(1);
  if (!row) throw new ApiError("not_found", `No entry ${entryId} on benchmark ${benchmarkId}.`);
  return row;
}

/**
 * Two checks, both needed: the stored entry carries the service's signature (nobody edited the entry), and
 * recomputing it from the stored sessions gives the same document (nobody edited the sessions).
 */
export async function verifyEntry({
  db,
  env,
  benchmarkId,
  entryId,
}: {
  db: Db;
  env: Bindings;
  benchmarkId: string;
  entryId: string;
}) {
  const row = await getEntry(db, benchmarkId, entryId);
  const key = signingKey(env);
  const stored = canonicalJson(entryDocument(row));
  const signature = await hmacSha256Verify(key, stored, row.signature);
  const computed = await scoresFromSessions(row.benchmarkId, await runSessionRows(db, row.runId));
  const sessionsMatch =
    computed !== null &&
    stored ===
      canonicalJson(
        entryDocument({
          ...row,
          scores: computed.scores as unknown as Record<string, unknown>,
          sessionsSha256: computed.sessionsSha256,
        }),
      );
  return { valid: signature && sessionsMatch, checks: { signature, sessions: sessionsMatch } };
}

/** Entries per benchmark, for the index page. */
export async function entryCounts(db: Db) {
  const rows = await db
    .select({ benchmarkId: leaderboardEntries.benchmarkId, n: sql<number>`count(*)` })
    .from(leaderboardEntries)
    .groupBy(leaderboardEntries.benchmarkId);
  return new Map(rows.map((r) => [r.benchmarkId, r.n]));
}
