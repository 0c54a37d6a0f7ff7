import { z } from "@hono/zod-openapi";
import { BENCHMARK_LIMITS } from "../../services/benchmarks";
import { ASSIGNMENTS, PROMPT_KINDS } from "../../userville/benchmark-items";
import { PREFERENCE_IDS, PROFILES } from "../../userville/types";

const distinct = <T>(items: T[]) => new Set(items).size === items.length;

export const BenchmarkIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "bench_demo" }),
});

export const CreateBenchmarkBody = z
  .strictObject({
    id: z
      .string()
      .regex(/^bench_[A-Za-z0-9_]{1,60}$/)
      .optional()
      .openapi({
        description: "A stable id (`bench_…`); generated when absent.",
        example: "bench_swe_small",
      }),
    name: z.string().trim().min(1).max(100).openapi({ example: "SWE small" }),
    description: z.string().trim().max(1000).optional(),
    task_ids: z
      .array(z.string().min(1).max(64))
      .min(1)
      .max(500)
      .refine(distinct, "task_ids must not repeat")
      .openapi({
        description: "Tasks of your (admin) account; their hidden side stays hidden from runners.",
      }),
    preferences: z
      .array(z.enum(PREFERENCE_IDS))
      .min(1)
      .max(PREFERENCE_IDS.length)
      .refine(distinct, "preferences must not repeat")
      .openapi({ example: ["no_preference", "one_question", "capital", "commas"] }),
    prompts: z
      .array(z.enum(PROMPT_KINDS))
      .min(1)
      .max(2)
      .refine(distinct, "prompts must not repeat")
      .default(["vague"])
      .openapi({ description: 'Which prompt the agent sees: "vague" (default), "precise", or both.' }),
    assignment: z
      .enum(ASSIGNMENTS)
      .default("cross")
      .openapi({
        description:
          '"cross": every task × every preference × every prompt. "round_robin": task i gets preference ' +
          "i mod |preferences|. Items are stored at creation, so every run plays the same ones.",
      }),
    trials: z.number().int().min(1).max(8).default(4).openapi({ description: "Sessions per item in a run." }),
    daily_run_quota: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .openapi({ description: "Runs one account may start on this benchmark per UTC day." }),
    max_runs: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .openapi({
        description:
          "Runs one account may ever start on this benchmark. Every run becomes an entry, and each entry shows " +
          "`runs_started`, so a best-of-N is visible.",
      }),
    deadline_minutes: z
      .number()
      .int()
      .min(1)
      .max(10_080)
      .default(1440)
      .openapi({
        description:
          "Minutes a run has to finish its sessions (default a day, at most a week). Past it the run ends: " +
          "its unfinished sessions score 0, and it becomes an entry.",
      }),
    profile: z.enum(PROFILES).default("paper").openapi({ description: "Reward profile of every session." }),
  })
  .openapi("CreateBenchmarkRequest");

export const Benchmark = z
  .object({
    id: z.string().openapi({ example: "bench_demo" }),
    name: z.string(),
    description: z.string().nullable(),
    tasks: z.number().int(),
    items: z.number().int().openapi({ description: "Task × preference × prompt combinations." }),
    trials: z.number().int(),
    sessions_per_run: z
      .number()
      .int()
      .openapi({ description: `items × trials, at most ${BENCHMARK_LIMITS.sessionsPerRun}.` }),
    preferences: z.array(z.enum(PREFERENCE_IDS)),
    prompts: z.array(z.enum(PROMPT_KINDS)),
    assignment: z.enum(ASSIGNMENTS),
    profile: z.enum(PROFILES),
    daily_run_quota: z.number().int(),
    max_runs: z.number().int(),
    deadline_minutes: z.number().int(),
    created_at: z.string(),
  })
  .openapi("Benchmark");

export const StartRunBody = z
  .strictObject({
    agent: z.string().trim().min(1).max(100).openapi({ example: "demo-agent" }),
    version: z.string().trim().min(1).max(50).optional().openapi({ example: "1.0.0" }),
  })
  .openapi("StartRunRequest");

export const RunSession = z
  .object({
    id: z.string().openapi({ example: "ses_4Yb0…" }),
    task_id: z.string(),
    prompt: z.string().openapi({ description: "What the agent sees." }),
    preference: z.object({ id: z.enum(PREFERENCE_IDS), description: z.string() }),
    vague: z.boolean(),
    state: z.enum(["open", "finished"]),
  })
  .openapi("RunSession");

export const Run = z
  .object({
    id: z.string().openapi({ example: "run_8fJ2…" }),
    benchmark_id: z.string(),
    agent: z.string(),
    version: z.string().nullable(),
    state: z.enum(["open", "ended"]).openapi({
      description:
        '"ended" once its last session finished or its deadline passed; then it has its entry, and its ' +
        "sessions show their scores and labels. Until then no response shows any.",
    }),
    engine: z.enum(["rules", "llm"]).openapi({ description: "What plays the simulated user." }),
    model: z.string().nullable().openapi({ description: "The simulator model (llm engine)." }),
    prompt_versions: z.record(z.string(), z.string()),
    profile: z.enum(PROFILES),
    created_at: z.string(),
    deadline_at: z.string().openapi({ description: "Past it the run ends; unfinished sessions score 0." }),
    ended_at: z.string().nullable(),
    ended_by: z.enum(["finished", "expired"]).nullable(),
    entry_id: z.string().nullable(),
    runs_started: z
      .number()
      .int()
      .openapi({ description: "Runs this account has started on the benchmark, this one included." }),
    max_runs: z.number().int().openapi({ description: "The most it may ever start there." }),
    sessions: z.array(RunSession),
  })
  .openapi("Run");

export const RunDetail = Run.extend({
  progress: z.object({ finished: z.number().int(), total: z.number().int() }),
}).openapi("RunDetail");
