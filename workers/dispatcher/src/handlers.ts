/**
 * One queue message → one step of the protocol. Each returns what to do with the message (ack, or retry
 * after a delay) only after its D1 writes committed, and each is safe to run twice: the claim and the
 * rank-guarded updates in src/training/store.ts decide, not the message.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../../src/db/client";
import { trainingJobs } from "../../../src/db/schema";
import type { TrainingMessage } from "../../../src/queue/contract";
import { jobToken, runnerSecretsOf } from "../../../src/training/credentials";
import { isTerminal, RANK } from "../../../src/training/states";
import {
  advance,
  claimSubmission,
  type JobRow,
  loadJob,
  markSubmitted,
  noteError,
  releaseLease,
  takePollSlot,
} from "../../../src/training/store";
import { pollDelaySeconds, retryDelaySeconds } from "./backoff";
import type { DispatcherEnv } from "./env";
import { adapterFor } from "./runners";
import { type RunnerAdapter, RunnerError } from "./runners/types";

export type Outcome = { ack: true } | { ack: false; delaySeconds: number };
const ACK: Outcome = { ack: true };

export interface Deps {
  db: Db;
  env: DispatcherEnv;
  now: number;
  /** The message's delivery count (1-based), for the backoff. */
  delivery: number;
}

const callbackBase = (env: DispatcherEnv) =>
  (env.TRAINING_CALLBACK_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");

function notConfigured(db: Db, job: JobRow) {
  return advance(db, job.id, "FAILED", {
    error: `runner "${job.runner}" is not configured on this deployment`,
  });
}

/** Schedules the chain's next poll, unless another poll is already scheduled later. */
export async function schedulePoll(
  { db, env, now }: Deps,
  jobId: string,
  attempt: number,
  delaySeconds: number,
) {
  if (!(await takePollSlot(db, jobId, now + delaySeconds * 1000, now))) return;
  try {
    await env.TRAINING_QUEUE.send({ kind: "poll", job_id: jobId, attempt }, { delaySeconds });
  } catch (err) {
    // The cron re-drives a job whose next poll is overdue.
    console.error(JSON.stringify({ job: jobId, poll: "enqueue failed", error: String(err) }));
  }
}

function onRunnerError(deps: Deps, job: JobRow, err: unknown): Promise<Outcome> | Outcome {
  if (!(err instanceof RunnerError)) throw err;
  if (err.kind === "fatal") return advance(deps.db, job.id, "FAILED", { error: err.message }).then(() => ACK);
  return { ack: false, delaySeconds: retryDelaySeconds(deps.delivery, err.retryAfterSeconds) };
}

export async function dispatchJob(deps: Deps, message: TrainingMessage): Promise<Outcome> {
  const { db, env, now } = deps;
  const owner = crypto.randomUUID();
  const job = await claimSubmission(db, message.job_id, owner, now);
  // Not claimable: unknown, cancelled, already submitted, or another delivery holds a live lease.
  if (!job) return ACK;
  const adapter = adapterFor(job.runner, env);
  if (!adapter) return notConfigured(db, job).then(() => ACK);
  try {
    // Cancelled while an earlier attempt was in flight: stop it if it reached the runner, never submit again.
    if (job.cancelRequested) {
      if (!(await adapter.status(`ppp-${job.id}`))) {
        await advance(db, job.id, "CANCELLED", { error: "cancelled by the client before submission" });
        return ACK;
      }
      const found = await markSubmitted(db, job, owner, `ppp-${job.id}`, Date.now());
      if (found) await schedulePoll({ ...deps, now: Date.now() }, job.id, 0, 0);
      return ACK;
    }
    const [runnerSecret] = runnerSecretsOf(env.RUNNER_WEBHOOK_SECRET);
    if (!runnerSecret) {
      await advance(db, job.id, "FAILED", {
        error: "RUNNER_WEBHOOK_SECRET is not configured: the runner could not be given job credentials",
      });
      return ACK;
    }
    const { runnerJobId } = await adapter.submit({
      submissionId: `ppp-${job.id}`,
      jobId: job.id,
      kind: job.kind,
      target: job.target,
      callbackUrl: `${callbackBase(env)}/v1/training/jobs/${job.id}/events`,
      payloadUrl: `${callbackBase(env)}/v1/training/jobs/${job.id}/payload`,
      summary: job.summary,
      // The job's context, and a one-time token the trainer exchanges for its credentials: never a secret
      // that outlives that exchange (runner dashboards show a job's environment).
      env: {
        USERVILLE_JOB_ID: job.id,
        USERVILLE_API_URL: callbackBase(env),
        USERVILLE_JOB_TOKEN: await jobToken(runnerSecret, job.id),
      },
    });
    const submitted = await markSubmitted(db, job, owner, runnerJobId, Date.now());
    // Lost the lease meanwhile: whoever holds it finds the submission already there.
    if (!submitted) return ACK;
    await schedulePoll(
      { ...deps, now: Date.now() },
      job.id,
      0,
      submitted.cancelRequested ? 0 : pollDelaySeconds(0),
    );
    return ACK;
  } catch (err) {
    if (err instanceof RunnerError && err.kind === "retryable")
      await releaseLease(db, job.id, owner, err.message);
    return onRunnerError(deps, job, err);
  }
}

async function finishFromStatus(deps: Deps, job: JobRow, adapter: RunnerAdapter, attempt: number) {
  const { db, now } = deps;
  const runnerJobId = job.runnerJobId as string;
  const status = await adapter.status(runnerJobId);
  if (!status) return advance(db, job.id, "LOST", { error: `the runner no longer knows job ${runnerJobId}` });
  switch (status.status) {
    case "SUCCEEDED":
      return advance(db, job.id, "SUCCEEDED", {
        result: { ...(job.result ?? {}), runner_status: status.status, runner_message: status.message },
      });
    case "FAILED":
      return advance(db, job.id, "FAILED", {
        error: await failureOf(adapter, runnerJobId, status.message ?? "the runner reported FAILED"),
      });
    case "STOPPED":
      return advance(db, job.id, "CANCELLED", {
        error: job.cancelRequested ? "cancelled by the client" : (status.message ?? "stopped on the runner"),
      });
  }
  if (job.deadlineAt !== null && now > job.deadlineAt) {
    await adapter.stop(runnerJobId);
    return advance(db, job.id, "TIMED_OUT", {
      error: `still ${status.status} after max_runtime_minutes (${job.maxRuntimeMs / 60_000})`,
    });
  }
  if (status.status === "RUNNING") await advance(db, job.id, "RUNNING", {}, now, ["QUEUED"]);
  await schedulePoll(
    deps,
    job.id,
    attempt + 1,
    job.cancelRequested ? POLL_AFTER_STOP_SECONDS : pollDelaySeconds(attempt + 1),
  );
  return null;
}

const LOG_TAIL_LINES = 20;
const MAX_ERROR_CHARS = 8_000;

/**
 * A failed job's error: the runner's message, then the last lines of its log unless the message already
 * ends with them (Ray's own message carries the last 10 lines when the entrypoint exits non-zero). A log that
 * cannot be read never holds up the job's end.
 */
async function failureOf(adapter: RunnerAdapter, runnerJobId: string, message: string) {
  const logs = await adapter.logs(runnerJobId).catch(() => null);
  const lines = (logs ?? "").trimEnd().split("\n").slice(-LOG_TAIL_LINES);
  const tail = lines.join("\n").trim();
  const last = lines.at(-1)?.trim();
  const error = !tail || (last && message.includes(last)) ? message : `${message}\nlast log lines:\n${tail}`;
  return error.length > MAX_ERROR_CHARS ? `…${error.slice(-(MAX_ERROR_CHARS - 1))}` : error;
}

/** A stopped Ray job takes a moment to report STOPPED. */
const POLL_AFTER_STOP_SECONDS = 5;

export async function pollJob(deps: Deps, message: TrainingMessage): Promise<Outcome> {
  const { db, env } = deps;
  const job = await loadJob(db, message.job_id);
  // Before QUEUED the dispatch path owns the job; after the end there is nothing to ask.
  if (!job || isTerminal(job.state) || job.rank < RANK.QUEUED || !job.runnerJobId) return ACK;
  const adapter = adapterFor(job.runner, env);
  if (!adapter) return notConfigured(db, job).then(() => ACK);
  try {
    if (job.cancelRequested && job.stopRequestedAt === null) {
      await adapter.stop(job.runnerJobId);
      await db.update(trainingJobs).set({ stopRequestedAt: deps.now }).where(eq(trainingJobs.id, job.id));
    }
    await finishFromStatus(deps, job, adapter, message.attempt ?? 0);
    return ACK;
  } catch (err) {
    if (err instanceof RunnerError && err.kind === "retryable") await noteError(db, job.id, err.message);
    return onRunnerError(deps, job, err);
  }
}

/** A message that used up its retries: the job fails, with the last error the dispatcher saw. */
export async function deadLetter(deps: Deps, message: TrainingMessage): Promise<Outcome> {
  const job = await loadJob(deps.db, message.job_id);
  if (!job || isTerminal(job.state)) return ACK;
  await advance(deps.db, job.id, "FAILED", {
    error: `gave up on ${message.kind} after repeated failures: ${job.lastError ?? "no error recorded"}`,
  });
  return ACK;
}
