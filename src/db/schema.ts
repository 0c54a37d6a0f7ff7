import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

const createdAt = () =>
  integer("created_at", { mode: "number" }).notNull().default(sql`(unixepoch('subsec') * 1000)`);

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  credits: integer("credits").notNull().default(0),
  createdAt: createdAt(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    name: text("name").notNull(),
    /** The visible start of the key, e.g. "uv_live_AbC1", for humans to recognise it. */
    prefix: text("prefix").notNull(),
    /** Hex SHA-256 of the whole key; the key itself is never stored. */
    hash: text("hash").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    mode: text("mode", { enum: ["live", "test"] })
      .notNull()
      .default("live"),
    /** default: an account's key; training: high-rate keys for trainers; job: issued to one training job's runner. */
    keyClass: text("key_class", { enum: ["default", "training", "job"] })
      .notNull()
      .default("default"),
    /** For job keys: the training job whose tasks and reservation the key is limited to. */
    jobId: text("job_id"),
    createdAt: createdAt(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash_idx").on(t.hash), index("api_keys_account_idx").on(t.accountId)],
);

/** A task's public side in columns; the hidden side as one JSON value that only the service reads. */
export const tasks = sqliteTable(
  "tasks",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    family: text("family", { enum: ["swe", "research"] }).notNull(),
    title: text("title"),
    vaguePrompt: text("vague_prompt").notNull(),
    hidden: text("hidden", { mode: "json" })
      .$type<{
        prompt: string;
        hint?: string | null;
        files?: string[];
        functions?: string[];
        documents?: string[];
        answer?: string | null;
      }>()
      .notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("tasks_account_idx").on(t.accountId, t.createdAt)],
);

/** A simulated-user episode: one agent, one task, one preference. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    taskId: text("task_id")
      .notNull()
      .references(() => tasks.id),
    preference: text("preference").notNull(),
    vague: integer("vague", { mode: "boolean" }).notNull(),
    profile: text("profile", { enum: ["paper", "code"] })
      .notNull()
      .default("paper"),
    state: text("state", { enum: ["open", "finished"] })
      .notNull()
      .default("open"),
    /** The agent's non-question steps so far (POST /actions). */
    actions: integer("actions").notNull().default(0),
    questionCount: integer("question_count").notNull().default(0),
    engine: text("engine", { enum: ["rules", "llm"] }).notNull(),
    model: text("model"),
    promptVersions: text("prompt_versions", { mode: "json" }).$type<Record<string, string>>().notNull(),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    prediction: text("prediction", { mode: "json" }).$type<string | string[] | null>(),
    score: text("score", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    finishedAt: integer("finished_at"),
    /** Set for a leaderboard run's session: its task belongs to the benchmark's owner, not to this account. */
    runId: text("run_id").references((): AnySQLiteColumn => runs.id),
    /** The request attempts that created and finished it, so that a retry after a lost response finds them. */
    requestId: text("request_id"),
    finishRequestId: text("finish_request_id"),
    /** Set for a session a training job's key created: it counts against that job's reserved rollouts. */
    jobId: text("job_id"),
  },
  (t) => [index("sessions_account_idx").on(t.accountId, t.createdAt), index("sessions_run_idx").on(t.runId)],
);

/** One ask call and the simulated user's reply; (session, position) is unique, so two racing asks cannot both land. */
export const sessionQuestions = sqliteTable(
  "session_questions",
  {
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id),
    position: integer("position").notNull(),
    text: text("text").notNull(),
    answer: text("answer").notNull(),
    tier: text("tier"),
    effort: text("effort"),
    effortSource: text("effort_source"),
    afterActions: integer("after_actions").notNull(),
    /** What produced the reply, and anything worth keeping about it (fallbacks, the simulator's own tags). */
    meta: text("meta", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** The request attempt that asked it (see sessions.request_id). */
    requestId: text("request_id"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.position] })],
);

/** Completions keyed by a hash of (model, messages, parameters, trial); errors are never stored. */
export const llmCache = sqliteTable("llm_cache", {
  key: text("key").primaryKey(),
  model: text("model").notNull(),
  content: text("content").notNull(),
  promptTokens: integer("prompt_tokens").notNull(),
  completionTokens: integer("completion_tokens").notNull(),
  createdAt: createdAt(),
});

/**
 * Every credit movement, one row each: charges (a billable call reserved its cost), refunds (the service
 * failed the call), grants (an admin) and top-ups (a paid checkout). The balance is accounts.credits; the
 * ledger explains it.
 */
