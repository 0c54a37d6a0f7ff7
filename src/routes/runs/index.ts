import { createRoute, z } from "@hono/zod-openapi";
import { newApp } from "../../app";
import { runEntry } from "../../services/leaderboard";
import { getRun } from "../../services/run-end";
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
  description:
    "A run past its deadline is ended on this read (its unfinished sessions score 0) and gets its entry: " +
    "expiry is lazy, on any read of the run, of its sessions or of the benchmark's leaderboard.",
  request: { params: RunIdParam },
  responses: { 200: jsonResponse(RunDetail, "The run."), ...errorResponses(400, 401, 404) },
});

const submit = createRoute({
  method: "post",
  path: "/{id}/submit",
  tags,
  security: bearerSecurity,
  deprecated: true,
  summary: "Deprecated: the entry of an ended run",
  description:
    "Runs are no longer submitted: every run ends by itself (its last session finished, or its deadline " +
    "passed) and every ended run is an entry, so there is nothing to choose. Kept for older clients: 200 with " +
    "the run's entry once it has ended (the same on every call), 409 while it is open (`details`: finished, " +
    "total, deadline_at). It changes nothing that a read of the run would not.",
  request: { params: RunIdParam },
  responses: {
    200: jsonResponse(Entry, "The run's entry."),
    ...errorResponses(400, 401, 404, 409),
  },
});

export const runsApp = newApp()
  .openapi(get, async (c) =>
    c.json(
      await getRun({ db: c.get("db"), env: c.env, actor: c.get("actor"), id: c.req.valid("param").id }),
      200,
    ),
  )
  .openapi(submit, async (c) =>
    c.json(
      await runEntry({ db: c.get("db"), env: c.env, actor: c.get("actor"), id: c.req.valid("param").id }),
      200,
    ),
  );
