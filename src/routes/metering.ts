import type { Context } from "hono";
import type { AppEnv } from "../env";
import { pricesOf } from "../services/billing";

/** What the billing service needs from a request: who pays, for which request, at which prices. */
export function meterOf(c: Context<AppEnv>) {
  return { db: c.get("db"), actor: c.get("actor"), requestId: c.get("attemptId"), prices: pricesOf(c.env) };
}
