/**
 * Job state changes shared by the API and the dispatcher. Every write is one guarded UPDATE: the WHERE
 * clause carries the protocol's rule (rank only grows; only the lease holder submits), so concurrent or
 * repeated deliveries can lose the race but never corrupt the job.
 */
import { and, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { type Db, insertRowWhere } from "../db/client";
import { accounts, apiKeys, ledger, trainingJobs } from "../db/schema";
import { type JobState, RANK, TERMINAL_RANK } from "./states";

export type JobRow = typeof trainingJobs.$inferSelect;
type JobPatch = Partial<Omit<typeof trainingJobs.$inferInsert, "id" | "state" | "rank">>;

/** How long a dispatcher may hold a submission before another delivery may take it over. */
export const LEASE_MS = 60_000;

export async function loadJob(db: Db, id: string): Promise<JobRow | undefined> {
  const [row] = await db.select().from(trainingJobs).where(eq(trainingJobs.id, id)).limit(1);
  return row;
}

/** The id of a job's reservation charge, and of the refund of what it did not use. */
const RESERVATION_ID_PREFIX = "led_rsv_";
export const reservationLedgerId = (jobId: string) => `${RESERVATION_ID_PREFIX}${jobId}`;
export const settlementLedgerId = (jobId: string) => `led_rsv_rf_${jobId}`;

/**
 * What a job's end settles, as statements to run in the same batch as the write that ended it: the credits
 * of the rollouts it reserved and did not play go back to the account (a ledger row and the balance, once:
 * both are guarded by `settled_at is null`, set last), and its job key is revoked.
 */
export function settlementStatements(db: Db, id: string, now: number) {
  const ended = and(
    eq(trainingJobs.id, id),
    eq(trainingJobs.rank, TERMINAL_RANK),
    isNull(trainingJobs.settledAt),
  );
  const unused = sql`max(0, ${trainingJobs.reservedCredits} - ${trainingJobs.rolloutsUsed} * ${trainingJobs.rolloutPrice})`;
  return [
    db
      .update(accounts)
      .set({
        credits: sql`${accounts.credits} + coalesce((select ${unused} from ${trainingJobs} where ${ended}), 0)`,
      })
      .where(sql`${accounts.id} = (select ${trainingJobs.accountId} from ${trainingJobs} where ${ended})`),
    insertRowWhere(
      db,
      ledger,
      {
        id: settlementLedgerId(id),
        accountId: sql`${trainingJobs.accountId}` as unknown as string,
        kind: "refund",
        route: "training_rollout",
        units:
          sql`max(0, ${trainingJobs.rolloutsReserved} - ${trainingJobs.rolloutsUsed})` as unknown as number,
        cost: sql`-${unused}` as unknown as number,
        createdAt: now,
      },
      trainingJobs,
      and(ended, sql`${unused} > 0`),
    ).onConflictDoNothing(),
    db.update(trainingJobs).set({ settledAt: now }).where(ended),
    db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(
        and(
          eq(apiKeys.jobId, id),
          isNull(apiKeys.revokedAt),
          sql`exists (select 1 from ${trainingJobs} where ${trainingJobs.id} = ${id} and ${trainingJobs.rank} = ${TERMINAL_RANK})`,
        ),
      ),
  ] as const;
}

/** Moves a job forward to `to`, never back: a no-op (null) when it is already at that rank or beyond. */
export async function advance(
  db: Db,
  id: string,
  to: JobState,
  patch: JobPatch = {},
  now = Date.now(),
  onlyFrom?: JobState[],
) {
  const terminal = RANK[to] === TERMINAL_RANK;
  const update = db
    .update(trainingJobs)
    .set({
      ...patch,
      state: to,
      rank: RANK[to],
      updatedAt: now,
      ...(terminal ? { finishedAt: now, leaseUntil: null, leaseOwner: null, nextPollAt: null } : {}),
    })
    .where(
      and(
        eq(trainingJobs.id, id),
        lt(trainingJobs.rank, RANK[to]),
        onlyFrom ? inArray(trainingJobs.state, onlyFrom) : undefined,
      ),
    )
    .returning();
  if (!terminal) {
    const [row] = await update;
    return row ?? null;
  }
  const [[row]] = await db.batch([update, ...settlementStatements(db, id, now)]);
  return row ?? null;
}

/**
 * The submission claim: CREATED, or SUBMITTING whose lease has run out, becomes SUBMITTING under a new
 * lease. Exactly one of any number of concurrent deliveries gets the row back. A SUBMITTING job stays
 * claimable after a cancel: an earlier attempt may have reached the runner, and only the claim holder looks.
 */
export async function claimSubmission(db: Db, id: string, owner: string, now = Date.now()) {
  const [row] = await db
    .update(trainingJobs)
    .set({
      state: "SUBMITTING",
      rank: RANK.SUBMITTING,
      leaseOwner: owner,
      leaseUntil: now + LEASE_MS,
      attempts: sql`${trainingJobs.attempts} + 1`,
      updatedAt: now,
    })
    .where(
      and(
        eq(trainingJobs.id, id),
        // A job is submitted only once its reservation is paid (written in the batch that created it).
        or(
          eq(trainingJobs.reservedCredits, 0),
          sql`exists (select 1 from ${ledger} where ${ledger.id} = ${RESERVATION_ID_PREFIX} || ${trainingJobs.id})`,
        ),
        or(
          and(eq(trainingJobs.state, "CREATED"), eq(trainingJobs.cancelRequested, false)),
          and(eq(trainingJobs.state, "SUBMITTING"), lt(trainingJobs.leaseUntil, now)),
        ),
      ),
    )
    .returning();
  return row ?? null;
}

/** Gives the lease back after a retryable failure, so that the retried message can claim it at once. */
export async function releaseLease(db: Db, id: string, owner: string, lastError: string, now = Date.now()) {
  await db
    .update(trainingJobs)
    .set({ leaseUntil: 0, leaseOwner: null, lastError, updatedAt: now })
    .where(
      and(eq(trainingJobs.id, id), eq(trainingJobs.state, "SUBMITTING"), eq(trainingJobs.leaseOwner, owner)),
    );
}

/** SUBMITTING → QUEUED with the runner's id, only for the lease holder. */
export async function markSubmitted(
  db: Db,
  job: JobRow,
  owner: string,
  runnerJobId: string,
  now = Date.now(),
) {
  const [row] = await db
    .update(trainingJobs)
    .set({
      state: "QUEUED",
      rank: RANK.QUEUED,
      runnerJobId,
      leaseUntil: null,
      leaseOwner: null,
      lastError: null,
      deadlineAt: now + job.maxRuntimeMs,
      nextPollAt: null,
      updatedAt: now,
    })
    .where(
      and(
        eq(trainingJobs.id, job.id),
        eq(trainingJobs.state, "SUBMITTING"),
        eq(trainingJobs.leaseOwner, owner),
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * Takes the poll chain's next slot: true for exactly one caller when no poll is already scheduled in the
 * future, which keeps callbacks and cron re-drives from multiplying the chain.
 */
export async function takePollSlot(db: Db, id: string, at: number, now = Date.now()) {
  const rows = await db
    .update(trainingJobs)
    .set({ nextPollAt: at, polls: sql`${trainingJobs.polls} + 1` })
    .where(
      and(
        eq(trainingJobs.id, id),
        lt(trainingJobs.rank, TERMINAL_RANK),
        or(isNull(trainingJobs.nextPollAt), lte(trainingJobs.nextPollAt, now + 1_000)),
      ),
    )
    .returning({ id: trainingJobs.id });
  return rows.length > 0;
}

export async function noteError(db: Db, id: string, lastError: string) {
  await db.update(trainingJobs).set({ lastError }).where(eq(trainingJobs.id, id));
}
