import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signWebhook } from "../../src/lib/standard-webhooks";
import { PAYLOAD_CHUNK_CHARS } from "../../src/services/training";
import { jobCallbackSecret } from "../../src/training/credentials";
import { expectedAdvantages } from "../advantages";
import { scoreBody, sweTask } from "../fixtures";
import { call, expectError, insertTask, newAccount } from "../helpers";
import {
  apiWith,
  callbackSecretOf,
  createConfigJob,
  jobRow,
  recordingQueue,
  sendEvent,
} from "../training-helpers";

const jobsOf = async (accountId: string) =>
  (
    await env.DB.prepare("select count(*) as n from training_jobs where account_id = ?")
      .bind(accountId)
      .first<{ n: number }>()
  )?.n;
const balance = async (accountId: string) =>
  (
    await env.DB.prepare("select credits from accounts where id = ?")
      .bind(accountId)
      .first<{ credits: number }>()
  )?.credits;

async function signedPayload(jobId: string, secret?: string) {
  const headers = await signWebhook(`get_${crypto.randomUUID()}`, "", [
    secret ?? (await callbackSecretOf(jobId)),
  ]);
  return apiWith({}, "GET", `/v1/training/jobs/${jobId}/payload`, { headers });
}

const item = (group: string, extra: Record<string, unknown> = {}) => ({ ...scoreBody, group, ...extra });

