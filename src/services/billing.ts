import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { accounts, ledger } from "../db/schema";
import type { Actor, Bindings } from "../env";
import { ApiError } from "../errors";
import { newId } from "../lib/crypto";

/** Credits per unit. Integers, so that the balance and the ledger add up exactly. */
export const DEFAULT_PRICES = {
  score: 1,
  score_batch_item: 1,
  vaguenize: 2,
  session_question: 2,
  session_finish: 5,
  llm_1k_tokens: 1,
  /** One session a training job's key plays (its asks and finish included), reserved when the job starts. */
  training_rollout: 10,
} as const;

export type PriceName = keyof typeof DEFAULT_PRICES;
export type Prices = Record<PriceName, number>;

const PriceOverrides = z.partialRecord(
  z.enum(Object.keys(DEFAULT_PRICES) as [PriceName]),
  z.number().int().min(0),
);

/** The price table: defaults, with any entries of the PRICES variable (a JSON object) on top. */
export function pricesOf(env: Pick<Bindings, "PRICES">): Prices {
  if (!env.PRICES) return { ...DEFAULT_PRICES };
  const parsed = PriceOverrides.safeParse(JSON.parse(env.PRICES));
  if (!parsed.success) throw new Error("PRICES must be a JSON object of non-negative integers by price name");
  return { ...DEFAULT_PRICES, ...parsed.data };
}

export interface Charge {
  /** The charge's ledger row; its refund, if any, is the row `led_rf_<id>`, so it can happen only once. */
  ledgerId: string;
  route: string;
  units: number;
  cost: number;
}

interface Ctx {
  db: Db;
  actor: Actor;
  /** The request attempt (server-made, never the client's X-Request-Id) that the ledger rows name. */
  requestId: string;
}

const REFUND_ID_PREFIX = "led_rf_";
export const refundIdOf = (chargeLedgerId: string) => `${REFUND_ID_PREFIX}${chargeLedgerId}`;

function ledgerRowFromAccount(
  ctx: Ctx,
  kind: "charge" | "refund",
  route: string,
  units: number,
  cost: ReturnType<typeof sql>,
  id: string = newId("led"),
) {
  return {
    id: sql<string>`${id}`.as("id"),
    accountId: accounts.id,
    keyId: sql<string>`${ctx.actor.keyId}`.as("key_id"),
    kind: sql<string>`${kind}`.as("kind"),
    route: sql<string>`${route}`.as("route"),
    units: sql<number>`${units}`.as("units"),
    cost: sql<number>`${cost}`.as("cost"),
    requestId: sql<string>`${ctx.requestId}`.as("request_id"),
    createdAt: sql<number>`${Date.now()}`.as("created_at"),
  };
}

/** The routes one training rollout (a session: its asks and its finish) is made of. */
const ROLLOUT_ROUTES = new Set(["session_question", "session_finish"]);

/**
 * Reserves a call's cost before the work: one batch whose ledger insert and balance update share the
 * condition `credits >= cost`, so both land or neither does, and the balance never goes below zero.
 */
export async function charge(
  ctx: Ctx,
  route: string,
  units: number,
  unitPrice: number,
): Promise<Charge | null> {
  if (ctx.actor.operator) return null;
  // A job key's session calls were paid for by its job's reservation (training_rollout): metered at no cost.
  // Anything else it may call (scoring) is charged at its price, so the reservation buys rollouts only.
  const reserved = ctx.actor.job !== undefined && ROLLOUT_ROUTES.has(route);
  const cost = ctx.actor.mode === "test" || reserved ? 0 : units * unitPrice;
  const enough = and(eq(accounts.id, ctx.actor.accountId), gte(accounts.credits, cost));
  const ledgerId = newId("led");
  const [inserted] = await ctx.db.batch([
    ctx.db.insert(ledger).select(
      ctx.db
        .select(ledgerRowFromAccount(ctx, "charge", route, units, sql`${cost}`, ledgerId))
        .from(accounts)
        .where(enough),
    ),
    ctx.db
      .update(accounts)
      .set({ credits: sql`${accounts.credits} - ${cost}` })
      .where(enough),
  ]);
  if (!(inserted as unknown as D1Result).meta.changes) {
    throw new ApiError(
      "insufficient_credits",
      `This call costs ${cost} credits; your balance is lower. Top up, or ask an admin.`,
      {
        details: { route, units, cost },
      },
    );
  }
  return { ledgerId, route, units, cost };
}

