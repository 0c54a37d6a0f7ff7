import { createRoute, z } from "@hono/zod-openapi";
import { newApp } from "../../app";
import { ApiError } from "../../errors";
import { verifyStripeSignature } from "../../lib/stripe-signature";
import { requireAdmin } from "../../middleware/auth";
import { DEFAULT_PRICES, pricesOf } from "../../services/billing";
import { applyTopUp, grantCredits, usageOf } from "../../services/billing-queries";
import { decimalInt } from "../decimal-int";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../openapi";

const PriceTable = z
  .object({
    currency: z.literal("credits"),
    prices: z.object(Object.fromEntries(Object.keys(DEFAULT_PRICES).map((k) => [k, z.number().int()]))),
  })
  .openapi("Prices");

const getPrices = createRoute({
  method: "get",
  path: "/prices",
  tags: ["Billing"],
  summary: "What each billable call costs, in credits",
  description:
    "score: per /v1/score call; score_batch_item: per item of /v1/score/batch; vaguenize: per /v1/vaguenize call " +
    "and per task created without a vague prompt; session_question / session_finish: per ask and per finish; " +
    "llm_1k_tokens: surcharge per started 1,000 LLM tokens a call used.",
  security: bearerSecurity,
  responses: { 200: jsonResponse(PriceTable, "The price table."), ...errorResponses(401) },
});

const getUsage = createRoute({
  method: "get",
  path: "/usage",
  tags: ["Billing"],
  summary: "Balance and metered usage by route and by day",
  security: bearerSecurity,
  request: {
    query: z.object({
      days: decimalInt(1, 366)
        .default(30)
        .openapi({ param: { name: "days", in: "query" }, description: "1 to 366, default 30." }),
    }),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          account_id: z.string(),
          credits_remaining: z.number().int(),
          period_days: z.number().int(),
          by_route: z.record(
            z.string(),
            z.object({ calls: z.number(), refunds: z.number(), units: z.number(), credits: z.number() }),
          ),
          by_day: z.array(z.object({ date: z.string(), calls: z.number(), credits: z.number() })),
        })
        .openapi("Usage"),
      "Credits are net of refunds.",
    ),
    ...errorResponses(400, 401),
  },
});

const grant = createRoute({
  method: "post",
  path: "/accounts/{id}/credits",
  tags: ["Billing"],
  summary: "Grant credits to an account (admin)",
  security: bearerSecurity,
  middleware: [requireAdmin] as const,
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
    body: jsonBody(
      z
        .strictObject({
          credits: z.number().int().min(1).max(1_000_000_000),
          reason: z.string().trim().min(1).max(100).optional(),
        })
        .openapi("GrantCredits"),
    ),
  },
  responses: {
    200: jsonResponse(
      z.object({ account_id: z.string(), credits_remaining: z.number().int() }),
      "The new balance.",
    ),
    ...errorResponses(400, 401, 403, 404, 415),
  },
});

const CheckoutCompleted = z.object({
  id: z.string().min(1).max(255),
  type: z.string(),
  data: z.object({
    object: z.looseObject({
      client_reference_id: z.string().max(64).nullish(),
      metadata: z.looseObject({
        account_id: z.string().max(64).optional(),
        // Stripe metadata values are strings; a JSON integer is taken too.
        credits: z.union([z.number().int().min(1).max(1_000_000_000), decimalInt(1, 1_000_000_000)]),
      }),
    }),
  }),
});

const webhook = createRoute({
  method: "post",
  path: "/billing/webhook",
  tags: ["Billing"],
  summary: "Stripe webhook: top-ups",
  description:
    "No API key: the request is authenticated by `Stripe-Signature` (HMAC-SHA256 of `t.body` with " +
    "STRIPE_WEBHOOK_SECRET, 300 s tolerance). `checkout.session.completed` adds `metadata.credits` to the account " +
    "in `client_reference_id` (or `metadata.account_id`), once per event id however often it is delivered. Other " +
    "event types are acknowledged and ignored.",
  responses: {
    200: jsonResponse(z.object({ received: z.literal(true), applied: z.boolean() }), "Acknowledged."),
    ...errorResponses(400, 404),
  },
});

export const billingApp = newApp()
  .openapi(getPrices, (c) => c.json({ currency: "credits" as const, prices: pricesOf(c.env) }, 200))
  .openapi(getUsage, async (c) =>
    c.json(await usageOf({ db: c.get("db"), actor: c.get("actor"), days: c.req.valid("query").days }), 200),
  )
  .openapi(grant, async (c) => {
    const { credits, reason } = c.req.valid("json");
    return c.json(
      await grantCredits({
        db: c.get("db"),
        actor: c.get("actor"),
        accountId: c.req.valid("param").id,
        credits,
        reason,
      }),
      200,
    );
  })
  .openapi(webhook, async (c) => {
    const secret = c.env.STRIPE_WEBHOOK_SECRET;
    if (!secret) throw new ApiError("not_found", "Billing webhooks are not configured on this deployment.");
    const body = await c.req.text();
    const verdict = await verifyStripeSignature(c.req.header("Stripe-Signature"), body, secret);
    if (!verdict.ok) throw new ApiError("invalid_request", `Webhook signature rejected: ${verdict.reason}.`);
    let event: unknown;
    try {
      event = JSON.parse(body);
    } catch {
      throw new ApiError("invalid_request", "The event is not valid JSON.");
    }
    if ((event as { type?: unknown })?.type !== "checkout.session.completed")
      return c.json({ received: true as const, applied: false }, 200);
    const parsed = CheckoutCompleted.safeParse(event);
    if (!parsed.success)
      throw new ApiError(
        "invalid_request",
        "The checkout event lacks metadata.credits or an account reference.",
      );
    const session = parsed.data.data.object;
    const accountId = session.client_reference_id ?? session.metadata.account_id;
    if (!accountId)
      throw new ApiError("invalid_request", "The checkout event names no account (client_reference_id).");
    const { applied } = await applyTopUp({
      db: c.get("db"),
      eventId: parsed.data.id,
      accountId,
      credits: session.metadata.credits,
      requestId: c.get("requestId"),
    });
    return c.json({ received: true as const, applied }, 200);
  });
