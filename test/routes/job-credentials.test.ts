import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signWebhook } from "../../src/lib/standard-webhooks";
import { jobToken } from "../../src/training/credentials";
import { scoreBody, sweTask } from "../fixtures";
import { call, expectError, insertTask, newAccount } from "../helpers";
import { apiWith, callbackSecretOf, createConfigJob, recordingQueue, sendEvent } from "../training-helpers";

const balance = async (accountId: string) =>
  (
    await env.DB.prepare("select credits from accounts where id = ?")
      .bind(accountId)
      .first<{ credits: number }>()
  )?.credits as number;

const tokenOf = (jobId: string) => jobToken(env.RUNNER_WEBHOOK_SECRET as string, jobId);

const exchange = async (jobId: string, token?: string) =>
  apiWith({}, "POST", `/v1/training/jobs/${jobId}/credentials`, {
    body: { token: token ?? (await tokenOf(jobId)) },
  });

/** A config job small enough to exhaust: 1 row per step (batch_size 1) × group 2 × 1 step = 2 rollouts. */
async function smallJob(key: string, accountId: string) {
  const task = await insertTask(accountId, sweTask);
  const { job } = await createConfigJob(key, accountId, {
    config: { task_ids: [task], grpo: { steps: 1, batch_size: 1, group_size: 2 } },
  });
  return { job, task };
}

const progress = { type: "progress", step: 1, metrics: { "reward/total": 0.5 } };

