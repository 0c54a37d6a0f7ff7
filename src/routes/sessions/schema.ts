import { z } from "@hono/zod-openapi";
import { LIMITS } from "../../config";
import { PREFERENCE_IDS, PROFILES } from "../../userville/types";
import { ScoreSchema } from "../score/schema";

export const SessionIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "ses_4Yb0…" }),
});

export const CreateSessionBody = z
  .strictObject({
    task_id: z.string().min(1).max(64),
    preference: z.enum(PREFERENCE_IDS),
    vague: z.boolean().default(true).openapi({
      description:
        "true: the agent sees the vague prompt (default). false: the precise prompt (the paper's 13th row).",
    }),
    profile: z.enum(PROFILES).default("paper").openapi({ description: "Reward profile used at finish." }),
  })
  .openapi("CreateSessionRequest");

export const CreatedSession = z
  .object({
    id: z.string(),
    task_id: z.string(),
    prompt: z.string().openapi({ description: "What the agent sees." }),
    preference: z.object({ id: z.enum(PREFERENCE_IDS), description: z.string() }),
    max_questions: z.literal(4),
    vague: z.boolean(),
    profile: z.enum(PROFILES),
    engine: z.enum(["rules", "llm"]),
    state: z.enum(["open", "finished"]),
  })
  .openapi("Session");

export const AskBody = z
  .strictObject({
    question: z
      .string()
      .trim()
      .min(1)
      .max(LIMITS.questionChars)
      .openapi({ example: "Which error message do you see?" }),
  })
  .openapi("AskRequest");

export const AskResponse = z
  .object({
    answer: z.string().openapi({ description: "The simulated user's reply, every tag stripped." }),
    position: z.number().int().openapi({ description: "1-based number of this ask in the session." }),
    remaining: z
      .number()
      .int()
      .openapi({ description: "Asks the user will still answer (0: further asks are refused)." }),
  })
  .openapi("AskResponse");

export const ActionResponse = z.object({ actions: z.number().int() }).openapi("ActionResponse");

export const FinishBody = z
  .strictObject({
    prediction: z
      .union([z.string().max(LIMITS.messageChars), z.array(z.string().max(1000)).max(LIMITS.listItems)])
      .openapi({ description: "Function list (SWE) or answer (research)." }),
    task_score: z.number().min(0).max(1).optional().openapi({
      description:
        "Task success in [0, 1] measured by you (e.g. unit tests), for what the service cannot check.",
    }),
  })
  .openapi("FinishRequest");

const TranscriptQuestion = z
  .object({
    position: z.number().int(),
    text: z.string(),
    answer: z.string(),
    after_actions: z.number().int(),
    tier: z.string().nullable().optional().openapi({ description: "Only once the session is finished." }),
    effort: z.string().nullable().optional(),
    effort_source: z.string().nullable().optional(),
    compliant: z.boolean().nullable().optional(),
    judge: z.string().nullable().optional(),
    notes: z.record(z.string(), z.unknown()).optional().openapi({
      description: "Once finished: fallbacks taken for this turn and the simulator's own reward tag.",
    }),
  })
  .openapi("TranscriptQuestion");

export const SessionView = CreatedSession.extend({
  actions: z.number().int(),
  questions: z.array(TranscriptQuestion),
  score: ScoreSchema.nullable(),
  model: z.string().nullable(),
  prompt_versions: z.record(z.string(), z.string()),
  usage: z
    .object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int() })
    .nullable()
    .openapi({ description: "null for a session of a leaderboard run that has not ended." }),
  created_at: z.string(),
  finished_at: z.string().nullable(),
}).openapi("SessionView");

/** What finish answers for a leaderboard run's session: nothing that could be learned before the run ends. */
export const RunSessionFinished = z.object({ state: z.literal("finished") }).openapi("RunSessionFinished", {
  description: "A run's session: its score is readable once the run has ended (GET /v1/sessions/{id}).",
});
