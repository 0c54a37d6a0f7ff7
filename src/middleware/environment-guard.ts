import { createMiddleware } from "hono/factory";
import { errorResponse } from "../app";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { publishedSecretsInUse, refusalLine } from "../published-secrets";

/**
 * First in the chain: outside development, while any secret still has its published development value, every
 * route (/healthz included, so a health check sees the broken deploy) answers 503 and logs one line naming the
 * secrets. Clients are not told which ones.
 */
export const environmentGuard = createMiddleware<AppEnv>(async (c, next) => {
  const published = publishedSecretsInUse(c.env);
  if (published.length === 0) return next();
  console.error(refusalLine("api", c.env, published));
  return errorResponse(
    c,
    new ApiError(
      "service_unavailable",
      "The service is misconfigured: it runs with published development secrets, so it refuses every request until its operator replaces them.",
    ),
  );
});
