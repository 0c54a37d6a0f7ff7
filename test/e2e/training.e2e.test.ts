import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalRunner } from "../../scripts/lib/local-runner.mjs";
// @ts-expect-error plain ESM helper shared with the benchmark
import { startService } from "../../scripts/lib/local-service.mjs";
import { scoreBody } from "../fixtures";

const SECRET = "whsec_dXNlcnZpbGxlLWUyZS1ydW5uZXItc2VjcmV0LTAxMjM0NTY3ODk=";
const DEMO_TASK = "task_demo_astropy_timeseries_required_cols";

let runner: Awaited<ReturnType<typeof startLocalRunner>>;
let service: { baseUrl: string; adminKey: string; stop: () => Promise<void> };

beforeAll(async () => {
  // The README's two processes: the local runner (on a free port here) and npm start pointed at it.
  runner = await startLocalRunner({ port: 0, stepMs: 150, secrets: [SECRET] });
  service = await startService({ env: { RAY_JOBS_URL: runner.url, RUNNER_WEBHOOK_SECRET: SECRET } });
});
afterAll(async () => {
  await service?.stop();
  await runner?.close();
});

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${service.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${service.adminKey}`, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

async function until(id: string, done: (job: any) => boolean, timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  let job: any;
  while (Date.now() < deadline) {
    job = (await api("GET", `/v1/training/jobs/${id}`)).json;
    if (done(job)) return job;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`job ${id} stuck: ${JSON.stringify(job)}`);
}

describe("training on npm start + the local runner", () => {
  it("a config job goes through the queue, the dispatcher and the runner to SUCCEEDED with per-step metrics", async () => {
    const created = await api(
      "POST",
      "/v1/training/jobs",
      { runner: "ray", config: { task_ids: [DEMO_TASK], grpo: { steps: 4 } } },
      { "Idempotency-Key": "e2e-train-1" },
    );
    expect(created.status).toBe(202);
    const job = await until(created.json.id, (j) => j.state === "SUCCEEDED");
    expect(job).toMatchObject({ runner_job_id: `ppp-${created.json.id}`, attempts: 1, error: null });
    expect(job.metrics.map((m: any) => m.step)).toEqual([1, 2, 3, 4]);
    for (const m of job.metrics)
      for (const name of [
        "reward/productivity",
        "reward/proactivity",
        "reward/personalization",
        "reward/total",
      ])
        expect(Number.isFinite(m[name])).toBe(true);
    expect(job.result).toMatchObject({ steps: 4, runner_status: "SUCCEEDED" });
  });

  it("an items job is scored, trained on its own rewards, and a cancelled run ends CANCELLED", async () => {
    const items = [0, 1, 2, 3].map((i) => ({ ...scoreBody, group: `p${i % 2}` }));
    const done = await api("POST", "/v1/training/jobs", { items, grpo: { steps: 2 } });
    expect(done.status).toBe(202);
    expect((await until(done.json.id, (j) => j.state === "SUCCEEDED")).metrics).toHaveLength(2);

    const long = await api("POST", "/v1/training/jobs", { runner: "ray", config: { task_ids: [DEMO_TASK] } });
    await until(long.json.id, (j) => j.state === "RUNNING" && j.metrics.length > 0);
    const cancel = await api("POST", `/v1/training/jobs/${long.json.id}/cancel`);
    expect(cancel.status).toBe(202);
    const cancelled = await until(long.json.id, (j) => j.state === "CANCELLED");
    expect(cancelled.error).toBe("cancelled by the client");
  });
});
