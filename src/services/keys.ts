import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { LRUCache } from "lru-cache";
import type { Db } from "../db/client";
import { accounts, apiKeys, ledger, trainingJobs } from "../db/schema";
import type { Actor } from "../env";
import { ApiError } from "../errors";
import { generateApiKey, isWellFormedApiKey, type KeyMode, visiblePrefix } from "../lib/api-keys";
import { newId, secretsEqual, sha256Hex } from "../lib/crypto";
import { TERMINAL_RANK } from "../training/states";

export const ADMIN_ACCOUNT_ID = "acct_admin";
export const SCOPES = ["admin", "default"] as const;

/**
 * Verified keys, per isolate, for 30 s: a key lookup is a D1 round trip on every call otherwise. Unknown keys
 * are not cached, nor are job keys (they die with their job). A revoked key stops working at once on the
 * isolate that revoked it, within 30 s elsewhere.
 */
const verifiedKeys = new LRUCache<string, Actor>({ max: 10_000, ttl: 30_000 });
export const TASK_SCOPE = "task:";

export interface AuthConfig {
  bootstrapAdminKey?: string;
}

/** Resolves a bearer token to its actor, or throws 401. Malformed keys never reach the database. */
export async function authenticate({
  db,
  token,
  config,
}: {
  db: Db;
  token: string;
  config: AuthConfig;
}): Promise<Actor> {
  if (config.bootstrapAdminKey && (await secretsEqual(token, config.bootstrapAdminKey))) {
    return {
      accountId: ADMIN_ACCOUNT_ID,
      keyId: "key_bootstrap",
      scopes: ["admin", "default"],
      isAdmin: true,
      mode: "live",
      operator: true,
      keyClass: "default",
    };
  }
  if (!isWellFormedApiKey(token))
    throw new ApiError("unauthorized", "The API key is malformed (checksum mismatch).");
  const hash = await sha256Hex(token);
  const cached = verifiedKeys.get(hash);
  if (cached) return cached;
  const [row] = await db
    .select({
      id: apiKeys.id,
      accountId: apiKeys.accountId,
      scopes: apiKeys.scopes,
      mode: apiKeys.mode,
      keyClass: apiKeys.keyClass,
      jobId: apiKeys.jobId,
      // A job key's job, in the same round trip: null when the job is gone.
      jobRank: trainingJobs.rank,
    })
    .from(apiKeys)
    .leftJoin(trainingJobs, eq(trainingJobs.id, apiKeys.jobId))
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) throw new ApiError("unauthorized", "The API key is unknown or revoked.");
  const actor: Actor = {
    accountId: row.accountId,
    keyId: row.id,
    scopes: row.scopes.filter((s) => !s.startsWith(TASK_SCOPE)),
    isAdmin: row.keyClass !== "job" && row.scopes.includes("admin"),
    mode: row.mode,
    operator: false,
    keyClass: row.keyClass,
  };
  if (row.keyClass === "job") {
    if (row.jobRank === null || row.jobRank >= TERMINAL_RANK)
      throw new ApiError("unauthorized", "This job key's training job has ended; the key is revoked.");
    actor.job = {
      id: row.jobId as string,
      taskIds: row.scopes.filter((s) => s.startsWith(TASK_SCOPE)).map((s) => s.slice(TASK_SCOPE.length)),
    };
    // Never cached: the key must stop working the moment its job ends, in every isolate.
    return actor;
  }
  verifiedKeys.set(hash, actor);
  return actor;
}

export interface CreateKeyInput {
  name: string;
  account_id?: string;
  credits?: number;
  scopes?: string[];
  mode?: KeyMode;
}

/** Creates a key (and its account when none is named) in one atomic batch; returns the key once. */
export async function createKey({ db, actor, input }: { db: Db; actor: Actor; input: CreateKeyInput }) {
  const mode = input.mode ?? "live";
  const key = generateApiKey(mode);
  const keyId = newId("key");
  const scopes = input.scopes?.length ? [...new Set(input.scopes)] : ["default"];
  const credits = input.credits ?? 0;
  const hash = await sha256Hex(key);
  const accountId = input.account_id ?? newId("acct");
  if (input.account_id) {
    const [account] = await db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .limit(1);
    if (!account) throw new ApiError("not_found", `Account ${accountId} does not exist.`);
  }
  const keyRow = { id: keyId, accountId, name: input.name, prefix: visiblePrefix(key), hash, scopes, mode };
  const grant = credits
    ? [
        db.insert(ledger).values({
          id: newId("led"),
          accountId,
          keyId: actor.keyId,
          kind: "grant",
          route: "keys.create",
          units: credits,
          cost: -credits,
        }),
      ]
    : [];
  if (input.account_id) {
    await db.batch([
      db.insert(apiKeys).values(keyRow),
      db
        .update(accounts)
        .set({ credits: sql`${accounts.credits} + ${credits}` })
        .where(eq(accounts.id, accountId)),
      ...grant,
    ]);
  } else {
    await db.batch([
      db.insert(accounts).values({ id: accountId, name: input.name, credits }),
      db.insert(apiKeys).values(keyRow),
      ...grant,
    ]);
  }
  return {
    id: keyId,
    key,
    account_id: accountId,
    name: input.name,
    prefix: visiblePrefix(key),
    scopes,
    mode,
  };
}

export function keyView(row: typeof apiKeys.$inferSelect) {
  return {
    id: row.id,
    account_id: row.accountId,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    mode: row.mode,
    created_at: new Date(row.createdAt).toISOString(),
    revoked_at: row.revokedAt ? new Date(row.revokedAt).toISOString() : null,
  };
}

/** The actor's own account's keys; an admin may name another account. Never the secret or its hash. */
export async function listKeys({ db, actor, accountId }: { db: Db; actor: Actor; accountId?: string }) {
  const account = accountId ?? actor.accountId;
  if (account !== actor.accountId && !actor.isAdmin)
    throw new ApiError("not_found", `No account ${account}.`);
  const rows = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.accountId, account))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(keyView);
}

/** Revokes a key of the actor's account (any account for an admin); revoking twice is harmless. */
export async function revokeKey({ db, actor, id }: { db: Db; actor: Actor; id: string }) {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  if (!row || (row.accountId !== actor.accountId && !actor.isAdmin))
    throw new ApiError("not_found", `No key ${id} in your account.`);
  if (!row.revokedAt) {
    await db
      .update(apiKeys)
      .set({ revokedAt: Date.now() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
    verifiedKeys.delete(row.hash);
  }
  const [updated] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  return keyView(updated);
}
