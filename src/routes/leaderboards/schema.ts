import { z } from "@hono/zod-openapi";
import { SORTS, SPLITS } from "../../services/leaderboard";
import { Benchmark } from "../benchmarks/schema";

const Interval = z
  .object({
    mean: z.number().nullable().openapi({ description: "In [0, 1]; null when no session counts." }),
    ci: z.tuple([z.number(), z.number()]).nullable().openapi({
      description: "95% percentile bootstrap interval over items; null with fewer than two items.",
    }),
    n: z.number().int().openapi({ description: "Sessions counted." }),
  })
  .openapi("ScoreInterval");

const DimensionScores = z
  .object({
    productivity: Interval.openapi({ description: "Mean task score." }),
    proactivity: Interval.openapi({ description: "Share of low-effort sessions (spec §5)." }),
    personalization: Interval.openapi({
      description: "Share of sessions without a preference violation, over sessions that asked.",
    }),
    avg: Interval.openapi({
      description: 'Mean of the three (Table 2 "Avg"); its interval is bootstrapped too.',
    }),
    ask_ratio: z.number().openapi({ description: "Share of sessions with at least one question." }),
    sessions: z.number().int(),
    items: z.number().int(),
  })
  .openapi("DimensionScores");

const PreferenceScores = z
  .object({
    split: z.enum(["seen", "unseen"]),
    sessions: z.number().int(),
    productivity: z.number().nullable(),
    proactivity: z.number().nullable(),
    personalization: z.number().nullable(),
    avg: z.number().nullable(),
    ask_ratio: z.number(),
  })
  .openapi("PreferenceScores");

export const EntryScores = DimensionScores.extend({
  trials: z.number().int(),
  pass_k: z.record(z.string(), z.number()).openapi({
    description:
      "pass^k for k = 1..trials: per item C(c, k) / C(n, k) with c successes in n trials, averaged (τ-bench). " +
      "A trial succeeds when its reward is 1.",
    example: { "1": 0.5, "2": 0.375 },
  }),
  splits: z.object({
    seen: DimensionScores.nullable(),
    unseen: DimensionScores.nullable(),
    vague: DimensionScores.nullable(),
    precise: DimensionScores.nullable(),
  }),
  by_preference: z.record(z.string(), PreferenceScores),
  bootstrap: z.object({
    method: z.literal("percentile"),
    unit: z.literal("item"),
    resamples: z.number().int(),
    level: z.number(),
    seed: z.number().int().openapi({ description: "FNV-1a of the benchmark id: every run resamples alike." }),
  }),
}).openapi("EntryScores");

export const Entry = z
  .object({
    id: z.string().openapi({ example: "entry_3hQ…" }),
    rank: z.number().int().nullable(),
    benchmark_id: z.string(),
    agent: z.string(),
    version: z.string().nullable(),
    engine: z.enum(["rules", "llm"]),
    model: z.string().nullable(),
    prompt_versions: z.record(z.string(), z.string()),
    scores: EntryScores,
    runs_started: z
      .number()
      .int()
      .openapi({
        description:
          "Runs the entry's account has started on this benchmark so far (each is an entry once ended): " +
          "a best-of-N shows as N.",
      }),
    ended_by: z.enum(["finished", "expired"]).openapi({
      description: '"expired": the deadline passed first; the sessions left unfinished scored 0.',
    }),
    signature: z.string().openapi({
      description:
        "Hex HMAC-SHA256, with the service's key, of the canonical JSON (sorted keys, no whitespace) of the " +
        "entry document: {v, id, benchmark_id, run_id, agent, version, engine, model, prompt_versions, scores, " +
        "sessions_sha256, submitted_at}.",
    }),
    submitted_at: z.string(),
  })
  .openapi("LeaderboardEntry");

export const BenchmarkParam = z.object({
  benchmark: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "benchmark", in: "path" }, example: "bench_demo" }),
});

export const EntryParams = BenchmarkParam.extend({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "entry_3hQ…" }),
});

export const LeaderboardQuery = z.object({
  sort: z
    .enum(SORTS)
    .default("avg")
    .openapi({
      param: { name: "sort", in: "query" },
      description: "Best first by this mean (pass1: pass^1).",
    }),
  split: z
    .enum(SPLITS)
    .default("all")
    .openapi({
      param: { name: "split", in: "query" },
      description: "Sort within this split of the sessions.",
    }),
});

export const Leaderboard = z
  .object({
    benchmark: Benchmark,
    sort: z.enum(SORTS),
    split: z.enum(SPLITS),
    entries: z.array(Entry),
    hidden: z.number().int().openapi({
      description: "Entries left out because their stored signature does not verify (edited in storage).",
    }),
  })
  .openapi("Leaderboard");

export const Verification = z
  .object({
    valid: z.boolean(),
    checks: z.object({
      signature: z.boolean().openapi({ description: "The stored entry carries the service's signature." }),
      sessions: z
        .boolean()
        .openapi({ description: "Recomputed from the stored sessions, the entry is the same." }),
    }),
  })
  .openapi("Verification");
