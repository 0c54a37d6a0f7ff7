import type { DrizzleD1Database } from "drizzle-orm/d1";
import type * as schema from "./db/schema";

export interface Bindings {
  DB: D1Database;
  ENVIRONMENT?: string;
  BOOTSTRAP_ADMIN_KEY?: string;
  LLM_BASE_URL?: string;
  LLM_API_KEY?: string;
  LLM_MODEL?: string;
}

export interface Actor {
  accountId: string;
  keyId: string;
  scopes: string[];
  isAdmin: boolean;
}

export interface Variables {
  requestId: string;
  db: DrizzleD1Database<typeof schema>;
  actor: Actor;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
