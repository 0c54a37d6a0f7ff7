import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { authenticate } from "../services/keys";

/** `Authorization: Bearer <key>` on every /v1 route. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    throw new ApiError("unauthorized", "Send your API key as `Authorization: Bearer <key>`.", {
      headers: { "WWW-Authenticate": 'Bearer realm="userville"' },
    });
  }
  c.set(
    "actor",
    await authenticate({
      db: c.get("db"),
      token: match[1],
      config: { bootstrapAdminKey: c.env.BOOTSTRAP_ADMIN_KEY },
    }),
  );
  await next();
});

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("actor")?.isAdmin) throw new ApiError("forbidden", "This route needs an admin key.");
  await next();
});
