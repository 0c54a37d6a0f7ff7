import { createRoute } from "@hono/zod-openapi";
import { newApp } from "../../app";
import { getListedEntry, listEntries, verifyEntry } from "../../services/leaderboard";
import { bearerSecurity, errorResponses, jsonResponse } from "../openapi";
import { BenchmarkParam, Entry, EntryParams, Leaderboard, LeaderboardQuery, Verification } from "./schema";

const tags = ["Leaderboard"];

const get = createRoute({
  method: "get",
  path: "/{benchmark}",
  tags,
  security: bearerSecurity,
  summary: "A benchmark's leaderboard",
  description:
    "Every ended run's entry, best first (by the Avg of productivity, proactivity and personalization " +
    "unless `sort` says otherwise; within `split` when given). Scores are computed by the service from its " +
    "own sessions. Only entries whose signature verifies are listed; `hidden` counts the others. Runs past " +
    "their deadline are ended on this read. The same list is rendered at `/leaderboard/{benchmark}`.",
  request: { params: BenchmarkParam, query: LeaderboardQuery },
  responses: { 200: jsonResponse(Leaderboard, "The leaderboard."), ...errorResponses(400, 401, 404) },
});

const getOne = createRoute({
  method: "get",
  path: "/{benchmark}/entries/{id}",
  tags,
  security: bearerSecurity,
  summary: "One listed entry, with its rank",
  description: "404 for an entry that does not verify: it is not listed.",
  request: { params: EntryParams },
  responses: { 200: jsonResponse(Entry, "The entry."), ...errorResponses(400, 401, 404) },
});

const verify = createRoute({
  method: "get",
  path: "/{benchmark}/entries/{id}/verify",
  tags,
  security: bearerSecurity,
  summary: "Check an entry's signature against the stored sessions",
  description:
    "`valid` is true when the stored entry carries the service's signature and recomputing it from the " +
    "run's stored sessions gives the same document.",
  request: { params: EntryParams },
  responses: { 200: jsonResponse(Verification, "The verdict."), ...errorResponses(400, 401, 404) },
});

export const leaderboardsApp = newApp()
  .openapi(get, async (c) => {
    const { sort, split } = c.req.valid("query");
    return c.json(
      await listEntries({
        db: c.get("db"),
        env: c.env,
        benchmarkId: c.req.valid("param").benchmark,
        sort,
        split,
      }),
      200,
    );
  })
  .openapi(getOne, async (c) => {
    const { benchmark, id } = c.req.valid("param");
    const { entry } = await getListedEntry({
      db: c.get("db"),
      env: c.env,
      benchmarkId: benchmark,
      entryId: id,
    });
    return c.json(entry, 200);
  })
  .openapi(verify, async (c) => {
    const { benchmark, id } = c.req.valid("param");
    return c.json(
      await verifyEntry({ db: c.get("db"), env: c.env, benchmarkId: benchmark, entryId: id }),
      200,
    );
  });