describe("the job token exchange", () => {
  it("issues a job key and the job's callback secret once; again → 409; a wrong or another job's token → 401", async () => {
    const { key, account_id } = await newAccount("exchanger");
    const { job, task } = await createConfigJob(key, account_id);
    const other = await createConfigJob(key, account_id);

    expectError(await exchange(job.id, "uvjt_not-the-token"), 401, "unauthorized");
    expectError(await exchange(job.id, await tokenOf(other.job.id)), 401, "unauthorized");
    expectError(await exchange("job_missing", await tokenOf("job_missing")), 401, "unauthorized");

    const first = await exchange(job.id);
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({
      job_id: job.id,
      account_id,
      callback_secret: await callbackSecretOf(job.id),
      payload_url: `http://userville.test/v1/training/jobs/${job.id}/payload`,
      events_url: `http://userville.test/v1/training/jobs/${job.id}/events`,
      task_ids: [task],
    });
    expect(first.json.api_key).toMatch(/^uv_live_/);
    expectError(await exchange(job.id), 409, "conflict");

    // Racing exchanges of a fresh job: exactly one wins, and exactly one key row exists for it.
    const racers = await Promise.all(Array.from({ length: 5 }, () => exchange(other.job.id)));
    expect(racers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const keys = await env.DB.prepare("select count(*) as n from api_keys where job_id = ?")
      .bind(other.job.id)
      .first<{ n: number }>();
    expect(keys?.n).toBe(1);
    // Nothing secret is stored in clear: the key row holds a hash.
    const stored = await env.DB.prepare("select * from api_keys where job_id = ?").bind(job.id).first();
    expect(JSON.stringify(stored)).not.toContain(first.json.api_key);
  });
});

describe("per-job callback secrets", () => {
  it("job A's secret cannot sign job B's events or payload read (401); its own can", async () => {
    const { key, account_id } = await newAccount("signer");
    const a = (await createConfigJob(key, account_id)).job;
    const b = (await createConfigJob(key, account_id)).job;
    const secretA = await callbackSecretOf(a.id);
    expectError(await sendEvent(b.id, progress, { secret: secretA }), 401, "unauthorized");
    // The deployment's own secret is not a job secret either.
    expectError(
      await sendEvent(b.id, progress, { secret: env.RUNNER_WEBHOOK_SECRET as string }),
      401,
      "unauthorized",
    );
    const payloadSignedByA = await signWebhook(`get_${crypto.randomUUID()}`, "", [secretA]);
    expectError(
      await apiWith({}, "GET", `/v1/training/jobs/${b.id}/payload`, { headers: payloadSignedByA }),
      401,
      "unauthorized",
    );
    expect((await sendEvent(a.id, progress, { secret: secretA })).status).toBe(200);
    expect((await call("GET", `/v1/training/jobs/${b.id}`, { key })).json.metrics).toEqual([]);
  });

  it("a signed payload read works once per webhook-id: a captured GET cannot be replayed", async () => {
    const { key, account_id } = await newAccount("reader");
    const { job } = await createConfigJob(key, account_id);
    const headers = await signWebhook("get_once", "", [await callbackSecretOf(job.id)]);
    const first = await apiWith({}, "GET", `/v1/training/jobs/${job.id}/payload`, { headers });
    expect(first.status, first.text).toBe(200);
    expect(first.json.kind).toBe("config");
    expectError(
      await apiWith({}, "GET", `/v1/training/jobs/${job.id}/payload`, { headers }),
      401,
      "unauthorized",
    );
  });
});

describe("job keys", () => {
  it("play and score the job's own tasks only, at no further charge; everything else → 403", async () => {
    const { key, account_id } = await newAccount("scoped");
    const { job, task } = await createConfigJob(key, account_id);
    const outside = await insertTask(account_id, sweTask);
    const jobKey = (await exchange(job.id)).json.api_key as string;
    const before = await balance(account_id);

    const session = await call("POST", "/v1/sessions", {
      key: jobKey,
      body: { task_id: task, preference: "concise_question" },
    });
    expect(session.status, session.text).toBe(201);
    const asked = await call("POST", `/v1/sessions/${session.json.id}/questions`, {
      key: jobKey,
      body: { question: "Which function fails?" },
    });
    expect(asked.status).toBe(200);
    const finished = await call("POST", `/v1/sessions/${session.json.id}/finish`, {
      key: jobKey,
      body: { prediction: ["a.py::f"] },
    });
    expect(finished.status).toBe(200);
    expect(typeof finished.json.reward).toBe("number");
    expect((await call("GET", `/v1/sessions/${session.json.id}`, { key: jobKey })).status).toBe(200);
    expect((await call("GET", `/v1/training/jobs/${job.id}`, { key: jobKey })).status).toBe(200);
    expect(await balance(account_id)).toBe(before);
    // Scoring is not a rollout: a job key's /v1/score is charged at its price (1 credit).
    const scored = await call("POST", "/v1/score", {
      key: jobKey,
      body: { ...scoreBody, task_id: task, task: undefined },
    });
    expect(scored.status, scored.text).toBe(200);
    expect(await balance(account_id)).toBe(before - 1);
    const used = await env.DB.prepare("select rollouts_used from training_jobs where id = ?")
      .bind(job.id)
      .first<{ rollouts_used: number }>();
    expect(used?.rollouts_used).toBe(1);

    expectError(
      await call("POST", "/v1/sessions", {
        key: jobKey,
        body: { task_id: outside, preference: "concise_question" },
      }),
      403,
      "forbidden",
    );
    const other = await createConfigJob(key, account_id);
    for (const [method, path, body] of [
      ["GET", "/v1/tasks", undefined],
      ["GET", `/v1/tasks/${task}`, undefined],
      ["POST", "/v1/keys", { name: "escalate" }],
      ["GET", "/v1/sessions", undefined],
      ["GET", "/v1/training/jobs", undefined],
      ["GET", `/v1/training/jobs/${other.job.id}`, undefined],
      ["POST", "/v1/training/jobs", { config: { task_ids: [task] } }],
      ["POST", `/v1/training/jobs/${job.id}/cancel`, undefined],
      ["POST", "/v1/vaguenize", { prompt: "Fix the bug in a.py" }],
    ] as const)
      expectError(await call(method, path, { key: jobKey, body }), 403, "forbidden");
    // The account's own sessions are not the job's to read.
    const mine = await call("POST", "/v1/sessions", {
      key,
      body: { task_id: task, preference: "concise_question" },
    });
    expectError(await call("GET", `/v1/sessions/${mine.json.id}`, { key: jobKey }), 404, "not_found");
  });

  it("a job's key creates as many sessions as it reserved rollouts, then 402; racing creates never overdraw", async () => {
    const { key, account_id } = await newAccount("reserver");
    const { job, task } = await smallJob(key, account_id);
    expect(job.summary.estimate).toMatchObject({ rollouts: 2, credits: 20 });
    const jobKey = (await exchange(job.id)).json.api_key as string;
    const body = { task_id: task, preference: "concise_question" };
    const racing = await Promise.all(
      Array.from({ length: 4 }, () => call("POST", "/v1/sessions", { key: jobKey, body })),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 201, 402, 402]);
    expectError(racing.find((r) => r.status === 402) as never, 402, "insufficient_credits");
    const count = await env.DB.prepare("select count(*) as n from sessions where job_id = ?")
      .bind(job.id)
      .first<{ n: number }>();
    expect(count?.n).toBe(2);
  });

  it("cancelling refunds the unused rollouts once, and the job's key stops working (401)", async () => {
    const { key, account_id } = await newAccount("refunded", 1_000);
    const { job, task } = await smallJob(key, account_id);
    expect(await balance(account_id)).toBe(980);
    const jobKey = (await exchange(job.id)).json.api_key as string;
    const body = { task_id: task, preference: "concise_question" };
    expect((await call("POST", "/v1/sessions", { key: jobKey, body })).status).toBe(201);

    const cancelled = await apiWith(
      { TRAINING_QUEUE: recordingQueue().queue },
      "POST",
      `/v1/training/jobs/${job.id}/cancel`,
      { key },
    );
    expect(cancelled.json.state).toBe("CANCELLED");
    // One rollout used (10 credits), one refunded.
    expect(await balance(account_id)).toBe(990);
    const ledger = await env.DB.prepare(
      "select kind, units, cost from ledger where account_id = ? and route = 'training_rollout' order by created_at",
    )
      .bind(account_id)
      .all();
    expect(ledger.results).toEqual([
      { kind: "charge", units: 2, cost: 20 },
      { kind: "refund", units: 1, cost: -10 },
    ]);
    expectError(await call("POST", "/v1/sessions", { key: jobKey, body }), 401, "unauthorized");
    expectError(await exchange(job.id), 409, "conflict");
    // A second cancel changes nothing.
    expectError(await call("POST", `/v1/training/jobs/${job.id}/cancel`, { key }), 409, "conflict");
    expect(await balance(account_id)).toBe(990);
  });
});

