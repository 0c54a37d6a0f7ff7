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
});
