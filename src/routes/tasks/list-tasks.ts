import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, lt, or } from "drizzle-orm";
import type { App } from "../../app";
import { tasks } from "../../db/schema";
import { decodeCursor, encodeCursor } from "../../lib/cursor";
import { publicTask } from "../../services/task-writes";
import { bearerSecurity, errorResponses, jsonResponse } from "../openapi";
import { ListQuery, PublicTask } from "./schema";

const route = createRoute({
  method: "get",
  path: "/",
  tags: ["Tasks"],
  summary: "Your tasks, newest first",
  security: bearerSecurity,
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(PublicTask), next_cursor: z.string().nullable() }).openapi("TaskList"),
      "A page of tasks.",
    ),
    ...errorResponses(400, 401),
  },
});

export const registerListTasks = (app: App) =>
  app.openapi(route, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const actor = c.get("actor");
    const after = cursor ? decodeCursor(cursor) : null;
    const rows = await c
      .get("db")
      .select()
      .from(tasks)
      .where(
        and(
          eq(tasks.accountId, actor.accountId),
          after
            ? or(
                lt(tasks.createdAt, after.createdAt),
                and(eq(tasks.createdAt, after.createdAt), lt(tasks.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(tasks.createdAt), desc(tasks.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json(
      {
        data: page.map(publicTask),
        next_cursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
      },
      200,
    );
  });
