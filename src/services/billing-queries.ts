import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, billingEvents, ledger } from "../db/schema";
import type { Actor } from "../env";
import { ApiError } from "../errors";
import { newId } from "../lib/crypto";

/** Balance, and metered use by route and by day (UTC) over the last `days` days. */
export async function usageOf({ db, actor, days }: { db: Db; actor: Actor; days: number }) {
  const since = Date.now() - days * 86_400_000;
  const metered = and(
    eq(ledger.accountId, actor.accountId),
    inArray(ledger.kind, ["charge", "refund"]),
    gte(ledger.createdAt, since),
  );
  const [[account], byRoute, byDay] = await Promise.all([
    db.select({ credits: accounts.credits }).from(accounts).where(eq(accounts.id, actor.accountId)).limit(1),
    db
      .select({
        route: ledger.route,
        calls: sql<number>`sum(case when ${ledger.kind} = 'charge' then 1 else 0 end)`,
        refunds: sql<number>`sum(case when ${ledger.kind} = 'refund' then 1 else 0 end)`,
        units: sql<number>`sum(case when ${ledger.kind} = 'charge' then ${ledger.units} else -${ledger.units} end)`,
        credits: sql<number>`sum(${ledger.cost})`,
      })
      .from(ledger)
      .where(metered)
      .groupBy(ledger.route)
      .orderBy(ledger.route),
    db
      .select({
        date: sql<string>`date(${ledger.createdAt} / 1000, 'unixepoch')`.as("day"),
        calls: sql<number>`sum(case when ${ledger.kind} = 'charge' then 1 else 0 end)`,
        credits: sql<number>`sum(${ledger.cost})`,
      })
      .from(ledger)
      .where(metered)
      .groupBy(sql`day`)
      .orderBy(desc(sql`day`)),
  ]);
  return {
    account_id: actor.accountId,
    credits_remaining: account?.credits ?? 0,
    period_days: days,
    by_route: Object.fromEntries(byRoute.map(({ route, ...rest }) => [route, rest])),
    by_day: byDay,
  };
}

/** An admin's grant: a ledger row and the balance change, in one batch. */
export async function grantCredits({
  db,
  actor,
  accountId,
  credits,
  reason,
}: {
  db: Db;
  actor: Actor;
  accountId: string;
  credits: number;
  reason?: string;
}) {
  const [account] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .limit(1);
  if (!account) throw new ApiError("not_found", `No account ${accountId}.`);
  const [, [updated]] = await db.batch([
    db.insert(ledger).values({
      id: newId("led"),
      accountId,
      keyId: actor.keyId,
      kind: "grant",
      route: reason ? `grant:${reason}` : "grant",
      units: credits,
      cost: -credits,
    }),
    db
      .update(accounts)
      .set({ credits: sql`${accounts.credits} + ${credits}` })
      .where(eq(accounts.id, accountId))
      .returning({ credits: accounts.credits }),
  ]);
  return { account_id: accountId, credits_remaining: updated.credits };
}

/**
 * Applies a paid checkout once per event id, however often and however concurrently it is delivered. D1 runs a
 * batch as one serialised transaction, so its first statement sees whether any earlier batch recorded the
 * event: only then does the balance move, and the event and its ledger row (an id derived from the event) are
 * written in the same batch. Nothing the sender controls (such as `X-Request-Id`) takes part in the decision.
 */
export async function applyTopUp({
  db,
  eventId,
  accountId,
  credits,
  requestId,
}: {
  db: Db;
  eventId: string;
  accountId: string;
  credits: number;
  requestId: string;
}) {
  const [account] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .limit(1);
  if (!account)
    throw new ApiError("invalid_request", `The checkout names account ${accountId}, which does not exist.`);
  const [credited] = await db.batch([
    db
      .update(accounts)
      .set({ credits: sql`${accounts.credits} + ${credits}` })
      .where(
        and(
          eq(accounts.id, accountId),
          sql`not exists (select 1 from ${billingEvents} where ${billingEvents.id} = ${eventId})`,
        ),
      ),
    db.insert(billingEvents).values({ id: eventId, accountId, credits }).onConflictDoNothing(),
    db
      .insert(ledger)
      .values({
        id: `led_evt_${eventId}`,
        accountId,
        kind: "topup",
        route: "billing.checkout",
        units: credits,
        cost: -credits,
        requestId,
      })
      .onConflictDoNothing(),
  ]);
  return { applied: Boolean((credited as unknown as D1Result).meta.changes) };
}
