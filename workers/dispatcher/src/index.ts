/**
 * The dispatcher worker: the training queue's consumer (dispatch and poll messages), its dead-letter
 * consumer, and the cron that re-drives stuck jobs. The only part of the service that talks to GPU runners.
 */
import { createDb } from "../../../src/db/client";
import { publishedSecretsInUse, refusalLine } from "../../../src/published-secrets";
import { TRAINING_DLQ, TrainingMessage } from "../../../src/queue/contract";
import { retryDelaySeconds } from "./backoff";
import type { DispatcherEnv } from "./env";
import { type Deps, deadLetter, dispatchJob, type Outcome, pollJob } from "./handlers";
import { redrive } from "./redrive";

/** How long refused messages wait before their next delivery: long enough to set a fresh secret. */
const REFUSED_RETRY_SECONDS = 300;

/**
 * Outside development, a published RUNNER_WEBHOOK_SECRET would hand runners job credentials anyone can derive:
 * log one line and submit nothing. Messages are retried later (the cron re-drives what outlives its retries).
 */
function refuses(env: DispatcherEnv & { ENVIRONMENT?: string }) {
  const published = publishedSecretsInUse({
    ENVIRONMENT: env.ENVIRONMENT,
    RUNNER_WEBHOOK_SECRET: env.RUNNER_WEBHOOK_SECRET,
  });
  if (published.length) console.error(refusalLine("dispatcher", env, published));
  return published.length > 0;
}

async function handle(message: Message, env: DispatcherEnv, deadLettered: boolean): Promise<void> {
  const parsed = TrainingMessage.safeParse(message.body);
  if (!parsed.success) {
    // A body no version of the contract can read would only fail again: drop it, loudly.
    console.error(JSON.stringify({ dropped: message.id, body: message.body }));
    message.ack();
    return;
  }
  const deps: Deps = { db: createDb(env.DB), env, now: Date.now(), delivery: message.attempts };
  let outcome: Outcome;
  try {
    if (deadLettered) outcome = await deadLetter(deps, parsed.data);
    else if (parsed.data.kind === "dispatch") outcome = await dispatchJob(deps, parsed.data);
    else outcome = await pollJob(deps, parsed.data);
  } catch (err) {
    // D1 or another unexpected failure: nothing half-done is left (every write is one guarded statement).
    console.error(JSON.stringify({ message: message.id, job: parsed.data.job_id, error: String(err) }));
    outcome = { ack: false, delaySeconds: retryDelaySeconds(message.attempts) };
  }
  if (outcome.ack) message.ack();
  else message.retry({ delaySeconds: outcome.delaySeconds });
}

export default {
  async queue(batch, env) {
    if (refuses(env)) {
      for (const message of batch.messages) message.retry({ delaySeconds: REFUSED_RETRY_SECONDS });
      return;
    }
    const deadLettered = batch.queue === TRAINING_DLQ;
    await Promise.all(batch.messages.map((message) => handle(message, env, deadLettered)));
  },
  async scheduled(controller, env) {
    if (refuses(env)) return;
    const { redriven } = await redrive(createDb(env.DB), env, controller.scheduledTime);
    if (redriven) console.log(JSON.stringify({ cron: controller.cron, redriven }));
  },
} satisfies ExportedHandler<DispatcherEnv, unknown>;
