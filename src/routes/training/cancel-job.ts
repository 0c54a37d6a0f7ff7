import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app";
import { cancelTrainingJob } from "../../services/training";
import { bearerSecurity, errorResponses, jsonResponse } from "../openapi";
import { JobIdParam, TrainingJobSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/{id}/cancel",
  tags: ["Training"],
  summary: "Cancel a training job",
  description:
    "A job not yet submitted ends CANCELLED at once. Otherwise `cancel_requested` becomes true and the " +
    "dispatcher stops the runner's job; the job ends CANCELLED once the runner reports it stopped (or " +
    "SUCCEEDED/FAILED if it finished first). 409 for a job that already ended.",
  security: bearerSecurity,
  request: { params: JobIdParam },
  responses: {
    202: jsonResponse(TrainingJobSchema, "The job after the request."),
    ...errorResponses(400, 401, 404, 409),
  },
});

export const registerCancelJob = (app: App) =>
  app.openapi(route, async (c) =>
    c.json(
      await cancelTrainingJob({
        db: c.get("db"),
        actor: c.get("actor"),
        id: c.req.valid("param").id,
        queue: c.env.TRAINING_QUEUE,
      }),
      202,
    ),
  );
