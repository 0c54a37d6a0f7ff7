/**
 * Issue #9 end to end: `npm start` and the local Ray-compatible runner, which runs the job's entrypoint
 * (`python -m userville.train`) as a real process. The trainer exchanges its job token, plays real sessions
 * against the service with the job's key, and reports every step back; nothing here draws a curve.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalRunner } from "../../scripts/lib/local-runner.mjs";
// @ts-expect-error plain ESM helper shared with the benchmark
import { startService } from "../../scripts/lib/local-service.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const SECRET = "whsec_dXNlcnZpbGxlLWUyZS1ydW5uZXItc2VjcmV0LTAxMjM0NTY3ODk=";
const SEEDS = [
  "task_demo_astropy_timeseries_required_cols",
  "task_demo_lichen_botanist",
  "task_demo_ferry_aground_museum",
];
const PREFERENCES = ["no_ask", "one_question", "no_preference"];
const PRICE = 10; // training_rollout, credits per session

const logDir = mkdtempSync(path.join(tmpdir(), "userville-e2e-train-"));
/** The job's driver log (the trainer's stdout and stderr), for failure messages. */
const jobLog = (id: string) => {
  const file = readdirSync(logDir).find((f) => f.includes(id));
  return file ? readFileSync(path.join(logDir, file), "utf8").slice(-4000) : "(no log)";
};

let runner: Awaited<ReturnType<typeof startLocalRunner>>;
let service: { baseUrl: string; adminKey: string; stop: () => Promise<void> };
let key: string;
let taskIds: string[];

async function api(method: string, url: string, body?: unknown, as = key) {
  const res = await fetch(`${service.baseUrl}${url}`, {
    method,
    headers: { Authorization: `Bearer ${as}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const credits = async () => (await api("GET", "/v1/usage")).json.credits_remaining as number;
const finishes = async () =>
  ((await api("GET", "/v1/usage")).json.by_route.session_finish?.calls ?? 0) as number;

async function until(id: string, done: (job: any) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let job: any;
  while (Date.now() < deadline) {
    job = (await api("GET", `/v1/training/jobs/${id}`)).json;
    if (done(job)) return job;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`job ${id} stuck: ${JSON.stringify(job).slice(0, 2000)}`);
}

beforeAll(async () => {
  // The README's two processes: `npm run runner:dev` (here on a free port) and `npm start` pointed at it.
  runner = await startLocalRunner({
    port: 0,
    env: { PYTHONPATH: path.join(root, "python") },
    cwd: root,
    logDir,
  });
  service = await startService({ env: { RAY_JOBS_URL: runner.url, RUNNER_WEBHOOK_SECRET: SECRET } });
  const created = await api("POST", "/v1/keys", { name: "trainer", credits: 100_000 }, service.adminKey);
  expect(created.status).toBe(201);
  key = created.json.key;
  const seeds = readFileSync(path.join(root, "seed/demo-tasks.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  taskIds = [];
  for (const id of SEEDS) {
    const { id: _id, ...task } = seeds.find((s) => s.id === id);
    const res = await api("POST", "/v1/tasks", task);
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    taskIds.push(res.json.id);
  }
}, 180_000);

afterAll(async () => {
  await service?.stop();
  await runner?.close();
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("python -m userville.train as a Ray job of npm start + the local runner", () => {
  it("learns from real sessions: SUCCEEDED, every step reported, last-5 reward at least 0.1 over first-5", async () => {
    const before = await credits();
    const finishedBefore = await finishes();
    const steps = 15;
    const created = await api("POST", "/v1/training/jobs", {
      runner: "ray",
      config: { task_ids: taskIds, preferences: PREFERENCES, grpo: { group_size: 4, steps } },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    // 3 tasks × (3 vague rows + 1 precise) = 12 rows, all in one batch, × 4 rollouts × 15 steps.
    const rollouts = 12 * 4 * steps;
    expect(created.json.summary).toMatchObject({
      rows: 12,
      estimate: { rollouts, credits: rollouts * PRICE },
    });
    expect(await credits()).toBe(before - rollouts * PRICE);

    const job = await until(created.json.id, (j) => ["SUCCEEDED", "FAILED"].includes(j.state), 480_000);
    expect(job.state, jobLog(job.id)).toBe("SUCCEEDED");
    expect(job.metrics.map((m: any) => m.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    for (const m of job.metrics) {
      expect(m.sessions, jobLog(job.id)).toBe(48);
      expect(m["sessions/failed"], jobLog(job.id)).toBe(0);
    }
    const totals = job.metrics.map((m: any) => m["reward/total"] as number);
    const gain = mean(totals.slice(-5)) - mean(totals.slice(0, 5));
    console.log(`e2e training: reward/total by step ${totals.map((t: number) => t.toFixed(3)).join(" ")}`);
    expect(gain, totals.join(", ")).toBeGreaterThanOrEqual(0.1);
    expect(job.result).toMatchObject({ backend: "tabular", steps, runner_status: "SUCCEEDED" });
    // The metrics come from sessions in the account's usage: one finished session per rollout, paid for by the
    // job's reservation (so metered at no further cost); every reserved rollout was played: nothing refunded.
    expect((await finishes()) - finishedBefore).toBe(rollouts);
    expect(await credits()).toBe(before - rollouts * PRICE);
  }, 600_000);

  it("a cancelled job is stopped by SIGTERM, ends CANCELLED, and its unused rollouts are refunded", async () => {
    const before = await credits();
    const created = await api("POST", "/v1/training/jobs", {
      runner: "ray",
      config: { task_ids: [taskIds[0]], preferences: ["no_ask"], grpo: { group_size: 2, steps: 500 } },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    const reserved = created.json.summary.estimate.credits as number;
    expect(reserved).toBe(2 * 2 * 500 * PRICE);
    await until(created.json.id, (j) => j.state === "RUNNING" && j.metrics.length > 0, 120_000);
    expect((await api("POST", `/v1/training/jobs/${created.json.id}/cancel`)).status).toBe(202);
    const job = await until(created.json.id, (j) => j.state === "CANCELLED", 120_000).catch((err) => {
      throw new Error(`${err.message}\n${jobLog(created.json.id)}`);
    });
    expect(job.error).toBe("cancelled by the client");
    const spent = before - (await credits());
    // Charged only for the sessions it played (a few steps of 4), never the whole reservation.
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThan(reserved / 2);
    expect(spent % PRICE).toBe(0);
  }, 300_000);

  it("an entrypoint that fails ends FAILED with the tail of its log", async () => {
    // The verl backend needs verl and pyarrow, which this machine has not: the trainer exits 1.
    const created = await api("POST", "/v1/training/jobs", {
      runner: "ray",
      config: { task_ids: [taskIds[0]], preferences: ["no_ask"], backend: "verl", grpo: { steps: 1 } },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    const job = await until(created.json.id, (j) => ["SUCCEEDED", "FAILED"].includes(j.state), 120_000);
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatch(/pyarrow|verl/);
    expect(job.error).toMatch(/Traceback|Error/);
  }, 180_000);
});
