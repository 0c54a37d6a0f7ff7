import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { getTrainingJob, listTrainingJobs } from "../../services/training";
import { bearerSecurity, errorResponses, jsonResponse } from "../openapi";
import { ListQuery } from "../tasks/schema";
import { JobIdParam, TrainingJobSchema } from "./schema";

const get = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Training"],
  summary: "A training job: state, runner job id, attempts, per-step metrics and result",
  security: bearerSecurity,
  request: { params: JobIdParam },
  responses: { 200: jsonResponse(TrainingJobSchema, "The job."), ...errorResponses(400, 401, 404) },
});

const list = createRoute({
  method: "get",
  path: "/",
  tags: ["Training"],
  summary: "Your training jobs, newest first (without metrics)",
  security: bearerSecurity,
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(
      z
        .object({ data: z.array(TrainingJobSchema), next_cursor: z.string().nullable() })
        .openapi("TrainingJobList"),
      "A page of jobs.",
    ),
    ...errorResponses(400, 401),
  },
});

export const registerReadJobs = (app: App) =>
  app
    .openapi(get, async (c) =>
      c.json(
        await getTrainingJob({ db: c.get("db"), actor: c.get("actor"), id: c.req.valid("param").id }),
        200,
      ),
    )
    .openapi(list, async (c) => {
      const { limit, cursor } = c.req.valid("query");
      return c.json(await listTrainingJobs({ db: c.get("db"), actor: c.get("actor"), limit, cursor }), 200);
    });