/**
 * The statements that refund one charge exactly once: the balance moves only while the charge's refund row
 * does not exist yet, and the row is written in the same batch (D1 serialises batches, so two racing refunds
 * of one charge cannot both pay).
 */
function refundStatements(
  db: Db,
  accountId: string,
  keyId: string | null,
  requestId: string,
  charged: Charge,
) {
  const refundId = refundIdOf(charged.ledgerId);
  return [
    db
      .update(accounts)
      .set({ credits: sql`${accounts.credits} + ${charged.cost}` })
      .where(
        and(
          eq(accounts.id, accountId),
          sql`not exists (select 1 from ${ledger} where ${ledger.id} = ${refundId})`,
        ),
      ),
    db
      .insert(ledger)
      .values({
        id: refundId,
        accountId,
        keyId,
        kind: "refund",
        route: charged.route,
        units: charged.units,
        cost: -charged.cost,
        requestId,
      })
      .onConflictDoNothing(),
  ] as const;
}

/** Gives back what a failed call reserved, as a ledger row of its own (once, however often it is called). */
export async function refund(ctx: Ctx, charged: Charge) {
  if (charged.cost === 0) return;
  await ctx.db.batch(refundStatements(ctx.db, ctx.actor.accountId, ctx.actor.keyId, ctx.requestId, charged));
}

/** Charges written in the same batch as their effect: they are never without it, so never reconciled. */
const BOUND_ROUTES = new Set(["training_rollout"]);

/**
 * A retry of an Idempotency-Key whose earlier attempts died mid-request: whatever those attempts charged and
 * did not refund is refunded now, before the retry runs (and charges for itself). Effects that outlive a
 * request (a question asked, a session finished, a job created) are found again by the retry and answered
 * as they were; everything else those attempts did was lost with them, so nothing stays charged without it.
 */
export async function reconcileAttempts(db: Db, accountId: string, attempts: string[], requestId: string) {
  if (attempts.length === 0) return 0;
  const charges = await db
    .select()
    .from(ledger)
    .where(
      and(
        eq(ledger.accountId, accountId),
        eq(ledger.kind, "charge"),
        inArray(ledger.requestId, attempts.slice(-50)),
        sql`not exists (select 1 from ${ledger} r where r.id = ${REFUND_ID_PREFIX} || ${ledger.id})`,
      ),
    );
  const open = charges.filter((row) => row.cost > 0 && !BOUND_ROUTES.has(row.route));
  for (const row of open) {
    await db.batch(
      refundStatements(db, accountId, row.keyId, requestId, {
        ledgerId: row.id,
        route: row.route,
        units: row.units,
        cost: row.cost,
      }),
    );
  }
  return open.length;
}

/** Charges `units` of `price`, runs the work, and refunds the charge if the work fails. */
export async function metered<T>(
  ctx: Ctx & { prices: Prices },
  price: PriceName,
  units: number,
  work: () => Promise<T>,
) {
  const charged = await charge(ctx, price, units, ctx.prices[price]);
  try {
    return await work();
  } catch (err) {
    if (charged) await refund(ctx, charged);
    throw err;
  }
}

/**
 * The LLM surcharge, known only after the work: what the tokens cost, but at most what is left, so a call
 * that was served is never undone and the balance stays at or above zero.
 */
export async function chargeTokens(ctx: Ctx & { prices: Prices }, route: string, tokens: number) {
  if (ctx.actor.operator || ctx.actor.mode === "test" || tokens <= 0) return;
  const thousands = Math.ceil(tokens / 1000);
  const cost = thousands * ctx.prices.llm_1k_tokens;
  if (cost === 0) return;
  const capped = sql`MIN(${accounts.credits}, ${cost})`;
  const where = eq(accounts.id, ctx.actor.accountId);
  await ctx.db.batch([
    ctx.db.insert(ledger).select(
      ctx.db
        .select(ledgerRowFromAccount(ctx, "charge", `${route}:llm_tokens`, thousands, capped))
        .from(accounts)
        .where(where),
    ),
    ctx.db
      .update(accounts)
      .set({ credits: sql`${accounts.credits} - ${capped}` })
      .where(where),
  ]);
}
