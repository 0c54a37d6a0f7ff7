import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { signWebhook } from "../src/lib/standard-webhooks";
import type { TrainingMessage } from "../src/queue/contract";
import { buildApp } from "../src/routes";
import { jobCallbackSecret } from "../src/training/credentials";
import dispatcher from "../workers/dispatcher/src/index";
import { call, insertTask } from "./helpers";

export interface Sent {
  body: TrainingMessage;
  delaySeconds?: number;
}

/** A TRAINING_QUEUE producer that records what is sent, so tests deliver those messages themselves. */
export function recordingQueue(fail = false) {
  const sent: Sent[] = [];
  const queue = {
    send: async (body: TrainingMessage, opts?: { delaySeconds?: number }) => {
      if (fail) throw new Error("queue unavailable");
      sent.push({ body, delaySeconds: opts?.delaySeconds });
    },
    sendBatch: async (messages: Iterable<MessageSendRequest<TrainingMessage>>) => {
      if (fail) throw new Error("queue unavailable");
      for (const m of messages) sent.push({ body: m.body, delaySeconds: m.delaySeconds });
    },
  } as unknown as Queue<TrainingMessage>;
  return { sent, queue, forJob: (id: string) => sent.filter((s) => s.body.job_id === id) };
}

/** The dispatcher's environment: the test D1, a recording queue, the loopback Ray double. */
export function dispatcherEnv(queue: Queue<TrainingMessage>, overrides: Record<string, unknown> = {}) {
  return {
    DB: env.DB,
    TRAINING_QUEUE: queue,
    RAY_JOBS_URL: env.TEST_RAY_URL,
    TRAINING_CALLBACK_URL: "http://userville.test",
    RUNNER_WEBHOOK_SECRET: env.RUNNER_WEBHOOK_SECRET,
    ...overrides,
  };
}

let seq = 0;

/** Runs the dispatcher's queue() on one batch; returns the acks and retries. */
export async function deliver(
  dispatcherEnvironment: ReturnType<typeof dispatcherEnv>,
  messages: { body: TrainingMessage; attempts?: number }[],
  queueName = "userville-training",
) {
  const batch = createMessageBatch<TrainingMessage>(
    queueName,
    messages.map((m) => ({
      id: `msg-${++seq}-${crypto.randomUUID()}`,
      timestamp: new Date(),
      attempts: m.attempts ?? 1,
      body: m.body,
    })),
  );
  // The test harness keeps which messages were retried but not their delays: record those here.
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    Object.defineProperty(message, "retry", {
      value: (opts?: QueueRetryOptions) => {
        delays.set(message.id, opts?.delaySeconds);
        retry(opts);
      },
    });
  }
  const ctx = createExecutionContext();
  await dispatcher.queue(batch as MessageBatch<unknown>, dispatcherEnvironment as never);
  const result = await getQueueResult(batch, ctx);
  return {
    ...result,
    retryMessages: result.retryMessages.map((m: { msgId: string }) => ({
      ...m,
      delaySeconds: delays.get(m.msgId),
    })),
  };
}

export async function cron(dispatcherEnvironment: ReturnType<typeof dispatcherEnv>, scheduledTime: number) {
  const ctx = createExecutionContext();
  await dispatcher.scheduled(
    createScheduledController({ scheduledTime, cron: "*/1 * * * *" }),
    dispatcherEnvironment as never,
  );
  await waitOnExecutionContext(ctx);
}

/** The API worker with some bindings replaced (e.g. a recording or failing queue). */
export async function apiWith(
  overrides: Record<string, unknown>,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...opts.headers };
  if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
  const ctx = createExecutionContext();
  const res = await buildApp().fetch(
    new Request(`http://userville.test${path}`, {
      method,
      headers,
      body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    }),
    { ...env, ...overrides },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, text };
}

/** Scripts the Ray double's next replies for one job and operation. */
export async function scriptRunner(
  jobId: string,
  op: "submit" | "status" | "stop" | "logs",
  replies: { status: number; body?: unknown; headers?: Record<string, string> }[],
) {
  const res = await fetch(`${env.TEST_RAY_URL}/__script`, {
    method: "POST",
    body: JSON.stringify({ id: `ppp-${jobId}`, op, replies }),
  });
  expect(res.status).toBe(200);
}

export async function setRunnerStatus(jobId: string, status: string, message?: string) {
  const res = await fetch(`${env.TEST_RAY_URL}/__jobs/ppp-${jobId}`, {
    method: "POST",
    body: JSON.stringify({ status, message }),
  });
  expect(res.status).toBe(200);
}

export async function runnerCalls(jobId: string) {
  const res = await fetch(`${env.TEST_RAY_URL}/__calls?id=ppp-${jobId}`);
  return (
    (await res.json()) as { calls: { op: string; method: string; body: any; authorization: string | null }[] }
  ).calls;
}

export async function jobRow(id: string) {
  return env.DB.prepare("select * from training_jobs where id = ?").bind(id).first<Record<string, any>>();
}

/** A config-form job for a fresh task of `accountId`, created through the API (its enqueue recorded). */
export async function createConfigJob(key: string, accountId: string, extra: Record<string, unknown> = {}) {
  const task = await insertTask(accountId, {
    family: "swe",
    prompt: "Fix the failing column check.",
    functions: ["a.py::f"],
  });
  const recorder = recordingQueue();
  const res = await apiWith({ TRAINING_QUEUE: recorder.queue }, "POST", "/v1/training/jobs", {
    key,
    body: { runner: "ray", config: { task_ids: [task], grpo: { steps: 3 } }, ...extra },
  });
  expect(res.status, res.text).toBe(202);
  return { job: res.json as Record<string, any>, task, recorder };
}

/** The secret a job's runner signs its callbacks with (derived from the first RUNNER_WEBHOOK_SECRET). */
export const callbackSecretOf = (jobId: string) =>
  jobCallbackSecret(env.RUNNER_WEBHOOK_SECRET as string, jobId);

/** Sends a runner callback through the API, signed with the job's own secret unless `secret` is given. */
export async function sendEvent(
  jobId: string,
  event: unknown,
  opts: { secret?: string; webhookId?: string; timestamp?: number; queue?: Queue<TrainingMessage> } = {},
) {
  const body = JSON.stringify(event);
  const headers = await signWebhook(
    opts.webhookId ?? `msg_${crypto.randomUUID()}`,
    body,
    [opts.secret ?? (await callbackSecretOf(jobId))],
    opts.timestamp,
  );
  return apiWith(
    { TRAINING_QUEUE: opts.queue ?? recordingQueue().queue },
    "POST",
    `/v1/training/jobs/${jobId}/events`,
    {
      rawBody: body,
      headers,
    },
  );
}

export { call };
