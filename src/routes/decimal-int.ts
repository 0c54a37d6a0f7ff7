import { z } from "@hono/zod-openapi";

/** Plain decimal digits: what `Number()` and `z.coerce.number()` would also read as "0x10", "1e3" or " 7". */
const DECIMAL = /^[0-9]{1,12}$/;

/**
 * An integer written in decimal digits only, as query strings and Stripe metadata carry numbers. Anything
 * else is invalid rather than coerced.
 */
export function decimalInt(min: number, max: number) {
  return z
    .string()
    .regex(DECIMAL, "Must be a decimal integer (digits only).")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}
