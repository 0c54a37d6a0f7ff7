/**
 * The runner channel's trust, per job: the one-time token exchange that gives a trainer its job-scoped key
 * and callback secret, and the verification of what a runner signs (callbacks, payload reads).
 */
import { and, eq, isNull, lt } from "drizzle-orm";
import { type Db, insertRowWhere } from "../db/client";
import { apiKeys, trainingJobs, webhookEvents } from "../db/schema";
import { ApiError } from "../errors";
import { generateApiKey, visiblePrefix } from "../lib/api-keys";
import { newId, sha256Hex } from "../lib/crypto";
import { verifyWebhook } from "../lib/standard-webhooks";
import { isJobToken, jobCallbackSecret, jobCallbackSecrets, runnerSecretsOf } from "../training/credentials";
import { TERMINAL_RANK } from "../training/states";
import { loadJob } from "../training/store";
import { TASK_SCOPE } from "./keys";
import { readPayload } from "./training-events";

function configuredSecrets(runnerSecret: string | undefined) {
  const secrets = runnerSecretsOf(runnerSecret);
  if (!secrets.length)
    throw new ApiError("not_found", "Runner callbacks are not configured on this deployment.");
  return secrets;
}

/** The tasks a job's key may play: the config's task ids, or the items' stored tasks. */
async function jobTaskIds(db: Db, jobId: string): Promise<string[]> {
  const payload = JSON.parse(await readPayload(db, jobId)) as {
    config?: { task_ids?: string[] };
    items?: { task_id?: string }[];
  };
  const ids = payload.config?.task_ids ?? payload.items?.flatMap((i) => (i.task_id ? [i.task_id] : [])) ?? [];
  return [...new Set(ids)];
}

/**
 * Exchanges a job's one-time token for its credentials, once: the claim is a guarded UPDATE, and the key row
 * is inserted in the same batch only if that claim won, so racing exchanges issue exactly one key.
 */
export async function exchangeJobToken({
  db,
  runnerSecret,
  jobId,
  token,
  apiBase,
}: {
  db: Db;
  runnerSecret: string | undefined;
  jobId: string;
  token: string;
  apiBase: string;
}) {
  const secrets = configuredSecrets(runnerSecret);
  const job = await loadJob(db, jobId);
  if (!job || !(await isJobToken(secrets, jobId, token)))
    throw new ApiError("unauthorized", "The job token is not this job's.");
  if (job.rank >= TERMINAL_RANK)
    throw new ApiError("conflict", `Training job ${jobId} has ended (${job.state}).`);
  if (job.credentialsIssuedAt !== null)
    throw new ApiError("conflict", "This job's token was exchanged already; a token works once.");
  const taskIds = await jobTaskIds(db, jobId);
  const key = generateApiKey("live");
  const keyId = newId("key");
  const now = Date.now();
  const [claimed] = await db.batch([
    db
      .update(trainingJobs)
      .set({ credentialsIssuedAt: now, jobKeyId: keyId })
      .where(
        and(
          eq(trainingJobs.id, jobId),
          isNull(trainingJobs.credentialsIssuedAt),
          lt(trainingJobs.rank, TERMINAL_RANK),
        ),
      )
      .returning({ id: trainingJobs.id }),
    insertRowWhere(
      db,
      apiKeys,
      {
        id: keyId,
        accountId: job.accountId,
        name: `training job ${jobId}`,
        prefix: visiblePrefix(key),
        hash: await sha256Hex(key),
        scopes: ["job", ...taskIds.map((t) => `${TASK_SCOPE}${t}`)],
        mode: "live",
        keyClass: "job",
        jobId,
        createdAt: now,
      },
      trainingJobs,
      and(eq(trainingJobs.id, jobId), eq(trainingJobs.jobKeyId, keyId)),
    ),
  ]);
  if (!claimed.length)
    throw new ApiError("conflict", "This job's token was exchanged already; a token works once.");
  const base = apiBase.replace(/\/+$/, "");
  return {
    job_id: jobId,
    account_id: job.accountId,
    api_key: key,
    callback_secret: await jobCallbackSecret(secrets[0], jobId),
    payload_url: `${base}/v1/training/jobs/${jobId}/payload`,
    events_url: `${base}/v1/training/jobs/${jobId}/events`,
    task_ids: taskIds,
    expires_at: job.deadlineAt ? new Date(job.deadlineAt).toISOString() : null,
  };
}

/**
 * Verifies a runner's signed request for one job: the signature must come from that job's own callback
 * secret, never another job's. Returns the namespaced `webhook-id` (ids are unique per job, not globally).
 */
export async function verifyJobSignature({
  runnerSecret,
  jobId,
  headers,
  body,
}: {
  runnerSecret: string | undefined;
  jobId: string;
  headers: { id?: string; timestamp?: string; signature?: string };
  body: string;
}) {
  const secrets = await jobCallbackSecrets(configuredSecrets(runnerSecret), jobId);
  const verdict = await verifyWebhook(
    { id: headers.id, timestamp: headers.timestamp, signature: headers.signature },
    body,
    secrets,
  );
  if (!verdict.ok) throw new ApiError("unauthorized", `Callback signature rejected: ${verdict.reason}.`);
  return `${jobId}:${headers.id}`;
}

/** A payload read is single-use per `webhook-id`: a captured signed GET cannot be replayed. */
export async function claimPayloadRead(db: Db, jobId: string, eventId: string) {
  const claimed = await db
    .insert(webhookEvents)
    .values({ id: eventId, jobId, type: "payload_read" })
    .onConflictDoNothing()
    .returning({ id: webhookEvents.id });
  if (!claimed.length)
    throw new ApiError("unauthorized", "This signed payload request was used already; sign a new one.");
}