export const ledger = sqliteTable(
  "ledger",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    keyId: text("key_id"),
    kind: text("kind", { enum: ["charge", "refund", "grant", "topup"] }).notNull(),
    route: text("route").notNull(),
    units: integer("units").notNull(),
    /** Credits: positive for charges, negative for refunds, grants and top-ups (what the account gained). */
    cost: integer("cost").notNull(),
    requestId: text("request_id"),
    createdAt: createdAt(),
  },
  (t) => [index("ledger_account_idx").on(t.accountId, t.createdAt)],
);

/** Stripe-style idempotency: the first response to (account, key) is kept and replayed for 24 h. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    accountId: text("account_id").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    state: text("state", { enum: ["running", "done"] }).notNull(),
    status: integer("status"),
    body: text("body"),
    /** While running: after this instant the holder is presumed dead and a retry may take the key over. */
    leaseUntil: integer("lease_until"),
    /** Every attempt that held the key (server-side request ids), oldest first: the last one holds it. */
    attempts: text("attempts", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.key] })],
);

/** Payment events applied, by the provider's event id: a redelivered event adds nothing. */
export const billingEvents = sqliteTable("billing_events", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  credits: integer("credits").notNull(),
  createdAt: createdAt(),
});

/** A leaderboard benchmark: a fixed list of items (task × preference × prompt), each played `trials` times per run. */
export const benchmarks = sqliteTable("benchmarks", {
  id: text("id").primaryKey(),
  /** The admin account that owns the items' tasks; runs play them without seeing their hidden side. */
  accountId: text("account_id")
    .notNull()
    .references(() => accounts.id),
  name: text("name").notNull(),
  description: text("description"),
  trials: integer("trials").notNull(),
  profile: text("profile", { enum: ["paper", "code"] }).notNull(),
  assignment: text("assignment", { enum: ["cross", "round_robin"] }).notNull(),
  /** Runs one account may start on this benchmark per UTC day. */
  dailyRunQuota: integer("daily_run_quota").notNull(),
  /** Runs one account may ever start on this benchmark (every one of them becomes an entry). */
  maxRuns: integer("max_runs").notNull().default(5),
  /** Minutes a run has to finish its sessions; past it the run ends and unfinished sessions score 0. */
  deadlineMinutes: integer("deadline_minutes").notNull().default(1440),
  createdAt: createdAt(),
});

export const benchmarkItems = sqliteTable(
  "benchmark_items",
  {
    benchmarkId: text("benchmark_id")
      .notNull()
      .references(() => benchmarks.id),
    position: integer("position").notNull(),
    taskId: text("task_id")
      .notNull()
      .references(() => tasks.id),
    preference: text("preference").notNull(),
    vague: integer("vague", { mode: "boolean" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.benchmarkId, t.position] }),
    uniqueIndex("benchmark_items_item_idx").on(t.benchmarkId, t.taskId, t.preference, t.vague),
  ],
);

/** One agent's attempt at a benchmark: the service made its sessions; `day` (UTC) counts it against the quota. */
export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    benchmarkId: text("benchmark_id")
      .notNull()
      .references(() => benchmarks.id),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    agent: text("agent").notNull(),
    version: text("version"),
    /** "ended": its last session finished or its deadline passed; then, and only then, it has an entry. */
    state: text("state", { enum: ["open", "ended"] })
      .notNull()
      .default("open"),
    profile: text("profile", { enum: ["paper", "code"] }).notNull(),
    engine: text("engine", { enum: ["rules", "llm"] }).notNull(),
    model: text("model"),
    promptVersions: text("prompt_versions", { mode: "json" }).$type<Record<string, string>>().notNull(),
    day: text("day").notNull(),
    createdAt: createdAt(),
    /** Legacy: when a run was submitted, before runs ended by themselves (migration 0007 copies it to ended_at). */
    submittedAt: integer("submitted_at"),
    deadlineAt: integer("deadline_at"),
    endedAt: integer("ended_at"),
    endedBy: text("ended_by", { enum: ["finished", "expired"] }),
    /** The request attempt that started it, so that a retry after a lost response finds the run again. */
    requestId: text("request_id"),
  },
  (t) => [
    index("runs_quota_idx").on(t.benchmarkId, t.accountId, t.day),
    index("runs_account_idx").on(t.accountId, t.createdAt),
  ],
);

