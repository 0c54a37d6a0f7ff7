import { createRoute, z } from "@hono/zod-openapi";
import { newApp } from "../../app";
import { submitRun } from "../../services/leaderboard";
import { getRun } from "../../services/runs";
import { RunDetail } from "../benchmarks/schema";
import { Entry } from "../leaderboards/schema";
import { bearerSecurity, errorResponses, jsonResponse } from "../openapi";

const tags = ["Leaderboard"];
const RunIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "run_8fJ2…" }),
});

const get = createRoute({
  method: "get",
  path: "/{id}",
  tags,
  security: bearerSecurity,
  summary: "A run of yours, with every session's state",
  request: { params: RunIdParam },
  responses: { 200: jsonResponse(RunDetail, "The run."), ...errorResponses(400, 401, 404) },
});

const submit = createRoute({
  method: "post",
  path: "/{id}/submit",
  tags,
  security: bearerSecurity,
  summary: "Submit a finished run: the service scores it and puts the entry on the leaderboard",
  description:
    "Takes no body: the entry is computed only from the run's sessions as the service stored them, then " +
    "signed. 409 while a session is unfinished (`details.session_ids` names some). Submitting again returns " +
    "the same entry with 200. A submitted run's sessions take no more calls (409).",
  request: { params: RunIdParam },
  responses: {
    201: jsonResponse(Entry, "The new entry."),
    200: jsonResponse(Entry, "The run was already submitted: its entry."),
    ...errorResponses(400, 401, 404, 409),
  },
});

export const runsApp = newApp()
  .openapi(get, async (c) =>
    c.json(await getRun({ db: c.get("db"), actor: c.get("actor"), id: c.req.valid("param").id }), 200),
  )
  .openapi(submit, async (c) => {
    const { entry, created } = await submitRun({
      db: c.get("db"),
      env: c.env,
      actor: c.get("actor"),
      id: c.req.valid("param").id,
    });
    return created ? c.json(entry, 201) : c.json(entry, 200);
  });
