import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { App } from "../../app";
import { zodDetails } from "../../app";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { secretsOf, verifyWebhook } from "../../lib/standard-webhooks";
import { readPayload, recordRunnerEvent } from "../../services/training-events";
import { loadJob } from "../../training/store";
import { errorResponses, jsonResponse } from "../openapi";
import { JobIdParam, RunnerEvent } from "./schema";

/** Runners authenticate by signature, not API key: these paths skip the key middleware (routes/index.ts). */
export const RUNNER_PATH = /^\/v1\/training\/jobs\/[^/]+\/(events|payload)$/;

const SIGNED =
  "No API key: signed as Standard Webhooks with RUNNER_WEBHOOK_SECRET (`webhook-id`, `webhook-timestamp`, " +
  '`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, ±5 minutes; several signatures ' +
  "and several secrets are accepted, for key rotation). A bad signature or stale timestamp → 401.";

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

async function verified(c: Context<AppEnv>, body: string) {
  const secrets = secretsOf(c.env.RUNNER_WEBHOOK_SECRET);
  if (!secrets.length)
    throw new ApiError("not_found", "Runner callbacks are not configured on this deployment.");
  const verdict = await verifyWebhook(
    {
      id: c.req.header("webhook-id"),
      timestamp: c.req.header("webhook-timestamp"),
      signature: c.req.header("webhook-signature"),
    },
    body,
    secrets,
  );
  if (!verdict.ok) throw new ApiError("unauthorized", `Callback signature rejected: ${verdict.reason}.`);
  return c.req.header("webhook-id") as string;
}

export const registerRunnerCallbacks = (app: App) =>
  app
    .openapi(events, async (c) => {
      const body = await c.req.text();
      const webhookId = await verified(c, body);
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
      await verified(c, "");
      const { id } = c.req.valid("param");
      if (!(await loadJob(c.get("db"), id))) throw new ApiError("not_found", `No training job ${id}.`);
      return c.body(await readPayload(c.get("db"), id), 200, { "Content-Type": "application/json" }) as never;
    });
