import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signStripePayload } from "../../src/lib/stripe-signature";
import { call, expectError, newAccount } from "../helpers";

/** What Number() and z.coerce.number() read as numbers although they are not decimal integers. */
const NOT_DECIMAL = [
  "0x10",
  "1e3",
  "1e1",
  "0b11",
  "0o7",
  " 5",
  "5 ",
  "5.0",
  "+5",
  "-1",
  "",
  "Infinity",
  "1_0",
];

const balance = async (accountId: string) =>
  (
    await env.DB.prepare("select credits from accounts where id = ?")
      .bind(accountId)
      .first<{ credits: number }>()
  )?.credits;

describe("numbers in query strings are decimal integers only", () => {
  for (const path of ["/v1/tasks?limit=", "/v1/training/jobs?limit=", "/v1/usage?days="]) {
    it(`${path}…`, async () => {
      const { key } = await newAccount("decimal");
      for (const value of NOT_DECIMAL) {
        const res = await call("GET", `${path}${encodeURIComponent(value)}`, { key });
        expectError(res, 400, "invalid_request");
      }
      for (const value of ["5", "05", "1"]) {
        const res = await call("GET", `${path}${value}`, { key });
        expect(res.status, `${value}: ${res.text}`).toBe(200);
      }
      // Out of range stays a 400.
      expectError(await call("GET", `${path}100000`, { key }), 400, "invalid_request");
    });
  }

  it("limit is honoured as decimal", async () => {
    const { key } = await newAccount("decimal-limit");
    for (let i = 0; i < 3; i++)
      await call("POST", "/v1/tasks", {
        key,
        body: { family: "research", prompt: `Question ${i}?`, vague_prompt: "A question?", answer: "x" },
      });
    const page = await call("GET", "/v1/tasks?limit=02", { key });
    expect(page.json.data).toHaveLength(2);
  });
});

describe("Stripe metadata.credits is a decimal integer only", () => {
  const secret = "whsec_test_secret";
  const deliver = async (accountId: string, credits: unknown) => {
    const body = JSON.stringify({
      id: `evt_${crypto.randomUUID()}`,
      type: "checkout.session.completed",
      data: { object: { client_reference_id: accountId, metadata: { credits } } },
    });
    return call("POST", "/v1/billing/webhook", {
      key: null,
      rawBody: body,
      headers: { "Stripe-Signature": await signStripePayload(body, secret) },
    });
  };

  it("0x10, 1e3 and friends are a 400 and credit nothing", async () => {
    const { account_id } = await newAccount("stripe-decimal", 0);
    for (const credits of [...NOT_DECIMAL, 1.5, true, null]) {
      expectError(await deliver(account_id, credits), 400, "invalid_request");
    }
    expect(await balance(account_id)).toBe(0);
  });

  it("digits (as Stripe sends them) and a JSON integer are credited", async () => {
    const { account_id } = await newAccount("stripe-digits", 0);
    expect((await deliver(account_id, "250")).json).toMatchObject({ applied: true });
    expect((await deliver(account_id, 16)).json).toMatchObject({ applied: true });
    expect(await balance(account_id)).toBe(266);
  });
});
