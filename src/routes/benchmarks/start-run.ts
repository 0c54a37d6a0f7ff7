import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app";
import { startRun } from "../../services/runs";
import { bearerSecurity, ErrorSchema, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { BenchmarkIdParam, Run, StartRunBody } from "./schema";

const route = createRoute({
  method: "post",
  path: "/{id}/runs",
  tags: ["Leaderboard"],
  summary: "Start a run: the service creates its sessions",
  description:
    "Creates one session per item and trial, in your account. Play each through the session routes " +
    "(`/v1/sessions/{id}/questions`, `/actions`, `/finish` — a run's session takes no `task_score`), then " +
    "`POST /v1/runs/{id}/submit`. Every run started counts against the benchmark's `daily_run_quota` per " +
    "account and UTC day; past it, 429 with `Retry-After` (seconds to midnight UTC). The run records the " +
    "engine, simulator model and prompt versions.",
  security: bearerSecurity,
  request: { params: BenchmarkIdParam, body: jsonBody(StartRunBody) },
  responses: {
    201: jsonResponse(Run, "The run and its sessions."),
    ...errorResponses(400, 401, 404, 415),
    429: {
      description: "The account started its quota of runs on this benchmark today (UTC).",
      content: { "application/json": { schema: ErrorSchema } },
    },
  },
});

export const registerStartRun = (app: App) =>
  app.openapi(route, async (c) => {
    const run = await startRun({
      db: c.get("db"),
      env: c.env,
      actor: c.get("actor"),
      benchmarkId: c.req.valid("param").id,
      input: c.req.valid("json"),
    });
    return c.json(run, 201);
  });
