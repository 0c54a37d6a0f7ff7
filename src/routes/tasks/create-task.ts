import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app";
import { chargeTokens, metered } from "../../services/billing";
import { createTask, hiddenValues, publicTask } from "../../services/task-writes";
import { vaguenizePrompt } from "../../services/vaguenize";
import { meterOf } from "../metering";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { TaskInput } from "../task-schema";
import { CreatedTask } from "./schema";

const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Tasks"],
  summary: "Create a task (its hidden side stays with the service)",
  description:
    "Stores the precise prompt and the hidden tiers (hint, gold files and functions, documents, answer). " +
    "Without `vague_prompt`, the engine vaguenizes the prompt; the response says which engine wrote it. " +
    "Only the public view (id, family, vague_prompt) is ever returned.",
  security: bearerSecurity,
  request: { body: jsonBody(TaskInput) },
  responses: {
    201: jsonResponse(CreatedTask, "The task's public view."),
    ...errorResponses(400, 401, 413, 415),
  },
});

export const registerCreateTask = (app: App) =>
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const db = c.get("db");
    const meter = meterOf(c);
    // Storing a task is free; vaguenizing it for you is charged as a vaguenize call.
    const create = async () => {
      const vague = input.vague_prompt
        ? {
            vague_prompt: input.vague_prompt,
            engine: "client" as const,
            usage: { promptTokens: 0, completionTokens: 0 },
          }
        : await vaguenizePrompt({
            env: c.env,
            db,
            prompt: input.prompt,
            family: input.family,
            title: input.title,
            hidden: hiddenValues(input),
          });
      return {
        vague,
        row: await createTask({ db, actor: c.get("actor"), input, vaguePrompt: vague.vague_prompt }),
      };
    };
    const { vague, row } = input.vague_prompt ? await create() : await metered(meter, "vaguenize", 1, create);
    await chargeTokens(meter, "tasks.vaguenize", vague.usage.promptTokens + vague.usage.completionTokens);
    return c.json(
      {
        ...publicTask(row),
        vaguenized_by: vague.engine,
        ...("fallback_reason" in vague && vague.fallback_reason
          ? { fallback_reason: vague.fallback_reason }
          : {}),
      },
      201,
    );
  });
