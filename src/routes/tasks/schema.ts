import { z } from "@hono/zod-openapi";
import { decimalInt } from "../decimal-int";

export const PublicTask = z
  .object({
    id: z.string().openapi({ example: "task_2b6Jm0qXc1Vn8sYp3dRt" }),
    family: z.enum(["swe", "research"]),
    vague_prompt: z.string().openapi({ example: "TimeSeries: removing column gives confusing error ..." }),
    created_at: z.string().openapi({ example: "2026-11-24T12:00:00.000Z" }),
  })
  .openapi("Task", { description: "The public side of a task; its hidden side is never returned." });

export const CreatedTask = PublicTask.extend({
  vaguenized_by: z
    .enum(["client", "rules", "llm"])
    .openapi({ description: "Who wrote vague_prompt: you, or the service's engine." }),
  fallback_reason: z.string().optional(),
}).openapi("CreatedTask");

export const TaskIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "task_2b6Jm0qXc1Vn8sYp3dRt" }),
});

export const ListQuery = z.object({
  limit: decimalInt(1, 100)
    .default(20)
    .openapi({ param: { name: "limit", in: "query" }, description: "1 to 100, default 20." }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({
      param: { name: "cursor", in: "query" },
      description: "`next_cursor` of the previous page.",
    }),
});
