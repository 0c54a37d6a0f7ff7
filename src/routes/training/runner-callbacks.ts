import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { App } from "../../app";
import { zodDetails } from "../../app";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { claimPayloadRead, exchangeJobToken, verifyJobSignature } from "../../services/job-credentials";
import { readPayload, recordRunnerEvent } from "../../services/training-events";
import { loadJob } from "../../training/store";
import { errorResponses, jsonBody, jsonResponse } from "../openapi";
import { JobCredentials, JobIdParam, JobTokenExchange, RunnerEvent } from "./schema";

/** Runners authenticate by signature, not API key: these paths skip the key middleware (routes/index.ts). */
export const RUNNER_PATH = /^\/v1\/training\/jobs\/[^/]+\/(events|payload|credentials)$/;

const SIGNED =
  "No API key: signed as Standard Webhooks with the job's own callback secret (`webhook-id`, " +
  '`webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, ±5 minutes), ' +
  "which the runner gets from POST /v1/training/jobs/{id}/credentials. A job's secret signs for that job " +
  "only. A bad signature, another job's signature or a stale timestamp → 401.";

const credentials = createRoute({
  method: "post",
  path: "/{id}/credentials",
  tags: ["Training"],
  summary: "Runner exchange: the job's one-time token for its job-scoped key and callback secret",
  description:
    "No API key. The trainer sends the one-time `USERVILLE_JOB_TOKEN` it found in its environment (Ray's " +
    "`runtime_env.env_vars`) and gets, once, a job-scoped API key (sessions and scoring on the job's tasks " +
    "only, drawing on the job's reserved rollouts; revoked when the job ends) and the job's callback secret. " +
    "A wrong token → 401; a second exchange, or a job that has ended → 409.",
  request: { params: JobIdParam, body: jsonBody(JobTokenExchange) },
  responses: {
    201: jsonResponse(JobCredentials, "The job's credentials; shown once."),
    ...errorResponses(400, 401, 404, 409),
  },
});

const events = createRoute({
  method: "post",
  path: "/{id}/events",
  tags: ["Training"],
  summary: "Runner callback: progress with per-step metrics, or a terminal event",
  description:
    `${SIGNED} Body: a RunnerEvent \`{"type", "step"?, "metrics"?, "message"?, "result"?}\`. Applied once per ` +
    "`webhook-id`. Progress moves QUEUED → RUNNING and stores the step's metrics; a terminal type makes the " +
    "dispatcher read the runner's status (the callback never sets the final state itself).",
  request: { params: JobIdParam },
  responses: {
    200: jsonResponse(z.object({ received: z.literal(true), duplicate: z.boolean() }), "Acknowledged."),
    ...errorResponses(400, 401, 404),
  },
});

const payload = createRoute({
  method: "get",
  path: "/{id}/payload",
  tags: ["Training"],
  summary: "Runner download: the job's training data",
  description: `${SIGNED} The body signed is empty. Answers the stored payload: \`{"kind": "config", "config", "rows"}\` or \`{"kind": "items", "grpo", "advantage", "items"}\`.`,
  request: { params: JobIdParam },
  responses: {
    200: jsonResponse(z.record(z.string(), z.unknown()), "The payload."),
    ...errorResponses(401, 404),
  },
});

function verified(c: Context<AppEnv>, jobId: string, body: string) {
  return verifyJobSignature({
    runnerSecret: c.env.RUNNER_WEBHOOK_SECRET,
    jobId,
    headers: {
      id: c.req.header("webhook-id"),
      timestamp: c.req.header("webhook-timestamp"),
      signature: c.req.header("webhook-signature"),
    },
    body,
  });
}

/** The API's base URL as runners reach it: TRAINING_CALLBACK_URL, else the origin this request came to. */
const apiBaseOf = (c: Context<AppEnv>) => c.env.TRAINING_CALLBACK_URL || new URL(c.req.url).origin;

export const registerRunnerCallbacks = (app: App) =>
  app
    .openapi(events, async (c) => {
      const body = await c.req.text();
      const webhookId = await verified(c, c.req.valid("param").id, body);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        throw new ApiError("invalid_request", "The event is not valid JSON.");
      }
      const parsed = RunnerEvent.safeParse(json);
      if (!parsed.success)
        throw new ApiError("invalid_request", "The event is invalid; see details.", {
          details: zodDetails(parsed.error),
        });
      const result = await recordRunnerEvent({
        db: c.get("db"),
        jobId: c.req.valid("param").id,
        webhookId,
        event: parsed.data,
        queue: c.env.TRAINING_QUEUE,
      });
      return c.json({ received: true as const, duplicate: result.duplicate }, 200);
    })
    .openapi(payload, async (c) => {
      const { id } = c.req.valid("param");
      const webhookId = await verified(c, id, "");
      if (!(await loadJob(c.get("db"), id))) throw new ApiError("not_found", `No training job ${id}.`);
      await claimPayloadRead(c.get("db"), id, webhookId);
      return c.body(await readPayload(c.get("db"), id), 200, { "Content-Type": "application/json" }) as never;
    })
    .openapi(credentials, async (c) => {
      const issued = await exchangeJobToken({
        db: c.get("db"),
        runnerSecret: c.env.RUNNER_WEBHOOK_SECRET,
        jobId: c.req.valid("param").id,
        token: c.req.valid("json").token,
        apiBase: apiBaseOf(c),
      });
      return c.json(issued, 201);
    });
