import { and, eq, isNull, sql } from "drizzle-orm";
import { LRUCache } from "lru-cache";
import type { Db } from "../db/client";
import { accounts, apiKeys } from "../db/schema";
import type { Actor } from "../env";
import { ApiError } from "../errors";
import { generateApiKey, isWellFormedApiKey, visiblePrefix } from "../lib/api-keys";
import { newId, secretsEqual, sha256Hex } from "../lib/crypto";

export const ADMIN_ACCOUNT_ID = "acct_admin";
export const SCOPES = ["admin", "default"] as const;

/**
 * Verified keys, per isolate, for 30 s: a key lookup is a D1 round trip on every call otherwise. Unknown keys
 * are not cached. A revoked key stops working within the TTL on other isolates (at once on this one).
 */
const verifiedKeys = new LRUCache<string, Actor>({ max: 10_000, ttl: 30_000 });

export function forgetVerifiedKey(hash: string) {
  verifiedKeys.delete(hash);
}

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
    };
  }
  if (!isWellFormedApiKey(token))
    throw new ApiError("unauthorized", "The API key is malformed (checksum mismatch).");
  const hash = await sha256Hex(token);
  const cached = verifiedKeys.get(hash);
  if (cached) return cached;
  const [row] = await db
    .select({ id: apiKeys.id, accountId: apiKeys.accountId, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) throw new ApiError("unauthorized", "The API key is unknown or revoked.");
  const actor = {
    accountId: row.accountId,
    keyId: row.id,
    scopes: row.scopes,
    isAdmin: row.scopes.includes("admin"),
  };
  verifiedKeys.set(hash, actor);
  return actor;
}

export interface CreateKeyInput {
  name: string;
  account_id?: string;
  credits?: number;
  scopes?: string[];
}

/** Creates a key (and its account when none is named) in one atomic batch; returns the key once. */
export async function createKey({ db, input }: { db: Db; input: CreateKeyInput }) {
  const key = generateApiKey("live");
  const keyId = newId("key");
  const scopes = input.scopes?.length ? [...new Set(input.scopes)] : ["default"];
  const credits = input.credits ?? 0;
  const row = (accountId: string) => ({
    id: keyId,
    accountId,
    name: input.name,
    prefix: visiblePrefix(key),
    hash: "",
    scopes,
  });
  const hash = await sha256Hex(key);
  let accountId = input.account_id;
  if (accountId) {
    const [account] = await db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .limit(1);
    if (!account) throw new ApiError("not_found", `Account ${accountId} does not exist.`);
    await db.batch([
      db.insert(apiKeys).values({ ...row(accountId), hash }),
      db
        .update(accounts)
        .set({ credits: sql`${accounts.credits} + ${credits}` })
        .where(eq(accounts.id, accountId)),
    ]);
  } else {
    accountId = newId("acct");
    await db.batch([
      db.insert(accounts).values({ id: accountId, name: input.name, credits }),
      db.insert(apiKeys).values({ ...row(accountId), hash }),
    ]);
  }
  return { id: keyId, key, account_id: accountId, name: input.name, prefix: visiblePrefix(key), scopes };
}
