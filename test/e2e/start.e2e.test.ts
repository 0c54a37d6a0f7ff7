import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with the benchmark
import { startService } from "../../scripts/lib/local-service.mjs";
import { scoreBody } from "../fixtures";

let service: { baseUrl: string; adminKey: string; stop: () => Promise<void> };

beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  await service?.stop();
});

describe("npm start", () => {
  it("serves health, docs and a scored trajectory over HTTP with a key it issued", async () => {
    const health = await fetch(`${service.baseUrl}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", engine: "rules" });
    expect((await fetch(`${service.baseUrl}/openapi.json`)).status).toBe(200);

    const created = await fetch(`${service.baseUrl}/v1/keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${service.adminKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "e2e", credits: 100 }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };

    const scored = await fetch(`${service.baseUrl}/v1/score`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ ...scoreBody, prediction: undefined, task_score: 0.8 }),
    });
    expect(scored.status).toBe(200);
    const score = (await scored.json()) as { reward: number };
    expect(score.reward).toBeCloseTo(0.1, 12);
  });

  it("rate-limits a key under wrangler dev (the [[ratelimits]] binding of wrangler.toml): 429 with Retry-After", async () => {
    const created = await fetch(`${service.baseUrl}/v1/keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${service.adminKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "busy" }),
    });
    const { key } = (await created.json()) as { key: string };
    const statuses: number[] = [];
    let limited: Response | undefined;
    // 600 per minute per key: 640 quick calls must cross it.
    for (let round = 0; round < 16; round++) {
      const batch = await Promise.all(
        Array.from({ length: 40 }, () =>
          fetch(`${service.baseUrl}/v1/prices`, { headers: { Authorization: `Bearer ${key}` } }),
        ),
      );
      for (const res of batch) {
        statuses.push(res.status);
        if (res.status === 429 && !limited) limited = res;
        else await res.arrayBuffer();
      }
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(limited, `statuses seen: ${[...new Set(statuses)]}`).toBeDefined();
    expect(Number(limited?.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(((await limited?.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
  });
});
