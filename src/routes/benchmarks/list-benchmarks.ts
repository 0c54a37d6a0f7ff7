import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { getBenchmark, listBenchmarks } from "../../services/benchmarks";
import { bearerSecurity, errorResponses, jsonResponse } from "../openapi";
import { Benchmark, BenchmarkIdParam } from "./schema";

const list = createRoute({
  method: "get",
  path: "/",
  tags: ["Leaderboard"],
  summary: "Every benchmark, newest first",
  description: "Benchmarks are public: any key may list them and start runs on them.",
  security: bearerSecurity,
  responses: {
    200: jsonResponse(z.object({ data: z.array(Benchmark) }).openapi("BenchmarkList"), "The benchmarks."),
    ...errorResponses(401),
  },
});

const get = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Leaderboard"],
  summary: "One benchmark",
  security: bearerSecurity,
  request: { params: BenchmarkIdParam },
  responses: { 200: jsonResponse(Benchmark, "The benchmark."), ...errorResponses(400, 401, 404) },
});

export const registerListBenchmarks = (app: App) =>
  app
    .openapi(list, async (c) => c.json({ data: await listBenchmarks(c.get("db")) }, 200))
    .openapi(get, async (c) => c.json(await getBenchmark(c.get("db"), c.req.valid("param").id), 200));
