import type { Db } from "./db/client";
import type { TrainingQueue } from "./queue/contract";

export interface Bindings {
  DB: D1Database;
  ENVIRONMENT?: string;
  BOOTSTRAP_ADMIN_KEY?: string;
  LLM_BASE_URL?: string;
  LLM_API_KEY?: string;
  LLM_MODEL?: string;
  /** HMAC-SHA256 key that signs leaderboard entries (a secret in production). */
  LEADERBOARD_SIGNING_KEY?: string;
  /** Workers Rate Limiting binding, per API key (wrangler.toml [[ratelimits]]). */
  RATE_LIMITER?: RateLimit;
  /** The same for training and job keys, with a higher limit (a trainer's rollouts). */
  TRAINING_RATE_LIMITER?: RateLimit;
  /** JSON object overriding entries of the default price table (credits per unit). */
  PRICES?: string;
  /** Stripe webhook signing secret (whsec_…). */
  STRIPE_WEBHOOK_SECRET?: string;
  /** Producer of the training queue; the dispatcher worker consumes it. */
  TRAINING_QUEUE?: TrainingQueue;
  /** Standard Webhooks secret(s) runners sign callbacks with: `whsec_…`, space-separated for rotation. */
  RUNNER_WEBHOOK_SECRET?: string;
  /** The API's base URL as runners reach it (job credentials name it); default: the request's origin. */
  TRAINING_CALLBACK_URL?: string;
}

export interface Actor {
  accountId: string;
  keyId: string;
  scopes: string[];
  isAdmin: boolean;
  /** test keys are metered in the ledger at no cost. */
  mode: "live" | "test";
  /** The bootstrap admin key: the operator's own, neither metered nor rate-limited. */
  operator: boolean;
  /** default, training (a trainer's high-rate key) or job (issued to one training job's runner). */
  keyClass: "default" | "training" | "job";
  /** For a job key: the job, and the only tasks the key may play or score. */
  job?: { id: string; taskIds: string[] };
}

export interface Variables {
  /** X-Request-Id: the client's when it sent one (for tracing only: never trusted for a decision). */
  requestId: string;
  /** This request's own server-made id: ledger rows and stored effects carry it, so a retry can find them. */
  attemptId: string;
  /** Attempts of the same Idempotency-Key that died before answering (the idempotency middleware sets it). */
  priorAttempts?: string[];
  /** What an Idempotency-Key replay answers instead of the response, when the response holds a secret. */
  idempotentReplayBody?: string;
  db: Db;
  actor: Actor;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