/** An ended run's scores, computed by the service from its stored sessions and signed (HMAC-SHA256). */
export const leaderboardEntries = sqliteTable(
  "leaderboard_entries",
  {
    id: text("id").primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id),
    benchmarkId: text("benchmark_id")
      .notNull()
      .references(() => benchmarks.id),
    agent: text("agent").notNull(),
    version: text("version"),
    engine: text("engine", { enum: ["rules", "llm"] }).notNull(),
    model: text("model"),
    promptVersions: text("prompt_versions", { mode: "json" }).$type<Record<string, string>>().notNull(),
    scores: text("scores", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** SHA-256 of the canonical JSON of the run's sessions (ids, items and stored scores). */
    sessionsSha256: text("sessions_sha256").notNull(),
    signature: text("signature").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("leaderboard_entries_run_idx").on(t.runId),
    index("leaderboard_entries_benchmark_idx").on(t.benchmarkId),
  ],
);

/**
 * A PPP training job. `rank` orders the states (CREATED 0 … terminal 4): every transition is an UPDATE guarded
 * by `rank < new rank`, so no delivery order can move a job backwards. `lease_until`/`lease_owner` make the
 * submission a claim: only the dispatcher holding a live lease talks to the runner for it.
 */
export const trainingJobs = sqliteTable(
  "training_jobs",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    kind: text("kind", { enum: ["items", "config"] }).notNull(),
    runner: text("runner", { enum: ["ray", "http"] }).notNull(),
    target: text("target"),
    state: text("state").notNull().default("CREATED"),
    rank: integer("rank").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    leaseUntil: integer("lease_until"),
    leaseOwner: text("lease_owner"),
    runnerJobId: text("runner_job_id"),
    cancelRequested: integer("cancel_requested", { mode: "boolean" }).notNull().default(false),
    stopRequestedAt: integer("stop_requested_at"),
    nextPollAt: integer("next_poll_at"),
    polls: integer("polls").notNull().default(0),
    /** Runtime limit in ms once submitted; past it the dispatcher stops the job and marks it TIMED_OUT. */
    maxRuntimeMs: integer("max_runtime_ms").notNull(),
    deadlineAt: integer("deadline_at"),
    /** Why a job ended FAILED, CANCELLED, TIMED_OUT or LOST. */
    error: text("error"),
    /** The last retryable error, kept so that the dead-letter consumer can say why it gave up. */
    lastError: text("last_error"),
    summary: text("summary", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    result: text("result", { mode: "json" }).$type<Record<string, unknown>>(),
    payloadChunks: integer("payload_chunks").notNull(),
    payloadBytes: integer("payload_bytes").notNull(),
    /** Credits reserved at creation (rollouts × price); what the job did not use is refunded when it ends. */
    reservedCredits: integer("reserved_credits").notNull().default(0),
    rolloutPrice: integer("rollout_price").notNull().default(0),
    rolloutsReserved: integer("rollouts_reserved").notNull().default(0),
    rolloutsUsed: integer("rollouts_used").notNull().default(0),
    settledAt: integer("settled_at"),
    /** When the runner exchanged its one-time job token, and the job-scoped key it got. */
    credentialsIssuedAt: integer("credentials_issued_at"),
    jobKeyId: text("job_key_id"),
    /** The request attempt that created it. */
    requestId: text("request_id"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [
    index("training_jobs_account_idx").on(t.accountId, t.createdAt),
    index("training_jobs_rank_idx").on(t.rank, t.updatedAt),
  ],
);

/** A job's payload (JSON text) in chunks that stay under D1's 2 MB value limit; queue messages carry ids only. */
export const trainingJobPayloads = sqliteTable(
  "training_job_payloads",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => trainingJobs.id),
    seq: integer("seq").notNull(),
    data: text("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] })],
);

/** Per-step training metrics reported by the runner, one row per (job, step, name). */
export const trainingMetrics = sqliteTable(
  "training_metrics",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => trainingJobs.id),
    step: integer("step").notNull(),
    name: text("name").notNull(),
    value: real("value").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.step, t.name] })],
);

/** Runner callbacks applied, by their `webhook-id`: a redelivered callback changes nothing. */
export const webhookEvents = sqliteTable("webhook_events", {
  id: text("id").primaryKey(),
  jobId: text("job_id").notNull(),
  type: text("type").notNull(),
  createdAt: createdAt(),
});
