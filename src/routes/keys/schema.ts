import { z } from "@hono/zod-openapi";
import { SCOPES } from "../../services/keys";

export const CreateKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).openapi({ example: "my-agent-eval" }),
    account_id: z.string().min(1).max(64).optional().openapi({
      description: "Add the key to this account; without it a new account is made.",
      example: "acct_3kTMd5s0bqJx1yQ0aZ9c",
    }),
    credits: z.number().int().min(0).max(1_000_000_000).optional().openapi({
      description: "Credits granted to the account with the key.",
      example: 1000,
    }),
    mode: z.enum(["live", "test"]).optional().openapi({
      description:
        "live keys are charged; test keys (`uv_test_…`) are metered in the ledger at no cost. Default live.",
    }),
    scopes: z.array(z.enum(SCOPES)).max(SCOPES.length).optional().openapi({
      description: '"admin" keys manage keys and accounts; "default" keys use the API. Default ["default"].',
    }),
  })
  .openapi("CreateKeyRequest");

export const CreatedKey = z
  .object({
    id: z.string().openapi({ example: "key_0aB1cD2eF3gH4iJ5kL6m" }),
    key: z.string().optional().openapi({
      description: "The secret; shown only in this response (absent from an Idempotency-Key replay of it).",
      example: "uv_live_…",
    }),
    account_id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "The visible start of the key, for recognising it later." }),
    scopes: z.array(z.string()),
    mode: z.enum(["live", "test"]),
  })
  .openapi("CreatedKey");

export const KeyView = z
  .object({
    id: z.string(),
    account_id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    mode: z.enum(["live", "test"]),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi("Key");

export const KeyIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "key_0aB1cD2eF3gH4iJ5kL6m" }),
});

export const ListKeysQuery = z.object({
  account_id: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({
      param: { name: "account_id", in: "query" },
      description: "Admins only: another account's keys.",
    }),
});
