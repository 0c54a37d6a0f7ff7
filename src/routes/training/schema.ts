import { z } from "@hono/zod-openapi";
import { LIMITS } from "../../config";
import { JOB_STATES, METRIC_NAMES } from "../../training/states";
import { PREFERENCE_IDS, PROFILES } from "../../userville/types";
import { BatchItem, Weights } from "../score/schema";

export const TRAINING_LIMITS = { taskIds: 1000, runtimeMinutes: 7 * 24 * 60, steps: 10_000 } as const;

export const GrpoSettings = z
  .strictObject({
    group_size: z.number().int().min(2).max(64).default(8).openapi({ description: "Rollouts per prompt." }),
    batch_size: z.number().int().min(1).max(1024).default(64).openapi({ description: "Prompts per step." }),
    steps: z.number().int().min(1).max(TRAINING_LIMITS.steps).default(200),
    learning_rate: z.number().positive().max(1).default(1e-6),
    advantage: z.enum(["grpo", "dr_grpo"]).default("grpo"),
  })
  .openapi("GrpoSettings", {
    description: "The paper's settings by default: 64 prompts × 8 rollouts per step, 200 steps, lr 1e-6.",
  });

export const TrainingConfig = z
  .strictObject({
    task_ids: z.array(z.string().min(1).max(64)).min(1).max(TRAINING_LIMITS.taskIds).openapi({
      description: "Tasks of your account; each becomes 13 rows (12 seen preferences, vague, + 1 precise).",
    }),
    preferences: z.array(z.enum(PREFERENCE_IDS)).min(1).max(20).optional().openapi({
      description: "Seen preferences to train on (default: all 12). Unseen ones are held out for evaluation.",
    }),
    grpo: GrpoSettings.prefault({}),
    weights: Weights.optional(),
    profile: z.enum(PROFILES).default("paper"),
    base_model: z.string().min(1).max(200).default("Seed-OSS-36B-Instruct"),
    user_simulator: z.string().min(1).max(200).default("gpt-5-nano"),
    backend: z
      .enum(["tabular", "verl"])
      .default("tabular")
      .openapi({
        description:
          "What `python -m userville.train` runs: tabular (standard library; a softmax policy over ask " +
          "strategies trained with GRPO on real sessions) or verl (verl's PPO trainer with the UserVille agent loop).",
      }),
    tabular: z
      .strictObject({
        learning_rate: z.number().positive().max(100).optional(),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31)
          .optional(),
        workers: z.number().int().min(1).max(64).optional(),
        reward: z.enum(["sum", "total"]).optional(),
      })
      .optional()
      .openapi({
        description:
          "Tabular backend settings: step size (default 2.0), seed, sessions played at once (default 12), and the " +
          "training reward (sum: unclipped weighted sum, the default; total: the clipped reward).",
      }),
    verl: z
      .strictObject({
        rollout_name: z.string().min(1).max(50).optional(),
        n_gpus_per_node: z.number().int().min(1).max(64).optional(),
        nnodes: z.number().int().min(1).max(1024).optional(),
        python: z.string().min(1).max(500).optional(),
        overrides: z
          .array(
            z
              .string()
              .min(3)
              .max(500)
              .regex(/^[^=\s]+=/),
          )
          .max(100)
          .optional(),
      })
      .optional()
      .openapi({
        description:
          "verl backend settings: rollout engine (default vllm), GPUs per node, nodes, the Python that runs verl, " +
          "and extra Hydra `key=value` overrides applied last.",
      }),
  })
  .openapi("TrainingConfig");

const common = {
  runner: z.enum(["ray", "http"]).default("ray").openapi({
    description: "ray: the Ray Jobs REST API (RAY_JOBS_URL). http: our runner protocol (RUNNER_HTTP_URL).",
  }),
  target: z.string().min(1).max(200).optional().openapi({
    description: "Opaque label passed to the runner (cluster, queue or resource class); never a URL.",
  }),
  max_runtime_minutes: z
    .number()
    .int()
    .min(1)
    .max(TRAINING_LIMITS.runtimeMinutes)
    .default(24 * 60)
    .openapi({ description: "After this long on the runner the job is stopped and ends TIMED_OUT." }),
  dry_run: z.boolean().default(false).openapi({
    description: "true: answer 200 with the job's cost estimate and summary; nothing is charged or created.",
  }),
};

