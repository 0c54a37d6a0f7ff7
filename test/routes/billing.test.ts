import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signStripePayload } from "../../src/lib/stripe-signature";
import { buildApp } from "../../src/routes";
import { DEFAULT_PRICES } from "../../src/services/billing";
import { researchTask, scoreBody } from "../fixtures";
import { call, expectError, newAccount } from "../helpers";

const balance = async (accountId: string) =>
  (
    await env.DB.prepare("select credits from accounts where id = ?")
      .bind(accountId)
      .first<{ credits: number }>()
  )?.credits;
const ledgerOf = async (accountId: string) =>
  (
    await env.DB.prepare(
      "select kind, route, units, cost from ledger where account_id = ? order by created_at",
    )
      .bind(accountId)
      .all()
  ).results as {
    kind: string;
    route: string;
    units: number;
    cost: number;
  }[];

/** The worker with some bindings replaced. */
async function fetchWith(overrides: Partial<typeof env>, path: string, init: RequestInit) {
  const ctx = createExecutionContext();
  const res = await buildApp().fetch(
    new Request(`http://userville.test${path}`, init),
    { ...env, ...overrides },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

describe("prices and metering", () => {
  it("GET /v1/prices returns the table", async () => {
    const { key } = await newAccount();
    const res = await call("GET", "/v1/prices", { key });
    expect(res.json).toEqual({ currency: "credits", prices: DEFAULT_PRICES });
  });

  it("a billable call reserves its cost and writes a ledger row; usage adds it up", async () => {
    const { key, account_id } = await newAccount("meter", 10);
    expect((await call("POST", "/v1/score", { key, body: scoreBody })).status).toBe(200);
    const batch = await call("POST", "/v1/score/batch", {
      key,
      body: { items: [scoreBody, scoreBody, scoreBody] },
    });
    expect(batch.status).toBe(200);
    expect(await balance(account_id)).toBe(10 - DEFAULT_PRICES.score - 3 * DEFAULT_PRICES.score_batch_item);
    const rows = await ledgerOf(account_id);
    expect(rows).toEqual([
      { kind: "grant", route: "keys.create", units: 10, cost: -10 },
      { kind: "charge", route: "score", units: 1, cost: 1 },
      { kind: "charge", route: "score_batch_item", units: 3, cost: 3 },
    ]);
    const usage = await call("GET", "/v1/usage", { key });
    expect(usage.json.credits_remaining).toBe(6);
    expect(usage.json.by_route.score_batch_item).toEqual({ calls: 1, refunds: 0, units: 3, credits: 3 });
    expect(usage.json.by_day).toHaveLength(1);
    expect(usage.json.by_day[0].credits).toBe(4);
  });

  it("an empty balance → 402 insufficient_credits, nothing done", async () => {
    const { key, account_id } = await newAccount("broke", 0);
    const res = await call("POST", "/v1/score", { key, body: scoreBody });
    expectError(res, 402, "insufficient_credits");
    expect(await ledgerOf(account_id)).toEqual([]);
    const task = await call("POST", "/v1/tasks", { key, body: researchTask });
    expect(task.status).toBe(201); // storing a task with its own vague prompt is free
    const session = await call("POST", "/v1/sessions", {
      key,
      body: { task_id: task.json.id, preference: "json" },
    });
    expectError(
      await call("POST", `/v1/sessions/${session.json.id}/questions`, { key, body: { question: "Which?" } }),
      402,
      "insufficient_credits",
    );
    expect((await call("GET", `/v1/sessions/${session.json.id}`, { key })).json.questions).toEqual([]);
  });

  it("N concurrent charged calls with credits for k < N: exactly k succeed, balance 0, ledger adds up", async () => {
    const k = 7;
    const { key, account_id } = await newAccount("race", k);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call("POST", "/v1/score", { key, body: scoreBody })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(k);
    for (const r of results.filter((x) => x.status !== 200)) expectError(r, 402, "insufficient_credits");
    expect(await balance(account_id)).toBe(0);
    const rows = await ledgerOf(account_id);
    expect(rows.filter((r) => r.kind === "charge")).toHaveLength(k);
    expect(rows.reduce((sum, r) => sum - r.cost, 0)).toBe(0);
  });

  it("a failed call is refunded by a ledger row of its own", async () => {
    const { key, account_id } = await newAccount("refund", 5);
    expectError(
      await call("POST", "/v1/score", {
        key,
        body: { ...scoreBody, task: undefined, task_id: "task_missing" },
      }),
      404,
      "not_found",
    );
    expect(await balance(account_id)).toBe(5);
    expect((await ledgerOf(account_id)).map((r) => [r.kind, r.cost])).toEqual([
      ["grant", -5],
      ["charge", 1],
      ["refund", -1],
    ]);
    const invalid = await call("POST", "/v1/score", { key, body: { ...scoreBody, preference: "nope" } });
    expectError(invalid, 400, "invalid_request");
    expect(await ledgerOf(account_id)).toHaveLength(3); // invalid input is rejected before any charge
  });

  it("test keys are metered at no cost", async () => {
    const res = await call("POST", "/v1/keys", { body: { name: "sandbox", mode: "test" } });
    expect(res.json.key).toMatch(/^uv_test_/);
    expect((await call("POST", "/v1/score", { key: res.json.key, body: scoreBody })).status).toBe(200);
    expect((await ledgerOf(res.json.account_id)).map((r) => [r.kind, r.cost])).toEqual([["charge", 0]]);
  });

  it("admins grant credits; others get 403; unknown accounts 404", async () => {
    const { key, account_id } = await newAccount("granted", 0);
    const res = await call("POST", `/v1/accounts/${account_id}/credits`, {
      body: { credits: 25, reason: "pilot" },
    });
    expect(res.json).toEqual({ account_id, credits_remaining: 25 });
    expectError(
      await call("POST", `/v1/accounts/${account_id}/credits`, { key, body: { credits: 5 } }),
      403,
      "forbidden",
    );
    expectError(
      await call("POST", "/v1/accounts/acct_nope/credits", { body: { credits: 5 } }),
      404,
      "not_found",
    );
    expectError(
      await call("POST", `/v1/accounts/${account_id}/credits`, { body: { credits: -5 } }),
      400,
      "invalid_request",
    );
  });
});

describe("Idempotency-Key", () => {
  it("a replay returns the first response and charges once; another body → 409", async () => {
    const { key, account_id } = await newAccount("idem", 10);
    const headers = { "Idempotency-Key": "score-1" };
    const first = await call("POST", "/v1/score", { key, body: scoreBody, headers });
    const again = await call("POST", "/v1/score", { key, body: scoreBody, headers });
    expect(again.status).toBe(first.status);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await balance(account_id)).toBe(9);
    expectError(
      await call("POST", "/v1/score", { key, body: { ...scoreBody, vague: false }, headers }),
      409,
      "conflict",
    );
    // Keys are per account: another account may use the same one.
    const other = await newAccount("idem-other", 10);
    expect(
      (await call("POST", "/v1/score", { key: other.key, body: scoreBody, headers })).headers.get(
        "Idempotent-Replayed",
      ),
    ).toBeNull();
  });

  it("two concurrent requests with one key: one executes, the other replays it or gets 409", async () => {
    const { key, account_id } = await newAccount("idem-race", 10);
    const headers = { "Idempotency-Key": "race-1" };
    const results = await Promise.all(
      [1, 2, 3].map(() => call("POST", "/v1/score", { key, body: scoreBody, headers })),
    );
    for (const r of results) expect([200, 409]).toContain(r.status);
    expect(results.filter((r) => r.status === 200 && !r.headers.get("Idempotent-Replayed"))).toHaveLength(1);
    expect(await balance(account_id)).toBe(9);
  });

  it("creates one session however often the create is retried", async () => {
    const { key } = await newAccount("idem-create");
    const task = await call("POST", "/v1/tasks", {
      key,
      body: researchTask,
      headers: { "Idempotency-Key": "t" },
    });
    const again = await call("POST", "/v1/tasks", {
      key,
      body: researchTask,
      headers: { "Idempotency-Key": "t" },
    });
    expect(again.json.id).toBe(task.json.id);
    expectError(
      await call("POST", "/v1/tasks", { key, body: researchTask, headers: { "Idempotency-Key": "" } }),
      400,
      "invalid_request",
    );
  });
});

describe("keys: list, revoke, checksum", () => {
  it("owners list their keys without secrets and revoke them; another account gets 404", async () => {
    const owner = await newAccount("owner");
    const second = await call("POST", "/v1/keys", { body: { name: "second", account_id: owner.account_id } });
    const list = await call("GET", "/v1/keys", { key: owner.key });
    expect(list.json.data.map((k: any) => k.id).sort()).toEqual([owner.id, second.json.id].sort());
    expect(list.text).not.toContain(owner.key);
    expect(list.text).not.toContain("hash");
    const other = await newAccount("other");
    expectError(await call("DELETE", `/v1/keys/${second.json.id}`, { key: other.key }), 404, "not_found");
    expectError(
      await call("GET", `/v1/keys?account_id=${owner.account_id}`, { key: other.key }),
      404,
      "not_found",
    );
    const revoked = await call("DELETE", `/v1/keys/${second.json.id}`, { key: owner.key });
    expect(revoked.json.revoked_at).toBeTruthy();
    expectError(await call("GET", "/v1/preferences", { key: second.json.key }), 401, "unauthorized");
    expect((await call("GET", "/v1/preferences", { key: owner.key })).status).toBe(200);
    expect((await call("DELETE", `/v1/keys/${owner.id}`)).json.revoked_at).toBeTruthy(); // an admin may revoke any key
  });

  it("a checksum-broken key is refused with 401 before any database read", async () => {
    const { key } = await newAccount();
    const broken = key.slice(0, -1) + (key.endsWith("A") ? "B" : "A");
    const noDatabase = new Proxy({} as D1Database, {
      get() {
        throw new Error("the database was read");
      },
    });
    const res = await fetchWith({ DB: noDatabase }, "/v1/preferences", {
      headers: { Authorization: `Bearer ${broken}` },
    });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("unauthorized");
  });
});

describe("rate limits", () => {
  it("over the limit → 429 rate_limited with Retry-After (Workers Rate Limiting binding)", async () => {
    const { key } = await newAccount("busy");
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof fetchWith>> | undefined;
    for (let i = 0; i < 5; i++) {
      last = await fetchWith({ RATE_LIMITER: env.STRICT_LIMITER }, "/v1/preferences", {
        headers: { Authorization: `Bearer ${key}` },
      });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expect(last?.json.error.code).toBe("rate_limited");
    expect(Number(last?.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});

describe("POST /v1/billing/webhook (Stripe)", () => {
  const secret = "whsec_test_secret";
  const event = (id: string, accountId: string, credits: number) =>
    JSON.stringify({
      id,
      type: "checkout.session.completed",
      data: { object: { client_reference_id: accountId, metadata: { credits: String(credits) } } },
    });
  const post = async (body: string, signature: string) =>
    call("POST", "/v1/billing/webhook", {
      key: null,
      rawBody: body,
      headers: { "Stripe-Signature": signature },
    });

  it("adds the purchased credits once per event id, however often it is delivered", async () => {
    const { account_id } = await newAccount("buyer", 0);
    const body = event(`evt_${crypto.randomUUID()}`, account_id, 500);
    const signature = await signStripePayload(body, secret);
    const deliveries = await Promise.all([
      post(body, signature),
      post(body, signature),
      post(body, signature),
    ]);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(deliveries.filter((d) => d.json.applied)).toHaveLength(1);
    expect(await balance(account_id)).toBe(500);
    expect((await ledgerOf(account_id)).map((r) => [r.kind, r.cost])).toEqual([["topup", -500]]);
  });

  it("ten concurrent deliveries with one X-Request-Id credit once, and the balance equals the ledger", async () => {
    const { account_id } = await newAccount("replayer", 0);
    const body = event(`evt_${crypto.randomUUID()}`, account_id, 300);
    const signature = await signStripePayload(body, secret);
    const requestId = `replay-${crypto.randomUUID()}`;
    const deliveries = await Promise.all(
      Array.from({ length: 10 }, () =>
        call("POST", "/v1/billing/webhook", {
          key: null,
          rawBody: body,
          headers: { "Stripe-Signature": signature, "X-Request-Id": requestId },
        }),
      ),
    );
    expect(deliveries.map((d) => d.status)).toEqual(Array(10).fill(200));
    expect(deliveries.filter((d) => d.json.applied)).toHaveLength(1);
    expect(await balance(account_id)).toBe(300);
    const rows = await ledgerOf(account_id);
    expect(rows.map((r) => [r.kind, r.cost])).toEqual([["topup", -300]]);
    expect(-rows.reduce((sum, r) => sum + r.cost, 0)).toBe(await balance(account_id));
    // A later delivery, sequential this time, still changes nothing.
    const again = await call("POST", "/v1/billing/webhook", {
      key: null,
      rawBody: body,
      headers: { "Stripe-Signature": signature, "X-Request-Id": requestId },
    });
    expect(again.json.applied).toBe(false);
    expect(await balance(account_id)).toBe(300);
  });

  it("a bad or stale signature → 400 and no credit", async () => {
    const { account_id } = await newAccount("mallory", 0);
    const body = event(`evt_${crypto.randomUUID()}`, account_id, 1000);
    expectError(await post(body, await signStripePayload(body, "whsec_wrong")), 400, "invalid_request");
    expectError(
      await post(body, await signStripePayload(body, secret, Math.floor(Date.now() / 1000) - 301)),
      400,
      "invalid_request",
    );
    expectError(await post(body, "t=1,v1=zz"), 400, "invalid_request");
    expectError(
      await post(body.replace("1000", "9000"), await signStripePayload(body, secret)),
      400,
      "invalid_request",
    );
    expect(await balance(account_id)).toBe(0);
  });

  it("ignores other event types and rejects unknown accounts", async () => {
    const other = JSON.stringify({ id: "evt_other", type: "invoice.paid", data: { object: {} } });
    expect((await post(other, await signStripePayload(other, secret))).json).toEqual({
      received: true,
      applied: false,
    });
    const unknown = event("evt_unknown_acct", "acct_nobody", 5);
    expectError(await post(unknown, await signStripePayload(unknown, secret)), 400, "invalid_request");
  });
});
