import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app";
import { requireAdmin } from "../../middleware/auth";
import { createKey } from "../../services/keys";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { CreatedKey, CreateKeyBody } from "./schema";

const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Keys"],
  summary: "Create an API key (admin)",
  description:
    "Creates a key, and a new account unless `account_id` is given. The key is shown only once: a replay of " +
    "the same `Idempotency-Key` answers the same 201 without `key` (the service keeps only its hash), so a " +
    "client whose response was lost revokes that key by `id` and creates another.",
  security: bearerSecurity,
  middleware: [requireAdmin] as const,
  request: { body: jsonBody(CreateKeyBody) },
  responses: {
    201: jsonResponse(CreatedKey, "The key; store it now, it cannot be shown again."),
    ...errorResponses(400, 401, 403, 404, 415),
  },
});

export const registerCreateKey = (app: App) =>
  app.openapi(route, async (c) => {
    const created = await createKey({ db: c.get("db"), actor: c.get("actor"), input: c.req.valid("json") });
    const { key: _secret, ...withoutSecret } = created;
    c.set("idempotentReplayBody", JSON.stringify(withoutSecret));
    return c.json(created, 201);
  });
