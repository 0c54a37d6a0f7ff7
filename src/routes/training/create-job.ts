import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app";
import { LIMITS } from "../../config";
import { ApiError } from "../../errors";
import { metered } from "../../services/billing";
import { scoreItems, withAdvantages } from "../../services/scoring";
import { createTrainingJob, estimateTrainingJob, jobOfAttempts } from "../../services/training";
import { meterOf } from "../metering";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { CreateTrainingJob, TrainingJobEstimate, TrainingJobSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Training"],
  summary: "Start a PPP training job on a GPU runner",
  description:
    "Two forms. `items`: scored trajectories as /v1/score/batch items, each with its GRPO `group`; the " +
    "service scores them, computes group advantages and stores both (charged `score_batch_item` per item, " +
    `up to ${LIMITS.batchItems} items, body up to ${LIMITS.batchBodyBytes / 1024 / 1024} MiB). \`config\`: ` +
    "task ids expanded to the paper's 13 rows per task (12 seen preferences with vague prompts + 1 precise), " +
    "GRPO settings, reward weights and profile (free). The job is stored, then queued for the dispatcher, " +
    "which submits it to the runner and follows it: poll `GET /v1/training/jobs/{id}`. Send `Idempotency-Key` " +
    "to make retries safe.",
  security: bearerSecurity,
  request: { body: jsonBody(CreateTrainingJob) },
  responses: {
    200: jsonResponse(TrainingJobEstimate, "A dry run: the estimate; nothing charged or created."),
    202: jsonResponse(TrainingJobSchema, "Accepted: the job, in state CREATED."),
    ...errorResponses(400, 401, 402, 409, 413, 415),
  },
});

export const registerCreateJob = (app: App) =>
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const meter = meterOf(c);
    if (input.dry_run)
      return c.json(
        await estimateTrainingJob({ db: meter.db, actor: meter.actor, input, prices: meter.prices }),
        200,
      );
    const adopted = await jobOfAttempts(meter.db, meter.actor, c.get("priorAttempts"));
    if (adopted) return c.json(adopted, 202);
    const deps = {
      db: meter.db,
      actor: meter.actor,
      queue: c.env.TRAINING_QUEUE,
      prices: meter.prices,
      requestId: meter.requestId,
    };
    if (!("items" in input)) return c.json(await createTrainingJob({ ...deps, input, scored: null }), 202);
    const missing = input.items.findIndex((item) => item.group === undefined);
    if (missing >= 0)
      throw new ApiError("invalid_request", "Every item needs its GRPO `group` to train on.", {
        details: [{ path: `items.${missing}.group` }],
      });
    const mode = input.grpo?.advantage ?? "grpo";
    const job = await metered(meter, "score_batch_item", input.items.length, async () => {
      const scores = await scoreItems({ ...deps, items: input.items, engine: "rules", batch: true });
      const groups = input.items.map((item) => item.group ?? null);
      const { advantages } = withAdvantages(scores, groups, mode);
      if (![...scores.map((s) => s.reward), ...advantages].every((x) => x === null || Number.isFinite(x)))
        throw new ApiError("invalid_request", "The items give a non-finite reward or advantage.");
      return createTrainingJob({ ...deps, input, scored: { scores, advantages, mode } });
    });
    return c.json(job, 202);
  });
