import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

/** What a training job's key may call: play and score sessions, read the price list and its own job. */
const SESSION_CALLS = /^\/v1\/sessions(\/[^/]+(\/(questions|actions|finish))?)?$/;
const READS = new Set(["/v1/preferences", "/v1/prices"]);

function allowed(method: string, path: string, jobId: string) {
  if (SESSION_CALLS.test(path)) return method === "POST" || (method === "GET" && path !== "/v1/sessions");
  if (method === "POST" && (path === "/v1/score" || path === "/v1/score/batch")) return true;
  if (method === "GET") return READS.has(path) || path === `/v1/training/jobs/${jobId}`;
  return false;
}

/** Job keys are for a trainer playing its own job: every other route answers 403. */
export const jobScope = createMiddleware<AppEnv>(async (c, next) => {
  const job = c.get("actor").job;
  if (job && !allowed(c.req.method, c.req.path, job.id))
    throw new ApiError(
      "forbidden",
      `A training job's key plays and scores job ${job.id}'s sessions only; ${c.req.method} ${c.req.path} is not among them.`,
    );
  await next();
});
