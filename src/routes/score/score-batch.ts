import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app";
import { LIMITS } from "../../config";
import { metered } from "../../services/billing";
import { scoreItems, summarize, withAdvantages } from "../../services/scoring";
import { meterOf } from "../metering";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { ScoreBatchRequest, ScoreBatchResponse } from "./schema";

const route = createRoute({
  method: "post",
  path: "/batch",
  tags: ["Scoring"],
  summary: "Score a batch of trajectories, with GRPO group advantages",
  description:
    `Up to ${LIMITS.batchItems} items (a paper training step is 64 prompts × 8 rollouts = 512), body up to ` +
    `${LIMITS.batchBodyBytes / 1024 / 1024} MiB. Items sharing a \`group\` are one GRPO group; advantages follow ` +
    "verl (unbiased std, ε = 1e-6; a group of one uses mean 0 and std 1). The whole batch is validated before " +
    "anything is scored: one bad item rejects the request, with its index in `details`.",
  security: bearerSecurity,
  request: { body: jsonBody(ScoreBatchRequest) },
  responses: {
    200: jsonResponse(ScoreBatchResponse, "One result per item, in order, and their means."),
    ...errorResponses(400, 401, 404, 413, 415),
  },
});

export const registerScoreBatch = (app: App) =>
  app.openapi(route, async (c) => {
    const { items, advantage } = c.req.valid("json");
    const scores = await metered(meterOf(c), "score_batch_item", items.length, () =>
      scoreItems({ db: c.get("db"), actor: c.get("actor"), items, engine: "rules", batch: true }),
    );
    const groups = items.map((item) => item.group ?? null);
    const { mode, advantages } = withAdvantages(scores, groups, advantage);
    return c.json(
      {
        results: scores.map((score, i) => ({ ...score, advantage: advantages[i], group: groups[i] })),
        summary: { ...summarize(scores), advantage: mode },
      },
      200,
    );
  });
