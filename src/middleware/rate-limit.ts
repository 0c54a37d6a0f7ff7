import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

/** Seconds until a Workers rate-limit window (10 or 60 s) surely has room again. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

/**
 * Per API key, with the Workers Rate Limiting binding; the operator's bootstrap key is not limited. Training
 * and job keys use TRAINING_RATE_LIMITER (a higher limit) when it is bound.
 */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const actor = c.get("actor");
  const limiter =
    actor.keyClass === "default" ? c.env.RATE_LIMITER : (c.env.TRAINING_RATE_LIMITER ?? c.env.RATE_LIMITER);
  if (limiter && !actor.operator) {
    const { success } = await limiter.limit({ key: actor.keyId });
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
