import type { Db } from "./db/client";

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
  db: Db;
  actor: Actor;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
