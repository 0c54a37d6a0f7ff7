import { z } from "@hono/zod-openapi";
import { LIMITS } from "../config";
import { FAMILIES } from "../userville/types";

const text = (max: number) => z.string().max(max);
const list = z.array(z.string().trim().min(1).max(1000)).max(LIMITS.listItems);

/** A task with its hidden side, as POST /v1/tasks and inline scoring take it. */
export const TaskInput = z
  .strictObject({
    family: z.enum(FAMILIES).openapi({ description: "swe: function localisation or repair; research: QA." }),
    prompt: text(LIMITS.promptChars).trim().min(1).openapi({
      description: "The precise prompt (hidden).",
      example: "TimeSeries: misleading exception …",
    }),
    title: text(300).optional(),
    vague_prompt: text(LIMITS.promptChars)
      .trim()
      .min(1)
      .optional()
      .openapi({ description: "What the agent sees." }),
    hint: text(LIMITS.promptChars).optional().openapi({ description: "Maintainers' hint (hidden, SWE)." }),
    files: list.optional().openapi({ description: "Gold edit files (hidden, SWE)." }),
    functions: list.optional().openapi({
      description: "Gold functions, `path::Class.method` (hidden, SWE).",
      example: ["astropy/timeseries/core.py::BaseTimeSeries._check_required_columns"],
    }),
    documents: z
      .array(text(LIMITS.promptChars).trim().min(1))
      .max(LIMITS.documents)
      .optional()
      .openapi({ description: "Gold evidence documents (hidden, research)." }),
    answer: text(2000).optional().openapi({ description: "Gold answer (hidden, research)." }),
  })
  .openapi("TaskInput");
export type TaskInputValue = z.infer<typeof TaskInput>;
