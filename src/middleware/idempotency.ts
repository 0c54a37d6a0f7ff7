import { and, eq, lt } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { idempotencyKeys } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { sha256Hex } from "../lib/crypto";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const WAIT_MS = 5_000;
const POLL_MS = 200;

/**
 * Stripe's semantics for `Idempotency-Key` on POST: the first request with a key runs, and its status and body
 * (anything below 500) are kept for 24 h and replayed to every retry, which charges nothing. The same key with
 * another method, path or body → 409. A retry that arrives while the first is running waits for its result
 * (up to 5 s), then gets 409. A 5xx releases the key so that the request can be retried.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("Idempotency-Key");
  if (c.req.method !== "POST" || key === undefined) return next();
  if (!key.trim() || key.length > 255)
    throw new ApiError("invalid_request", "Idempotency-Key must be 1 to 255 characters.");
  const db = c.get("db");
  const accountId = c.get("actor").accountId;
  const requestHash = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
  const mine = and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key));
  await db
    .delete(idempotencyKeys)
    .where(and(mine, lt(idempotencyKeys.createdAt, Date.now() - IDEMPOTENCY_TTL_MS)));
  const claimed = await db
    .insert(idempotencyKeys)
    .values({ accountId, key, requestHash, state: "running", createdAt: Date.now() })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });

  if (claimed.length === 0) {
    for (let waited = 0; ; waited += POLL_MS) {
      const [row] = await db.select().from(idempotencyKeys).where(mine).limit(1);
      if (row && row.requestHash !== requestHash) {
        throw new ApiError("conflict", "This Idempotency-Key was used with a different request.");
      }
      if (row?.state === "done") {
        return new Response(row.body, {
          status: row.status ?? 200,
          headers: { "Content-Type": "application/json", "Idempotent-Replayed": "true" },
        });
      }
      if (!row) return next();
      if (waited >= WAIT_MS)
        throw new ApiError("conflict", "A request with this Idempotency-Key is still running; retry later.");
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  await next();
  if (c.res.status >= 500) {
    await db.delete(idempotencyKeys).where(mine);
    return;
  }
  await db
    .update(idempotencyKeys)
    .set({ state: "done", status: c.res.status, body: await c.res.clone().text() })
    .where(mine);
});