describe("training reservations", () => {
  it("a balance under the job's reservation → 402 with the estimate; nothing stored", async () => {
    const { key, account_id } = await newAccount("poor", 19);
    const task = await insertTask(account_id, sweTask);
    const body = { config: { task_ids: [task], grpo: { steps: 1, batch_size: 1, group_size: 2 } } };
    const res = await call("POST", "/v1/training/jobs", { key, body });
    expectError(res, 402, "insufficient_credits");
    expect(res.json.error.details.estimate).toMatchObject({ rollouts: 2, credits: 20 });
    const jobs = await env.DB.prepare("select count(*) as n from training_jobs where account_id = ?")
      .bind(account_id)
      .first<{ n: number }>();
    expect(jobs?.n).toBe(0);
    expect(await balance(account_id)).toBe(19);
  });

  it("dry_run answers the estimate and stores and charges nothing", async () => {
    const { key, account_id } = await newAccount("dry", 5);
    const task = await insertTask(account_id, sweTask);
    const res = await call("POST", "/v1/training/jobs", {
      key,
      body: { dry_run: true, config: { task_ids: [task], grpo: { steps: 2 } } },
    });
    expect(res.status, res.text).toBe(200);
    // 13 rows (under the batch of 64) × group 8 × 2 steps.
    expect(res.json).toMatchObject({
      dry_run: true,
      estimate: { rollouts: 208, price_per_rollout: 10, credits: 2080 },
    });
    const jobs = await env.DB.prepare("select count(*) as n from training_jobs where account_id = ?")
      .bind(account_id)
      .first<{ n: number }>();
    expect(jobs?.n).toBe(0);
    expect(await balance(account_id)).toBe(5);
  });
});

describe("items payloads", () => {
  it("carry no inline task's hidden side: the runner gets the family and the vague prompt only", async () => {
    const { key } = await newAccount("items-hidden");
    const task = {
      ...sweTask,
      prompt: `${sweTask.prompt} SENTINEL_PROMPT_7f3`,
      hint: "SENTINEL_HINT_7f3",
      files: ["sentinel_dir_7f3/core.py"],
      functions: ["sentinel_dir_7f3/core.py::SENTINEL_FN_7f3"],
    };
    const items = [0, 1].map((i) => ({ ...scoreBody, task, group: "g", task_score: i }));
    const res = await apiWith({ TRAINING_QUEUE: recordingQueue().queue }, "POST", "/v1/training/jobs", {
      key,
      body: { items },
    });
    expect(res.status, res.text).toBe(202);
    const headers = await signWebhook(`get_${crypto.randomUUID()}`, "", [
      await callbackSecretOf(res.json.id),
    ]);
    const payload = await apiWith({}, "GET", `/v1/training/jobs/${res.json.id}/payload`, { headers });
    expect(payload.status).toBe(200);
    expect(payload.json.items[0].task).toEqual({ family: "swe", vague_prompt: sweTask.vague_prompt });
    expect(payload.text).not.toMatch(/SENTINEL|sentinel/);
  });
});
