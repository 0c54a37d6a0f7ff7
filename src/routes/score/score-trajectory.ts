import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app";
import { metered } from "../../services/billing";
import { scoreItems } from "../../services/scoring";
import { meterOf } from "../metering";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { ScoreRequest, ScoreSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Scoring"],
  summary: "Score one trajectory with the PPP rewards",
  description:
    "Stateless, offline scoring. Give the task by id or inline, and the agent's asks as `questions` or as an " +
    "OpenAI `messages` transcript (asks = tool calls to ask_question / ask_user). Questions without `tier` or " +
    "`effort` are labelled by the rules engine from the task's hidden tiers. Component rewards are unweighted; " +
    "`reward` applies the weights and the clip to [0, 1].",
  security: bearerSecurity,
  request: { body: jsonBody(ScoreRequest) },
  responses: {
    200: jsonResponse(ScoreSchema, "The Score."),
    ...errorResponses(400, 401, 404, 413, 415),
  },
});

export const registerScoreTrajectory = (app: App) =>
  app.openapi(route, async (c) => {
    const item = c.req.valid("json");
    const [score] = await metered(meterOf(c), "score", 1, () =>
      scoreItems({ db: c.get("db"), actor: c.get("actor"), items: [item], engine: "rules", batch: false }),
    );
    return c.json(score, 200);
  });