describe("POST /v1/training/jobs", () => {
  it("config form: 13 rows per task, GRPO defaults 8 × 64, queued by id only, its rollouts reserved", async () => {
    // 26 rows (under the batch of 64) × group 8 × 200 steps = 41 600 rollouts × 10 credits.
    const { key, account_id } = await newAccount("cfg", 416_100);
    const tasks = [await insertTask(account_id, sweTask), await insertTask(account_id, sweTask)];
    const q = recordingQueue();
    const res = await apiWith({ TRAINING_QUEUE: q.queue }, "POST", "/v1/training/jobs", {
      key,
      body: { runner: "ray", target: "h100", config: { task_ids: tasks, weights: { proactivity: 0 } } },
    });
    expect(res.status, res.text).toBe(202);
    expect(res.json).toMatchObject({
      state: "CREATED",
      kind: "config",
      runner: "ray",
      target: "h100",
      attempts: 0,
      runner_job_id: null,
      summary: { tasks: 2, rows: 26, preferences: 12, group_size: 8, batch_size: 64, steps: 200 },
    });
    expect(res.json.id).toMatch(/^job_/);
    expect(res.json.summary.estimate).toEqual({
      rollouts: 41_600,
      price_per_rollout: 10,
      credits: 416_000,
      currency: "credits",
    });
    expect(q.sent).toEqual([{ body: { kind: "dispatch", job_id: res.json.id }, delaySeconds: undefined }]);
    expect(await balance(account_id)).toBe(100);

    const payload = await signedPayload(res.json.id);
    expect(payload.status).toBe(200);
    expect(payload.json.rows).toHaveLength(26);
    expect(payload.json.rows.filter((r: any) => !r.vague)).toHaveLength(2);
    expect(payload.json.config.weights).toEqual({ proactivity: 0, personalization: 1 });

    const got = await call("GET", `/v1/training/jobs/${res.json.id}`, { key });
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id: res.json.id, state: "CREATED", metrics: [], result: null });
  });

  it("items form: scored, advantages stored, charged score_batch_item per item", async () => {
    const { key, account_id } = await newAccount("items", 100);
    const items = [
      item("p1"),
      item("p1", { task_score: 0.9, prediction: undefined }),
      item("p2", { preference: "no_preference" }),
    ];
    const res = await apiWith({ TRAINING_QUEUE: recordingQueue().queue }, "POST", "/v1/training/jobs", {
      key,
      body: { items, grpo: { advantage: "dr_grpo" } },
    });
    expect(res.status, res.text).toBe(202);
    expect(res.json.summary).toMatchObject({ items: 3, groups: 2, advantage: "dr_grpo", steps: 1 });
    expect(await balance(account_id)).toBe(97);
    const payload = await signedPayload(res.json.id);
    expect(payload.json.items).toHaveLength(3);
    const rewards = payload.json.items.map((it: any) => it.reward);
    const groups = payload.json.items.map((it: any) => it.group);
    expect(groups).toEqual(["p1", "p1", "p2"]);
    expect(new Set(rewards.slice(0, 2)).size).toBe(2); // distinct rewards: the two modes differ in p1
    const drGrpo = expectedAdvantages(rewards, groups, "dr_grpo");
    payload.json.items.forEach((it: any, i: number) => {
      expect(it.advantage).toBeCloseTo(drGrpo[i], 8);
    });

    // The same items under GRPO (the default): normalised by the group's std, so other values.
    const grpoJob = await apiWith({ TRAINING_QUEUE: recordingQueue().queue }, "POST", "/v1/training/jobs", {
      key,
      body: { items },
    });
    expect(grpoJob.status, grpoJob.text).toBe(202);
    expect(grpoJob.json.summary).toMatchObject({ items: 3, groups: 2, advantage: "grpo" });
    const grpoItems = (await signedPayload(grpoJob.json.id)).json.items;
    expect(grpoItems.map((it: any) => it.reward)).toEqual(rewards);
    const grpo = expectedAdvantages(rewards, groups, "grpo");
    grpoItems.forEach((it: any, i: number) => {
      expect(it.advantage).toBeCloseTo(grpo[i], 8);
      expect(Math.abs(it.advantage - drGrpo[i])).toBeGreaterThan(1e-7);
    });
    expect(await balance(account_id)).toBe(94);
  });

  it("a large payload is stored in chunks and read back whole", async () => {
    const { key } = await newAccount("big");
    const long = "x".repeat(90_000);
    const items = Array.from({ length: 8 }, (_, i) => item(`g${i % 2}`, { prediction: `${long}${i}` }));
    const res = await apiWith({ TRAINING_QUEUE: recordingQueue().queue }, "POST", "/v1/training/jobs", {
      key,
      body: { items },
    });
    expect(res.status, res.text).toBe(202);
    const row = await jobRow(res.json.id);
    expect(row?.payload_chunks).toBeGreaterThan(1);
    expect(row?.payload_bytes).toBeGreaterThan(PAYLOAD_CHUNK_CHARS);
    const payload = await signedPayload(res.json.id);
    expect(payload.json.items.map((it: any) => it.prediction.slice(-1))).toEqual([
      "0",
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
      "7",
    ]);
  });

  it("Idempotency-Key replays the first response; one job", async () => {
    const { key, account_id } = await newAccount("idem");
    const task = await insertTask(account_id, sweTask);
    const body = { config: { task_ids: [task] } };
    const headers = { "Idempotency-Key": "train-1" };
    const first = await call("POST", "/v1/training/jobs", { key, body, headers });
    const again = await call("POST", "/v1/training/jobs", { key, body, headers });
    expect(first.status).toBe(202);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await jobsOf(account_id)).toBe(1);
  });

  it("bad input → 400 with the envelope, nothing stored or charged", async () => {
    const { key, account_id } = await newAccount("bad", 50);
    const mine = await insertTask(account_id, sweTask);
    const other = await newAccount("other");
    const theirs = await insertTask(other.account_id, sweTask);
    const bodies = [
      { config: { task_ids: ["task_nope"] } },
      { config: { task_ids: [theirs] } },
      { config: { task_ids: [mine], preferences: ["not_a_preference"] } },
      { config: { task_ids: [mine], preferences: ["json"] } }, // unseen: held out
      { config: { task_ids: [] } },
      { config: { task_ids: [mine], grpo: { group_size: 0 } } },
      { items: [] },
      { items: [scoreBody] }, // no group
      { items: Array.from({ length: 1025 }, () => item("g")) },
      { runner: "slurm", config: { task_ids: [mine] } },
      { runner: "ray" },
      { config: { task_ids: [mine] }, items: [item("g")] },
    ];
    for (const body of bodies) {
      const res = await call("POST", "/v1/training/jobs", { key, body });
      expectError(res, 400, "invalid_request");
    }
    // JSON has no NaN or Infinity, but 1e999 parses as Infinity: a non-finite reward input.
    const finite = JSON.stringify({ items: [item("g", { task_score: 0.5, weights: { proactivity: 1 } })] });
    for (const rawBody of [
      finite.replace('"task_score":0.5', '"task_score":1e999'),
      finite.replace('"proactivity":1', '"proactivity":-1e999'),
      '{"items": [{"task_score": 1e999',
    ])
      expectError(await call("POST", "/v1/training/jobs", { key, rawBody }), 400, "invalid_request");
    expect(await jobsOf(account_id)).toBe(0);
    expect(await balance(account_id)).toBe(50);
  });

  it("a body over 16 MiB → 413; no key → 401", async () => {
    const { key } = await newAccount("huge");
    const res = await call("POST", "/v1/training/jobs", {
      key,
      rawBody: JSON.stringify({ items: [item("g", { prediction: "y".repeat(17 * 1024 * 1024) })] }),
    });
    expectError(res, 413, "payload_too_large");
    expectError(await call("POST", "/v1/training/jobs", { key: null, body: {} }), 401, "unauthorized");
    expectError(await call("GET", "/v1/training/jobs", { key: null }), 401, "unauthorized");
  });
});

