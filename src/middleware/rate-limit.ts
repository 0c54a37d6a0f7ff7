import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

/** Seconds until a Workers rate-limit window (10 or 60 s) surely has room again. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

/** Per API key, with the Workers Rate Limiting binding; the operator's bootstrap key is not limited. */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const actor = c.get("actor");
  if (c.env.RATE_LIMITER && !actor.operator) {
    const { success } = await c.env.RATE_LIMITER.limit({ key: actor.keyId });
    if (!success) {
      throw new ApiError(
        "rate_limited",
        "Too many requests for this API key; retry after the time in Retry-After.",
        {
          headers: { "Retry-After": String(RATE_LIMIT_PERIOD_SECONDS) },
        },
      );
    }
  }
  await next();
});
