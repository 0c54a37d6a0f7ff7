import { and, eq, gte, sql } from "drizzle-orm";
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
  route: string;
  units: number;
  cost: number;
}

interface Ctx {
  db: Db;
  actor: Actor;
  requestId: string;
}

function ledgerRowFromAccount(
  ctx: Ctx,
  kind: "charge" | "refund",
  route: string,
  units: number,
  cost: ReturnType<typeof sql>,
) {
  return {
    id: sql<string>`${newId("led")}`.as("id"),
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
  const cost = ctx.actor.mode === "test" ? 0 : units * unitPrice;
  const enough = and(eq(accounts.id, ctx.actor.accountId), gte(accounts.credits, cost));
  const [inserted] = await ctx.db.batch([
    ctx.db.insert(ledger).select(
      ctx.db
        .select(ledgerRowFromAccount(ctx, "charge", route, units, sql`${cost}`))
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
  return { route, units, cost };
}

/** Gives back what a failed call reserved, as a ledger row of its own. */
export async function refund(ctx: Ctx, charged: Charge) {
  if (charged.cost === 0) return;
  await ctx.db.batch([
    ctx.db.insert(ledger).values({
      id: newId("led"),
      accountId: ctx.actor.accountId,
      keyId: ctx.actor.keyId,
      kind: "refund",
      route: charged.route,
      units: charged.units,
      cost: -charged.cost,
      requestId: ctx.requestId,
    }),
    ctx.db
      .update(accounts)
      .set({ credits: sql`${accounts.credits} + ${charged.cost}` })
      .where(eq(accounts.id, ctx.actor.accountId)),
  ]);
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