describe("reading and cancelling jobs", () => {
  it("lists newest first with a cursor; another account sees 404 and an empty list", async () => {
    const { key, account_id } = await newAccount("lister");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createConfigJob(key, account_id)).job.id);
    const page1 = await call("GET", "/v1/training/jobs?limit=2", { key });
    expect(page1.json.data.map((j: any) => j.id)).toEqual([ids[2], ids[1]]);
    expect(page1.json.data[0].metrics).toBeUndefined();
    const page2 = await call("GET", `/v1/training/jobs?limit=2&cursor=${page1.json.next_cursor}`, { key });
    expect(page2.json.data.map((j: any) => j.id)).toEqual([ids[0]]);
    expect(page2.json.next_cursor).toBeNull();
    expectError(await call("GET", "/v1/training/jobs?cursor=zzz", { key }), 400, "invalid_request");

    const stranger = await newAccount("stranger");
    expectError(await call("GET", `/v1/training/jobs/${ids[0]}`, { key: stranger.key }), 404, "not_found");
    expectError(
      await call("POST", `/v1/training/jobs/${ids[0]}/cancel`, { key: stranger.key }),
      404,
      "not_found",
    );
    expect((await call("GET", "/v1/training/jobs", { key: stranger.key })).json.data).toEqual([]);
    expectError(await call("GET", "/v1/training/jobs/job_missing", { key }), 404, "not_found");
  });

  it("cancelling a CREATED job ends it CANCELLED at once; then 409", async () => {
    const { key, account_id } = await newAccount("canceller");
    const { job } = await createConfigJob(key, account_id);
    const res = await apiWith(
      { TRAINING_QUEUE: recordingQueue().queue },
      "POST",
      `/v1/training/jobs/${job.id}/cancel`,
      {
        key,
      },
    );
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ state: "CANCELLED", cancel_requested: true });
    expect(res.json.finished_at).not.toBeNull();
    expectError(await call("POST", `/v1/training/jobs/${job.id}/cancel`, { key }), 409, "conflict");
  });
});

