import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { Db } from "../db/client";
import { idempotencyKeys } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { sha256Hex } from "../lib/crypto";
import { reconcileAttempts } from "../services/billing";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a running request holds its key. Longer than any request can take (LLM calls time out after 15 s
 * with one retry, plus a capped Retry-After): past it the holder is presumed dead, and a retry takes over.
 */
export const IDEMPOTENCY_LEASE_MS = 60_000;
const WAIT_MS = 5_000;
const POLL_MS = 200;
/** Answers that are not kept: the same request may succeed later (credits topped up, limit reset, fault fixed). */
const NOT_KEPT = (status: number) => status >= 500 || status === 402 || status === 429;

type Row = typeof idempotencyKeys.$inferSelect;

/** What a key is bound to: method, path, query string and body, so the same key with another request → 409. */
export const requestFingerprint = (method: string, path: string, query: string, body: string) =>
  sha256Hex(`${method} ${path}${query}\n${body}`);

const heldBy = (attempt: string) => sql`json_extract(${idempotencyKeys.attempts}, '$[#-1]') = ${attempt}`;

/** Takes over a running key whose lease ran out; exactly one of several racing retries wins. */
async function takeOver(db: Db, row: Row, attempt: string, now: number) {
  const taken = await db
    .update(idempotencyKeys)
    .set({ leaseUntil: now + IDEMPOTENCY_LEASE_MS, attempts: [...row.attempts, attempt] })
    .where(
      and(
        eq(idempotencyKeys.accountId, row.accountId),
        eq(idempotencyKeys.key, row.key),
        eq(idempotencyKeys.state, "running"),
        // A running key with no lease (kept from before leases existed) is taken over like an expired one.
        or(isNull(idempotencyKeys.leaseUntil), lt(idempotencyKeys.leaseUntil, now)),
        sql`${idempotencyKeys.attempts} = ${JSON.stringify(row.attempts)}`,
      ),
    )
    .returning({ key: idempotencyKeys.key });
  return taken.length > 0;
}

/**
 * Stripe's semantics for `Idempotency-Key` on POST: the first request with a key runs, and its status and body
 * are kept for 24 h and replayed to every retry, which charges nothing. The same key with another method,
 * path, query or body → 409. A retry that arrives while the first is running waits for its result (up to 5 s),
 * then gets 409 with Retry-After. 5xx, 402 and 429 answers are not kept: the key is released for a retry.
 *
 * A running key carries a lease. A request that dies mid-way (the isolate killed, the connection lost) leaves
 * its key running only until the lease ends; the next retry then takes the key over, refunds whatever the
 * dead attempts charged, and runs afresh, finding again what they stored (see `priorAttempts`).
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("Idempotency-Key");
  if (c.req.method !== "POST" || key === undefined) return next();
  if (!key.trim() || key.length > 255)
    throw new ApiError("invalid_request", "Idempotency-Key must be 1 to 255 characters.");
  const db = c.get("db");
  const accountId = c.get("actor").accountId;
  const attempt = c.get("attemptId");
  const query = new URL(c.req.url).search;
  const requestHash = await requestFingerprint(c.req.method, c.req.path, query, await c.req.text());
  const mine = and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key));
  await db
    .delete(idempotencyKeys)
    .where(and(mine, lt(idempotencyKeys.createdAt, Date.now() - IDEMPOTENCY_TTL_MS)));

  let prior: string[] = [];
  for (let waited = 0; ; waited += POLL_MS) {
    const now = Date.now();
    const claimed = await db
      .insert(idempotencyKeys)
      .values({
        accountId,
        key,
        requestHash,
        state: "running",
        leaseUntil: now + IDEMPOTENCY_LEASE_MS,
        attempts: [attempt],
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length) break;
    const [row] = await db.select().from(idempotencyKeys).where(mine).limit(1);
    if (!row) continue;
    if (row.requestHash !== requestHash)
      throw new ApiError("conflict", "This Idempotency-Key was used with a different request.");
    if (row.state === "done") {
      return new Response(row.body, {
        status: row.status ?? 200,
        headers: { "Content-Type": "application/json", "Idempotent-Replayed": "true" },
      });
    }
    if ((row.leaseUntil ?? 0) < now && (await takeOver(db, row, attempt, now))) {
      prior = row.attempts;
      break;
    }
    if (waited >= WAIT_MS) {
      const seconds = Math.max(1, Math.ceil(((row.leaseUntil ?? now) - now) / 1000));
      throw new ApiError("conflict", "A request with this Idempotency-Key is still running; retry later.", {
        headers: { "Retry-After": String(seconds) },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }

  if (prior.length) {
    await reconcileAttempts(db, accountId, prior, attempt);
    c.set("priorAttempts", prior);
  }
  await next();
  const held = and(mine, eq(idempotencyKeys.state, "running"), heldBy(attempt));
  if (NOT_KEPT(c.res.status)) {
    await db.delete(idempotencyKeys).where(held);
    return;
  }
  await db
    .update(idempotencyKeys)
    .set({
      state: "done",
      status: c.res.status,
      body: c.get("idempotentReplayBody") ?? (await c.res.clone().text()),
      leaseUntil: null,
    })
    .where(held);
});
