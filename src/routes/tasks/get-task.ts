import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app";
import { publicTask } from "../../services/task-writes";
import { loadTasks } from "../../services/tasks";
import { bearerSecurity, errorResponses, jsonResponse } from "../openapi";
import { PublicTask, TaskIdParam } from "./schema";

const route = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Tasks"],
  summary: "A task's public view",
  security: bearerSecurity,
  request: { params: TaskIdParam },
  responses: {
    200: jsonResponse(PublicTask, "The public view only."),
    ...errorResponses(400, 401, 404),
  },
});

export const registerGetTask = (app: App) =>
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const found = await loadTasks({ db: c.get("db"), actor: c.get("actor"), ids: [id] });
    return c.json(publicTask(found.get(id) as NonNullable<ReturnType<typeof found.get>>), 200);
  });
