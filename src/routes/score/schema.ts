import { z } from "@hono/zod-openapi";
import { LIMITS } from "../../config";
import { EFFORTS, PREFERENCE_IDS, PROFILES, TIERS } from "../../userville/types";
import { TaskInput } from "../task-schema";

const Question = z
  .strictObject({
    text: z.string().trim().min(1).max(LIMITS.questionChars).openapi({ example: "Which error do you see?" }),
    answer: z
      .string()
      .max(LIMITS.messageChars)
      .optional()
      .openapi({ description: "The user's reply, if recorded." }),
    tier: z
      .enum(TIERS)
      .optional()
      .openapi({ description: "The information tier that answered (client label)." }),
    effort: z.enum(EFFORTS).optional().openapi({ description: "Effort class, when no tier is known." }),
    after_actions: z.number().int().min(0).max(100_000).optional().openapi({
      description: "The agent's non-question steps before this ask (for only_begin). Default 0.",
    }),
  })
  .openapi("Question");

const ContentPart = z.looseObject({
  type: z.string().max(50),
  text: z.string().max(LIMITS.messageChars).optional(),
});
const ToolCall = z.looseObject({
  id: z.string().max(200).optional(),
  type: z.string().max(50).optional(),
  function: z.looseObject({ name: z.string().max(200), arguments: z.string().max(LIMITS.messageChars) }),
});
const Message = z
  .looseObject({
    role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
    content: z
      .union([z.string().max(LIMITS.messageChars), z.array(ContentPart).max(LIMITS.contentParts), z.null()])
      .optional(),
    tool_calls: z.array(ToolCall).max(LIMITS.toolCalls).optional(),
    tool_call_id: z.string().max(200).optional(),
    name: z.string().max(200).optional(),
  })
  .openapi("ChatMessage", {
    description: "An OpenAI chat message; asks are tool calls to ask_question / ask_user.",
  });

export const Weights = z
  .strictObject({
    proactivity: z.number().min(0).max(10).default(1),
    personalization: z.number().min(0).max(10).default(1),
  })
  .openapi("Weights", {
    description: "Reward weights; the paper's ablations set one to 0. Default 1 and 1.",
  });

export const ScoreRequestBase = z.strictObject({
  task_id: z.string().min(1).max(64).optional().openapi({ example: "task_2b6Jm0qXc1Vn8sYp3dRt" }),
  task: TaskInput.optional(),
  preference: z.enum(PREFERENCE_IDS),
  vague: z
    .boolean()
    .default(true)
    .openapi({ description: "Whether the agent saw the vague prompt. Default true." }),
  profile: z.enum(PROFILES).default("paper"),
  weights: Weights.optional(),
  prediction: z
    .union([z.string().max(LIMITS.messageChars), z.array(z.string().max(1000)).max(LIMITS.listItems)])
    .optional()
    .openapi({ description: "The agent's answer: function list (SWE) or answer string (research)." }),
  task_score: z.number().min(0).max(1).optional().openapi({
    description:
      "Task success in [0, 1] measured by you (e.g. unit-test pass rate); overrides the service's check.",
  }),
  questions: z.array(Question).max(LIMITS.questionsPerTrajectory).optional(),
  messages: z.array(Message).max(LIMITS.messagesPerTrajectory).optional(),
});

type Base = z.infer<typeof ScoreRequestBase>;

/** Exactly one task source and at most one trajectory form. */
export function refineScoreRequest(value: Base, ctx: z.RefinementCtx) {
  if ((value.task_id === undefined) === (value.task === undefined)) {
    ctx.addIssue({ code: "custom", path: ["task_id"], message: "Give exactly one of task_id or task." });
  }
  if (value.questions !== undefined && value.messages !== undefined) {
    ctx.addIssue({ code: "custom", path: ["messages"], message: "Give questions or messages, not both." });
  }
}

export const ScoreRequest = ScoreRequestBase.superRefine(refineScoreRequest).openapi("ScoreRequest");

export const BatchItem = ScoreRequestBase.extend({
  group: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: "GRPO group: rollouts of one prompt." }),
}).superRefine(refineScoreRequest);

export const ScoreBatchRequest = z
  .strictObject({
    items: z.array(BatchItem).min(1).max(LIMITS.batchItems),
    advantage: z.enum(["grpo", "dr_grpo", "none"]).optional().openapi({
      description: 'Group advantage. Default "grpo" when any item has a group, else "none".',
    }),
  })
  .openapi("ScoreBatchRequest");

const ScoredQuestion = z
  .object({
    text: z.string(),
    effort: z.enum(EFFORTS).nullable(),
    tier: z.enum(TIERS).nullable(),
    effort_source: z.enum(["client", "rules", "llm"]).nullable(),
    compliant: z.boolean().nullable(),
    judge: z.enum(["rule", "llm", "heuristic"]).nullable(),
  })
  .openapi("ScoredQuestion");

export const ScoreSchema = z
  .object({
    reward: z
      .number()
      .openapi({ description: "clip(productivity + w·proactivity + w·personalization, 0, 1)" }),
    productivity: z.number(),
    proactivity: z.number(),
    personalization: z.number(),
    metrics: z.object({
      proactive: z.boolean(),
      personalized: z.boolean().nullable(),
      asked: z.boolean(),
      questions: z.number().int(),
      effort: z.enum(EFFORTS).nullable(),
    }),
    questions: z.array(ScoredQuestion),
    profile: z.enum(PROFILES),
    engine: z.enum(["rules", "llm"]),
  })
  .openapi("Score");

export const ScoreBatchResponse = z
  .object({
    results: z.array(ScoreSchema.extend({ advantage: z.number().nullable(), group: z.string().nullable() })),
    summary: z.object({
      count: z.number().int(),
      reward: z.number(),
      productivity: z.number(),
      proactivity: z.number(),
      personalization: z.number(),
      proactive_rate: z.number(),
      personalized_rate: z.number().nullable(),
      ask_ratio: z.number(),
      advantage: z.enum(["grpo", "dr_grpo", "none"]),
    }),
  })
  .openapi("ScoreBatchResponse");

export type ScoreRequestInput = z.infer<typeof BatchItem>;
