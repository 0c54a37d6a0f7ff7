import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { listKeys, revokeKey } from "../../services/keys";
import { bearerSecurity, errorResponses, jsonResponse } from "../openapi";
import { KeyIdParam, KeyView, ListKeysQuery } from "./schema";

const list = createRoute({
  method: "get",
  path: "/",
  tags: ["Keys"],
  summary: "List your account's keys (prefixes only)",
  security: bearerSecurity,
  request: { query: ListKeysQuery },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(KeyView) }).openapi("KeyList"),
      "Newest first; secrets are never shown.",
    ),
    ...errorResponses(400, 401, 404),
  },
});

const revoke = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["Keys"],
  summary: "Revoke a key",
  description: "By the key's owner or an admin. The key stops working at once. Revoking twice is harmless.",
  security: bearerSecurity,
  request: { params: KeyIdParam },
  responses: { 200: jsonResponse(KeyView, "The revoked key."), ...errorResponses(400, 401, 404) },
});

export const registerManageKeys = (app: App) =>
  app
    .openapi(list, async (c) => {
      const { account_id } = c.req.valid("query");
      return c.json(
        { data: await listKeys({ db: c.get("db"), actor: c.get("actor"), accountId: account_id }) },
        200,
      );
    })
    .openapi(revoke, async (c) => {
      const { id } = c.req.valid("param");
      return c.json(await revokeKey({ db: c.get("db"), actor: c.get("actor"), id }), 200);
    });