describe("runner callbacks (Standard Webhooks)", () => {
  const progress = {
    type: "progress",
    step: 1,
    metrics: {
      "reward/productivity": 0.5,
      "reward/proactivity": -0.1,
      "reward/personalization": 0.05,
      "reward/total": 0.45,
    },
  };

  it("a signed progress event stores the step's metrics once per webhook-id", async () => {
    const { key, account_id } = await newAccount("cb");
    const { job } = await createConfigJob(key, account_id);
    const first = await sendEvent(job.id, progress, { webhookId: "msg_dup_1" });
    expect(first.status, first.text).toBe(200);
    expect(first.json).toEqual({ received: true, duplicate: false });
    const again = await sendEvent(
      job.id,
      { ...progress, metrics: { "reward/total": 0.99 } },
      { webhookId: "msg_dup_1" },
    );
    expect(again.json).toEqual({ received: true, duplicate: true });
    const got = await call("GET", `/v1/training/jobs/${job.id}`, { key });
    expect(got.json.metrics).toEqual([{ step: 1, ...progress.metrics }]);
    // Not submitted yet: progress never skips the dispatcher's own SUBMITTING → QUEUED.
    expect(got.json.state).toBe("CREATED");
  });

  it("bad signature, stale or future timestamp, missing headers → 401 and no change", async () => {
    const { key, account_id } = await newAccount("forger");
    const { job } = await createConfigJob(key, account_id);
    const forged = `whsec_${btoa("not-the-runner-secret-at-all-000000")}`;
    const now = Math.floor(Date.now() / 1000);
    for (const res of [
      await sendEvent(job.id, progress, { secret: forged }),
      await sendEvent(job.id, progress, { timestamp: now - 301 }),
      await sendEvent(job.id, progress, { timestamp: now + 301 }),
      await apiWith({}, "POST", `/v1/training/jobs/${job.id}/events`, { rawBody: JSON.stringify(progress) }),
    ])
      expectError(res, 401, "unauthorized");
    const body = JSON.stringify(progress);
    const headers = await signWebhook("msg_tamper", body, [await callbackSecretOf(job.id)]);
    const tampered = await apiWith({}, "POST", `/v1/training/jobs/${job.id}/events`, {
      rawBody: body.replace("0.45", "0.95"),
      headers,
    });
    expectError(tampered, 401, "unauthorized");
    expect((await call("GET", `/v1/training/jobs/${job.id}`, { key })).json.metrics).toEqual([]);
    expectError(await apiWith({}, "GET", `/v1/training/jobs/${job.id}/payload`), 401, "unauthorized");
  });

  it("several secrets (rotation): a callback signed with either is accepted", async () => {
    const { key, account_id } = await newAccount("rotate");
    const { job } = await createConfigJob(key, account_id);
    const old = env.RUNNER_WEBHOOK_SECRET as string;
    const next = `whsec_${btoa("the-next-runner-secret-0123456789ab")}`;
    const body = JSON.stringify(progress);
    // A job's secret derives from each configured runner secret: either derivation verifies.
    const signedNew = await signWebhook("msg_rot_1", body, [await jobCallbackSecret(next, job.id)]);
    const both = { RUNNER_WEBHOOK_SECRET: `${old} ${next}` };
    expect(
      (
        await apiWith(both, "POST", `/v1/training/jobs/${job.id}/events`, {
          rawBody: body,
          headers: signedNew,
        })
      ).status,
    ).toBe(200);
    const signedTwice = await signWebhook("msg_rot_2", body, [
      await jobCallbackSecret(old, job.id),
      await jobCallbackSecret(next, job.id),
    ]);
    expect(
      (
        await apiWith({}, "POST", `/v1/training/jobs/${job.id}/events`, {
          rawBody: body,
          headers: signedTwice,
        })
      ).status,
    ).toBe(200);
  });

  it("invalid event → 400; unknown job → 404; callbacks unconfigured → 404", async () => {
    const { key, account_id } = await newAccount("cb-bad");
    const { job } = await createConfigJob(key, account_id);
    expectError(await sendEvent(job.id, { type: "exploded" }), 400, "invalid_request");
    expectError(
      await sendEvent(job.id, { type: "progress", step: 1, metrics: { x: "1" } }),
      400,
      "invalid_request",
    );
    expectError(await sendEvent("job_unknown", progress), 404, "not_found");
    const body = JSON.stringify(progress);
    const headers = await signWebhook("msg_x", body, [await callbackSecretOf(job.id)]);
    expectError(
      await apiWith({ RUNNER_WEBHOOK_SECRET: "" }, "POST", `/v1/training/jobs/${job.id}/events`, {
        rawBody: body,
        headers,
      }),
      404,
      "not_found",
    );
  });
});
