import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { scoreBody } from "../fixtures";
import { call, expectError, newAccount } from "../helpers";

const score = (key: string) => call("POST", "/v1/score", { key, body: scoreBody });
const batch = (key: string, n: number) =>
  call("POST", "/v1/score/batch", { key, body: { items: Array.from({ length: n }, () => scoreBody) } });

/** The UTC days of an account's metered rows, computed here rather than by the query under test. */
async function daysOf(accountId: string) {
  const { results } = await env.DB.prepare(
    "select created_at, kind, cost from ledger where account_id = ? and kind in ('charge', 'refund')",
  )
    .bind(accountId)
    .all<{ created_at: number; kind: string; cost: number }>();
  const days = new Map<string, { calls: number; credits: number }>();
  for (const row of results) {
    const date = new Date(row.created_at).toISOString().slice(0, 10);
    const day = days.get(date) ?? { calls: 0, credits: 0 };
    day.calls += row.kind === "charge" ? 1 : 0;
    day.credits += row.cost;
    days.set(date, day);
  }
  return [...days].map(([date, d]) => ({ date, ...d })).sort((a, b) => b.date.localeCompare(a.date));
}

describe("GET /v1/usage", () => {
  it("two paying accounts, both spending: each sees exactly its own totals", async () => {
    const a = await newAccount("usage-a", 100);
    const b = await newAccount("usage-b", 50);
    for (const res of [await score(a.key), await score(b.key), await batch(a.key, 3), await score(a.key)])
      expect(res.status, res.text).toBe(200);
    expect((await batch(b.key, 5)).status).toBe(200);
    // A failed call of B's: charged, then refunded by a row of its own.
    expectError(
      await call("POST", "/v1/score", {
        key: b.key,
        body: { ...scoreBody, task: undefined, task_id: "task_x" },
      }),
      404,
      "not_found",
    );

    const usageA = await call("GET", "/v1/usage", { key: a.key });
    expect(usageA.status, usageA.text).toBe(200);
    expect(usageA.json).toEqual({
      account_id: a.account_id,
      credits_remaining: 95,
      period_days: 30,
      by_route: {
        score: { calls: 2, refunds: 0, units: 2, credits: 2 },
        score_batch_item: { calls: 1, refunds: 0, units: 3, credits: 3 },
      },
      by_day: await daysOf(a.account_id),
    });
    expect(usageA.json.by_day.reduce((n: number, d: any) => n + d.credits, 0)).toBe(5);

    const usageB = await call("GET", "/v1/usage?days=7", { key: b.key });
    expect(usageB.json).toEqual({
      account_id: b.account_id,
      credits_remaining: 44,
      period_days: 7,
      by_route: {
        score: { calls: 2, refunds: 1, units: 1, credits: 1 },
        score_batch_item: { calls: 1, refunds: 0, units: 5, credits: 5 },
      },
      by_day: await daysOf(b.account_id),
    });
    expect(usageB.json.by_day.reduce((n: number, d: any) => n + d.calls, 0)).toBe(3);
  });

  it("an account that spent nothing sees no usage, however much others spent", async () => {
    const spender = await newAccount("usage-spender", 10);
    expect((await batch(spender.key, 4)).status).toBe(200);
    const idle = await newAccount("usage-idle", 10);
    const usage = await call("GET", "/v1/usage", { key: idle.key });
    expect(usage.json).toEqual({
      account_id: idle.account_id,
      credits_remaining: 10,
      period_days: 30,
      by_route: {},
      by_day: [],
    });
  });

  it("bad days → 400; no key → 401", async () => {
    const { key } = await newAccount("usage-bad");
    expectError(await call("GET", "/v1/usage?days=0", { key }), 400, "invalid_request");
    expectError(await call("GET", "/v1/usage", { key: null }), 401, "unauthorized");
  });
});
