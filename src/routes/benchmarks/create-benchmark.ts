import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app";
import { requireAdmin } from "../../middleware/auth";
import { createBenchmark } from "../../services/benchmarks";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { Benchmark, CreateBenchmarkBody } from "./schema";

const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Leaderboard"],
  summary: "Create a benchmark (admin)",
  description:
    "From tasks of your own account × preferences × prompt kinds, expanded once into a fixed list of items " +
    "(at most 1000, and at most 2000 sessions per run). Runners play the items through sessions but never " +
    "see a task's hidden side, nor can they read the tasks themselves.",
  security: bearerSecurity,
  middleware: [requireAdmin] as const,
  request: { body: jsonBody(CreateBenchmarkBody) },
  responses: {
    201: jsonResponse(Benchmark, "The benchmark."),
    ...errorResponses(400, 401, 403, 404, 409, 415),
  },
});

export const registerCreateBenchmark = (app: App) =>
  app.openapi(route, async (c) => {
    const created = await createBenchmark({
      db: c.get("db"),
      actor: c.get("actor"),
      input: c.req.valid("json"),
    });
    return c.json(created, 201);
  });
