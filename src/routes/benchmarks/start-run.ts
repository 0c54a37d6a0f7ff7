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
    "(`/v1/sessions/{id}/questions`, `/actions`, `/finish` — a run's session takes no `task_score`). Until the " +
    "run has ended no response shows a score, component, tier, effort or verdict of its sessions (finish " +
    'answers `{"state": "finished"}`). The run ends by itself when its last session finishes, or at ' +
    "`deadline_at` (the benchmark's `deadline_minutes` after the start; unfinished sessions score 0); every " +
    "ended run becomes an entry. Limits per account: `daily_run_quota` runs per UTC day (past it 429 with " +
    "`Retry-After`, seconds to midnight UTC) and `max_runs` runs ever (past it 403). The run records the " +
    "engine, simulator model and prompt versions.",
  security: bearerSecurity,
  request: { params: BenchmarkIdParam, body: jsonBody(StartRunBody) },
  responses: {
    201: jsonResponse(Run, "The run and its sessions."),
    ...errorResponses(400, 401, 404, 415),
    403: {
      description: "The account has started the benchmark's `max_runs` runs, the most it may ever start.",
      content: { "application/json": { schema: ErrorSchema } },
    },
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
      requestId: c.get("attemptId"),
      priorAttempts: c.get("priorAttempts"),
    });
    return c.json(run, 201);
  });
