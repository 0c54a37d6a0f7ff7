/** What runners call: the payload download and the signed callbacks (routes/training/runner-callbacks.ts). */
import { and, asc, eq, lt } from "drizzle-orm";
import { type Db, insertRowWhere } from "../db/client";
import { trainingJobPayloads, trainingJobs, trainingMetrics, webhookEvents } from "../db/schema";
import { ApiError } from "../errors";
import type { TrainingQueue } from "../queue/contract";
import { RANK, TERMINAL_RANK } from "../training/states";
import { advance, loadJob } from "../training/store";

/** The payload as stored: the chunks concatenated in order. */
export async function readPayload(db: Db, id: string) {
  const rows = await db
    .select({ data: trainingJobPayloads.data })
    .from(trainingJobPayloads)
    .where(eq(trainingJobPayloads.jobId, id))
    .orderBy(asc(trainingJobPayloads.seq));
  return rows.map((r) => r.data).join("");
}

export interface RunnerEventInput {
  type: "started" | "progress" | "succeeded" | "failed" | "stopped";
  step?: number;
  metrics?: Record<string, number>;
  message?: string;
  result?: Record<string, unknown>;
}

/**
 * Applies a verified runner callback once per `webhook-id`: metrics rows, QUEUED → RUNNING on progress, and
 * for a terminal type only a poll message — the state then comes from the runner's own status.
 */
export async function recordRunnerEvent({
  db,
  jobId,
  webhookId,
  event,
  queue,
}: {
  db: Db;
  jobId: string;
  webhookId: string;
  event: RunnerEventInput;
  queue: TrainingQueue | undefined;
}) {
  const job = await loadJob(db, jobId);
  if (!job) throw new ApiError("not_found", `No training job ${jobId}.`);
  const [seen] = await db.select().from(webhookEvents).where(eq(webhookEvents.id, webhookId)).limit(1);
  if (seen) return { received: true, duplicate: true };
  const metricRows =
    event.step === undefined
      ? []
      : Object.entries(event.metrics ?? {}).map(([name, value]) => ({
          jobId,
          step: event.step as number,
          name,
          value,
        }));
  const running = event.type === "progress" || event.type === "started";
  try {
    await db.batch([
      db.insert(webhookEvents).values({ id: webhookId, jobId, type: event.type }),
      // A finished job's metrics are final: a late or replayed progress event adds none.
      ...metricRows.map((row) =>
        insertRowWhere(
          db,
          trainingMetrics,
          row,
          trainingJobs,
          and(eq(trainingJobs.id, jobId), lt(trainingJobs.rank, TERMINAL_RANK)),
        ).onConflictDoNothing(),
      ),
      ...(event.result
        ? [
            db
              .update(trainingJobs)
              .set({ result: event.result })
              .where(and(eq(trainingJobs.id, jobId), lt(trainingJobs.rank, RANK.SUCCEEDED))),
          ]
        : []),
    ]);
  } catch (err) {
    // Two deliveries of one webhook raced: the primary key let exactly one batch land.
    if (String(err).includes("UNIQUE")) return { received: true, duplicate: true };
    throw err;
  }
  // Only from QUEUED: a callback that beats the dispatcher's own SUBMITTING → QUEUED write must not skip it.
  if (running && job.state === "QUEUED") await advanceFromQueued(db, jobId);
  if (!running) {
    try {
      await queue?.send({ kind: "poll", job_id: jobId });
    } catch (err) {
      console.error(JSON.stringify({ job: jobId, enqueue: "failed", error: String(err) }));
    }
  }
  return { received: true, duplicate: false };
}

async function advanceFromQueued(db: Db, jobId: string) {
  await advance(db, jobId, "RUNNING", {}, Date.now(), ["QUEUED"]);
}
