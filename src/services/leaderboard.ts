import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { leaderboardEntries, runs } from "../db/schema";
import type { Actor, Bindings } from "../env";
import { ApiError } from "../errors";
import { canonicalJson, hmacSha256Verify } from "../lib/signing";
import type { EntryScores } from "../userville/leaderboard";
import { getBenchmark } from "./benchmarks";
import {
  type EntryRow,
  entryDocument,
  getRun,
  scoresFromSessions,
  settleDueRuns,
  signingKey,
} from "./run-end";
import { runSessionRows } from "./runs";

export const SORTS = ["avg", "productivity", "proactivity", "personalization", "pass1"] as const;
export type Sort = (typeof SORTS)[number];
export const SPLITS = ["all", "seen", "unseen", "vague", "precise"] as const;
export type SplitView = (typeof SPLITS)[number];

export function entryView(
  row: EntryRow,
  { rank = null, runsStarted, endedBy }: { rank?: number | null; runsStarted: number; endedBy: EndedBy },
) {
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
    runs_started: runsStarted,
    ended_by: endedBy,
    signature: row.signature,
    submitted_at: new Date(row.createdAt).toISOString(),
  };
}

export type EntryView = ReturnType<typeof entryView>;
type EndedBy = "finished" | "expired";

/**
 * What `POST /v1/runs/{id}/submit` still answers: the entry of an ended run (every ended run has one; nothing
 * is chosen), or 409 while the run is open. It changes nothing a read would not.
 */
export async function runEntry({ db, env, actor, id }: { db: Db; env: Bindings; actor: Actor; id: string }) {
  const run = await getRun({ db, env, actor, id });
  if (run.state !== "ended" || !run.entry_id) {
    throw new ApiError(
      "conflict",
      `Run ${run.id} is open: ${run.progress.total - run.progress.finished} of its ${run.progress.total} ` +
        `sessions are unfinished. It ends by itself when the last one finishes, or at ${run.deadline_at}.`,
      { details: { ...run.progress, deadline_at: run.deadline_at } },
    );
  }
  const board = await listEntries({ db, env, benchmarkId: run.benchmark_id });
  const entry = board.entries.find((e) => e.id === run.entry_id);
  if (!entry) throw new ApiError("conflict", `The entry of run ${run.id} does not verify.`);
  return entry;
}

function sortValue(scores: EntryScores, sort: Sort, split: SplitView): number | null {
  if (sort === "pass1") return split === "all" ? (scores.pass_k["1"] ?? null) : null;
  const group = split === "all" ? scores : scores.splits[split];
  return group?.[sort].mean ?? null;
}

/**
 * A benchmark's entries, best first by `sort` within `split`; entries without a value there come last, ties go
 * to the earlier entry. Only entries whose signature verifies are listed (`hidden` counts the others); each
 * shows how many runs its account started on the benchmark. Due runs are settled first (lazy expiry).
 * Public data: any key may read it, and the page renders the same list.
 */
export async function listEntries({
  db,
  env,
  benchmarkId,
  sort = "avg",
  split = "all",
}: {
  db: Db;
  env: Bindings;
  benchmarkId: string;
  sort?: Sort;
  split?: SplitView;
}) {
  const benchmark = await getBenchmark(db, benchmarkId);
  const key = signingKey(env);
  await settleDueRuns(db, env, benchmark.id);
  const [rows, started] = await Promise.all([
    db
      .select({ entry: leaderboardEntries, accountId: runs.accountId, endedBy: runs.endedBy })
      .from(leaderboardEntries)
      .innerJoin(runs, eq(runs.id, leaderboardEntries.runId))
      .where(eq(leaderboardEntries.benchmarkId, benchmark.id)),
    db
      .select({ accountId: runs.accountId, n: sql<number>`count(*)` })
      .from(runs)
      .where(eq(runs.benchmarkId, benchmark.id))
      .groupBy(runs.accountId),
  ]);
  const startedBy = new Map(started.map((r) => [r.accountId, r.n]));
  const checked = await Promise.all(
    rows.map(async (r) => ({ ...r, valid: await signatureValid(key, r.entry) })),
  );
  const visible = checked.filter((r) => r.valid);
  const keyed = visible.map((r) => ({
    ...r,
    value: sortValue(r.entry.scores as unknown as EntryScores, sort, split),
  }));
  keyed.sort(
    (a, b) =>
      (b.value ?? Number.NEGATIVE_INFINITY) - (a.value ?? Number.NEGATIVE_INFINITY) ||
      a.entry.createdAt - b.entry.createdAt ||
      a.entry.id.localeCompare(b.entry.id),
  );
  return {
    benchmark,
    sort,
    split,
    entries: keyed.map((r, i) =>
      entryView(r.entry, {
        rank: i + 1,
        runsStarted: startedBy.get(r.accountId) ?? 0,
        endedBy: r.endedBy ?? "finished",
      }),
    ),
    hidden: rows.length - visible.length,
  };
}

const signatureValid = (key: string, row: EntryRow) =>
  hmacSha256Verify(key, canonicalJson(entryDocument(row)), row.signature);

/** One listed entry (as the leaderboard shows it); an entry that does not verify is not listed, so a 404. */
export async function getListedEntry({
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
  const board = await listEntries({ db, env, benchmarkId });
  const entry = board.entries.find((e) => e.id === entryId);
  if (!entry) throw new ApiError("not_found", `No listed entry ${entryId} on benchmark ${benchmarkId}.`);
  return { benchmark: board.benchmark, entry };
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

/** Listed (verifying) entries per benchmark, for the index page. */
export async function entryCounts(db: Db, env: Bindings) {
  const key = signingKey(env);
  const rows = await db.select().from(leaderboardEntries);
  const counts = new Map<string, number>();
  for (const row of rows) {
    if (await signatureValid(key, row)) counts.set(row.benchmarkId, (counts.get(row.benchmarkId) ?? 0) + 1);
  }
  return counts;
}
