/**
 * The cron's sweep: every job that should be moving but has no message in flight gets one. Sending is always
 * safe — the handlers' claims and guards make a redundant message a no-op.
 */
import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../../../src/db/client";
import { trainingJobs } from "../../../src/db/schema";
import type { TrainingMessage } from "../../../src/queue/contract";
import { RANK } from "../../../src/training/states";
import type { DispatcherEnv } from "./env";

/** A CREATED job older than this had its enqueue lost (the API enqueues right after the insert). */
export const CREATED_GRACE_MS = 30_000;
/** A poll overdue by this much means the chain broke (a lost send or a message dropped). */
export const POLL_GRACE_MS = 60_000;
const SWEEP_LIMIT = 500;
const SEND_BATCH = 100;

export async function redrive(db: Db, env: DispatcherEnv, now: number) {
  const stuck = await db
    .select({ id: trainingJobs.id, state: trainingJobs.state, polls: trainingJobs.polls })
    .from(trainingJobs)
    .where(
      and(
        lt(trainingJobs.rank, RANK.SUCCEEDED),
        or(
          and(
            eq(trainingJobs.state, "CREATED"),
            eq(trainingJobs.cancelRequested, false),
            lt(trainingJobs.createdAt, now - CREATED_GRACE_MS),
          ),
          and(eq(trainingJobs.state, "SUBMITTING"), lt(trainingJobs.leaseUntil, now)),
          and(
            or(eq(trainingJobs.state, "QUEUED"), eq(trainingJobs.state, "RUNNING")),
            or(
              isNull(trainingJobs.nextPollAt),
              lt(trainingJobs.nextPollAt, now - POLL_GRACE_MS),
              lt(trainingJobs.deadlineAt, now),
            ),
          ),
        ),
      ),
    )
    .limit(SWEEP_LIMIT);
  const messages: MessageSendRequest<TrainingMessage>[] = [];
  for (const job of stuck) {
    if (job.state === "CREATED" || job.state === "SUBMITTING") {
      messages.push({ body: { kind: "dispatch", job_id: job.id } });
      continue;
    }
    // Due now: the poll that arrives takes the chain's slot and carries it on.
    await db.update(trainingJobs).set({ nextPollAt: now }).where(eq(trainingJobs.id, job.id));
    messages.push({ body: { kind: "poll", job_id: job.id, attempt: Math.min(job.polls, 20) } });
  }
  for (let i = 0; i < messages.length; i += SEND_BATCH)
    await env.TRAINING_QUEUE.sendBatch(messages.slice(i, i + SEND_BATCH));
  return { redriven: messages.length };
}
