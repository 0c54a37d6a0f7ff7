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
  /** JSON object overriding entries of the default price table (credits per unit). */
  PRICES?: string;
  /** Stripe webhook signing secret (whsec_…). */
  STRIPE_WEBHOOK_SECRET?: string;
  /** Producer of the training queue; the dispatcher worker consumes it. */
  TRAINING_QUEUE?: TrainingQueue;
  /** Standard Webhooks secret(s) runners sign callbacks with: `whsec_…`, space-separated for rotation. */
  RUNNER_WEBHOOK_SECRET?: string;
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
}

export interface Variables {
  requestId: string;
  db: Db;
  actor: Actor;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