export const ItemsJobRequest = z
  .strictObject({
    ...common,
    items: z.array(BatchItem).min(1).max(LIMITS.batchItems).openapi({
      description: "Scored trajectories as /v1/score/batch items; every item needs its GRPO `group`.",
    }),
    grpo: GrpoSettings.extend({
      steps: z.number().int().min(1).max(TRAINING_LIMITS.steps).optional().openapi({
        description: "Default: one step per group_size × batch_size trajectories (at least 1).",
      }),
    }).optional(),
  })
  .openapi("TrainingItemsRequest");

export const ConfigJobRequest = z
  .strictObject({ ...common, config: TrainingConfig })
  .openapi("TrainingConfigRequest");

export const CreateTrainingJob = z.union([ItemsJobRequest, ConfigJobRequest]);
export type CreateTrainingJobInput = z.infer<typeof CreateTrainingJob>;

const MetricsRow = z
  .object({ step: z.number().int() })
  .catchall(z.number())
  .openapi("TrainingStepMetrics", {
    description: `One step's metrics by name (${METRIC_NAMES.join(", ")}).`,
    example: { step: 3, "reward/total": 0.61 },
  });

export const TrainingJobSchema = z
  .object({
    id: z.string().openapi({ example: "job_8fJ2mQ…" }),
    state: z.enum(JOB_STATES),
    kind: z.enum(["items", "config"]),
    runner: z.enum(["ray", "http"]),
    target: z.string().nullable(),
    runner_job_id: z.string().nullable(),
    attempts: z.number().int().openapi({ description: "Submission attempts so far." }),
    cancel_requested: z.boolean(),
    error: z
      .string()
      .nullable()
      .openapi({ description: "Why the job ended FAILED, CANCELLED, TIMED_OUT or LOST." }),
    summary: z.record(z.string(), z.unknown()),
    metrics: z.array(MetricsRow).optional(),
    result: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi("TrainingJob");

export const JobIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "job_8fJ2mQ…" }),
});

export const RunnerEvent = z
  .strictObject({
    type: z.enum(["started", "progress", "succeeded", "failed", "stopped"]),
    step: z.number().int().min(0).max(1_000_000).optional(),
    metrics: z
      .record(z.string().min(1).max(100), z.number())
      .refine((m) => Object.keys(m).length <= 32, "At most 32 metrics per event.")
      .optional(),
    message: z.string().max(10_000).optional(),
    result: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("RunnerEvent", {
    description:
      "A runner's callback. progress carries one step's metrics; a terminal type only makes the dispatcher " +
      "ask the runner (the state comes from the runner's own status, never from the callback).",
  });

export const JobTokenExchange = z
  .strictObject({
    token: z
      .string()
      .min(1)
      .max(200)
      .openapi({ description: "USERVILLE_JOB_TOKEN, from the job's environment." }),
  })
  .openapi("JobTokenExchange");

export const JobCredentials = z
  .object({
    job_id: z.string(),
    account_id: z.string(),
    api_key: z
      .string()
      .openapi({ description: "A job-scoped key: the job's tasks only; revoked when it ends." }),
    callback_secret: z
      .string()
      .openapi({ description: "whsec_…: signs this job's callbacks and payload reads (Standard Webhooks)." }),
    payload_url: z.string(),
    events_url: z.string(),
    task_ids: z.array(z.string()),
    expires_at: z.string().nullable(),
  })
  .openapi("JobCredentials");

export const Estimate = z
  .object({
    rollouts: z.number().int(),
    price_per_rollout: z.number().int(),
    credits: z.number().int(),
    currency: z.literal("credits"),
  })
  .openapi("TrainingEstimate", {
    description:
      "What the job reserves from the balance when accepted: steps × min(rows, batch_size) × group_size " +
      "rollouts at `training_rollout` each (items form: `score_batch_item` per item). Unused rollouts are " +
      "refunded when the job ends.",
  });

export const TrainingJobEstimate = z
  .object({ dry_run: z.literal(true), estimate: Estimate, summary: z.record(z.string(), z.unknown()) })
  .openapi("TrainingJobEstimate");
