import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { insertTask, newAccount } from "../helpers";
import {
  apiWith,
  createConfigJob,
  cron,
  deliver,
  dispatcherEnv,
  jobRow,
  recordingQueue,
  runnerCalls,
  scriptRunner,
  sendEvent,
  setRunnerStatus,
} from "../training-helpers";

const dispatch = (jobId: string) => ({ kind: "dispatch" as const, job_id: jobId });
const poll = (jobId: string, attempt = 0) => ({ kind: "poll" as const, job_id: jobId, attempt });
const submits = async (jobId: string) => (await runnerCalls(jobId)).filter((c) => c.op === "submit");

/** Sets the Ray double's status for a job and appends to its log (GET /api/jobs/{id}/logs). */
async function failOnRunner(jobId: string, message: string, logs: string) {
  const res = await fetch(`${env.TEST_RAY_URL}/__jobs/ppp-${jobId}`, {
    method: "POST",
    body: JSON.stringify({ status: "FAILED", message, logs }),
  });
  expect(res.status).toBe(200);
}

/** A Python traceback as Ray's head relays an agent's error: a 500 whose last line is a lone ".". */
const relayed = (status: number, exception: string) =>
  [
    "Traceback (most recent call last):",
    '  File "/ray/dashboard/modules/job/job_head.py", line 412, in submit_job',
    "    resp = await job_agent_client.submit_job_internal(submit_request)",
    '  File "/ray/dashboard/modules/job/job_head.py", line 62, in _raise_error',
    '    raise RuntimeError(f"Request failed with status code {status}: {error_text}.")',
    `RuntimeError: Request failed with status code ${status}: Traceback (most recent call last):`,
    ...Array.from(
      { length: 12 },
      (_, i) => `  File "/ray/dashboard/modules/job/job_agent.py", line ${i}, in frame_${i}`,
    ),
    exception,
    ".",
    "",
  ].join("\n");

/** A job submitted to the Ray double: QUEUED, with its first poll recorded. */
async function queuedJob() {
  const { key, account_id } = await newAccount("trainer");
  const { job } = await createConfigJob(key, account_id);
  const q = recordingQueue();
  const denv = dispatcherEnv(q.queue);
  const result = await deliver(denv, [{ body: dispatch(job.id) }]);
  expect(result.explicitAcks).toHaveLength(1);
  expect((await jobRow(job.id))?.state).toBe("QUEUED");
  return { key, account_id, job, q, denv };
}

describe("dispatch: submission", () => {
  it("submits to Ray with submission_id ppp-<id>, string metadata and the first poll at 15 s", async () => {
    const { job, q } = await queuedJob();
    const row = await jobRow(job.id);
    expect(row).toMatchObject({
      state: "QUEUED",
      runner_job_id: `ppp-${job.id}`,
      attempts: 1,
      lease_owner: null,
    });
    const [submit] = await submits(job.id);
    expect(submit.body.submission_id).toBe(`ppp-${job.id}`);
    expect(submit.body.entrypoint).toBe("python -m userville.train");
    expect(Object.values(submit.body.metadata).every((v) => typeof v === "string")).toBe(true);
    // The job's context travels in runtime_env.env_vars; metadata (public on the dashboard) has no secret.
    const vars = submit.body.runtime_env.env_vars;
    expect(vars).toMatchObject({ USERVILLE_JOB_ID: job.id, USERVILLE_API_URL: "http://userville.test" });
    expect(vars.USERVILLE_JOB_TOKEN).toMatch(/^uvjt_/);
    expect(submit.body.metadata).toMatchObject({ ppp_job_id: job.id, ppp_kind: "config" });
    const shown = JSON.stringify(submit.body.metadata);
    expect(shown).not.toContain(vars.USERVILLE_JOB_TOKEN);
    expect(shown).not.toContain("whsec_");
    expect(Object.keys(submit.body.metadata).filter((k) => /url|token|secret/i.test(k))).toEqual([]);
    expect(submit.body).not.toHaveProperty("entrypoint_num_gpus");
    expect(q.forJob(job.id)).toEqual([{ body: poll(job.id, 0), delaySeconds: 15 }]);
  });

  it("the same message delivered twice (together, then again) → one runner submission", async () => {
    const { key, account_id } = await newAccount("twice");
    const { job } = await createConfigJob(key, account_id);
    const denv = dispatcherEnv(recordingQueue().queue);
    const first = await deliver(denv, [{ body: dispatch(job.id) }, { body: dispatch(job.id) }]);
    expect(first.explicitAcks).toHaveLength(2);
    expect(first.retryMessages).toEqual([]);
    const again = await deliver(denv, [{ body: dispatch(job.id), attempts: 2 }]);
    expect(again.explicitAcks).toHaveLength(1);
    expect(await submits(job.id)).toHaveLength(1);
    expect(await jobRow(job.id)).toMatchObject({ state: "QUEUED", attempts: 1 });
  });

  it("runner 500 then 200 → one job, two attempts; the retry is delayed with backoff", async () => {
    const { key, account_id } = await newAccount("flaky");
    const { job } = await createConfigJob(key, account_id);
    await scriptRunner(job.id, "submit", [{ status: 500, body: "Internal error" }]);
    const denv = dispatcherEnv(recordingQueue().queue);
    const first = await deliver(denv, [{ body: dispatch(job.id) }]);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toHaveLength(1);
    expect(first.retryMessages[0].delaySeconds).toBeGreaterThanOrEqual(3);
    expect(first.retryMessages[0].delaySeconds).toBeLessThanOrEqual(5);
    expect(await jobRow(job.id)).toMatchObject({ state: "SUBMITTING", attempts: 1, lease_until: 0 });
    expect((await jobRow(job.id))?.last_error).toContain("500");

    const second = await deliver(denv, [{ body: dispatch(job.id), attempts: 2 }]);
    expect(second.explicitAcks).toHaveLength(1);
    expect(await jobRow(job.id)).toMatchObject({ state: "QUEUED", attempts: 2, last_error: null });
    expect(await submits(job.id)).toHaveLength(2);
    const list = await apiWith({}, "GET", "/v1/training/jobs?limit=10", { key });
    expect(list.json.data).toHaveLength(1);
  });

  it("429 honours Retry-After; a network error is retried too", async () => {
    const { key, account_id } = await newAccount("busy");
    const { job } = await createConfigJob(key, account_id);
    await scriptRunner(job.id, "submit", [
      { status: 429, body: "slow down", headers: { "Retry-After": "120" } },
    ]);
    const denv = dispatcherEnv(recordingQueue().queue);
    const limited = await deliver(denv, [{ body: dispatch(job.id) }]);
    expect(limited.retryMessages[0].delaySeconds).toBeGreaterThanOrEqual(120);
    const unreachable = dispatcherEnv(recordingQueue().queue, { RAY_JOBS_URL: "http://127.0.0.1:9" });
    const down = await deliver(unreachable, [{ body: dispatch(job.id), attempts: 3 }]);
    expect(down.retryMessages).toHaveLength(1);
    expect(down.retryMessages[0].delaySeconds).toBeGreaterThanOrEqual(10);
    expect(await jobRow(job.id)).toMatchObject({ state: "SUBMITTING", attempts: 2 });
    // The client sees why the job is still SUBMITTING.
    const view = await apiWith({}, "GET", `/v1/training/jobs/${job.id}`, { key });
    expect(view.json).toMatchObject({ state: "SUBMITTING" });
    expect(view.json.error).toContain("cannot reach the runner at http://127.0.0.1:9");
  });

  it("an error keeps the traceback's last exception line, however long the body", async () => {
    const { key, account_id } = await newAccount("traceback");
    const { job } = await createConfigJob(key, account_id);
    const body = relayed(400, "TypeError: entrypoint_resources values must be numbers, got <class 'str'>");
    expect(body.length).toBeGreaterThan(1000);
    await scriptRunner(job.id, "submit", [{ status: 400, body }]);
    await deliver(dispatcherEnv(recordingQueue().queue), [{ body: dispatch(job.id) }]);
    const row = await jobRow(job.id);
    expect(row?.state).toBe("FAILED");
    expect(row?.error).toBe(
      "ray submit: runner answered 400: TypeError: entrypoint_resources values must be numbers, got <class 'str'>",
    );
  });

  it.each([400, 401, 403, 422])("%i → FAILED with the reason, acked, no retry", async (status) => {
    const { key, account_id } = await newAccount("rejected");
    const { job } = await createConfigJob(key, account_id);
    await scriptRunner(job.id, "submit", [{ status, body: `denied with ${status}` }]);
    const result = await deliver(dispatcherEnv(recordingQueue().queue), [{ body: dispatch(job.id) }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    const row = await jobRow(job.id);
    expect(row).toMatchObject({ state: "FAILED", attempts: 1 });
    expect(row?.error).toContain(`denied with ${status}`);
    expect(await submits(job.id)).toHaveLength(1);
  });

  it("a submission id Ray already has ('already exists') is looked up, not submitted again", async () => {
    const { key, account_id } = await newAccount("exists");
    const { job } = await createConfigJob(key, account_id);
    const q = recordingQueue();
    await deliver(dispatcherEnv(q.queue), [{ body: dispatch(job.id) }]);
    // Simulate a lost write: the job is back to an expired SUBMITTING lease, as after a crash mid-submit.
    await env.DB.prepare(
      "update training_jobs set state = 'SUBMITTING', rank = 1, lease_until = 1 where id = ?",
    )
      .bind(job.id)
      .run();
    const again = await deliver(dispatcherEnv(q.queue), [{ body: dispatch(job.id), attempts: 2 }]);
    expect(again.explicitAcks).toHaveLength(1);
    expect(await jobRow(job.id)).toMatchObject({
      state: "QUEUED",
      runner_job_id: `ppp-${job.id}`,
      attempts: 2,
    });
    const calls = await runnerCalls(job.id);
    expect(calls.map((c) => c.op)).toEqual(["submit", "submit", "status"]);
  });

  it("Ray's own duplicate answer (500 + traceback) and a 400 saying 'already exists' both mean: look it up", async () => {
    const { key, account_id } = await newAccount("exists-any");
    for (const status of [500, 400]) {
      const { job } = await createConfigJob(key, account_id);
      const q = recordingQueue();
      await deliver(dispatcherEnv(q.queue), [{ body: dispatch(job.id) }]);
      await env.DB.prepare(
        "update training_jobs set state = 'SUBMITTING', rank = 1, lease_until = 1, next_poll_at = null where id = ?",
      )
        .bind(job.id)
        .run();
      const text = `ValueError: Job with submission_id ppp-${job.id} already exists. Please use a different submission_id.`;
      await scriptRunner(job.id, "submit", [{ status, body: relayed(400, text) }]);
      const again = await deliver(dispatcherEnv(q.queue), [{ body: dispatch(job.id), attempts: 2 }]);
      expect(again.retryMessages, `status ${status}`).toEqual([]);
      expect(await jobRow(job.id)).toMatchObject({ state: "QUEUED", runner_job_id: `ppp-${job.id}` });
    }
  });

  it("target maps to entrypoint_num_gpus / entrypoint_resources; a bad target fails before any submit", async () => {
    const { key, account_id } = await newAccount("target");
    const cases: [string, Record<string, unknown>][] = [
      ["gpus=4", { entrypoint_num_gpus: 4 }],
      ["gpus=2, A100=1", { entrypoint_num_gpus: 2, entrypoint_resources: { A100: 1 } }],
      ["a100-pool", { entrypoint_resources: { "a100-pool": 1 } }],
      ["cpus=8,memory=17179869184", { entrypoint_num_cpus: 8, entrypoint_memory: 17179869184 }],
    ];
    for (const [target, expected] of cases) {
      const { job } = await createConfigJob(key, account_id, { target });
      await deliver(dispatcherEnv(recordingQueue().queue), [{ body: dispatch(job.id) }]);
      expect((await jobRow(job.id))?.state, target).toBe("QUEUED");
      const [submit] = await submits(job.id);
      expect(submit.body, target).toMatchObject({ ...expected, metadata: { ppp_target: target } });
    }
    const { job } = await createConfigJob(key, account_id, { target: "gpus=lots" });
    await deliver(dispatcherEnv(recordingQueue().queue), [{ body: dispatch(job.id) }]);
    const row = await jobRow(job.id);
    expect(row?.state).toBe("FAILED");
    expect(row?.error).toContain('invalid target "gpus=lots"');
    expect(await submits(job.id)).toEqual([]);
  });

  it("cancelled between two submission attempts: never submitted again; stopped if it got through", async () => {
    const { key, account_id } = await newAccount("cancel-retry");
    const denv = dispatcherEnv(recordingQueue().queue);
    const { job } = await createConfigJob(key, account_id);
    await scriptRunner(job.id, "submit", [{ status: 503 }]);
    await deliver(denv, [{ body: dispatch(job.id) }]);
    expect((await apiWith({}, "POST", `/v1/training/jobs/${job.id}/cancel`, { key })).json).toMatchObject({
      state: "SUBMITTING",
      cancel_requested: true,
    });
    await deliver(denv, [{ body: dispatch(job.id), attempts: 2 }]);
    expect(await jobRow(job.id)).toMatchObject({ state: "CANCELLED" });
    expect(await submits(job.id)).toHaveLength(1);

    // The first attempt reached the runner although the dispatcher saw an error: the job is stopped there.
    const second = await createConfigJob(key, account_id);
    const q = recordingQueue();
    const qenv = dispatcherEnv(q.queue);
    await deliver(qenv, [{ body: dispatch(second.job.id) }]);
    await env.DB.prepare(
      "update training_jobs set state = 'SUBMITTING', rank = 1, lease_until = 1, cancel_requested = 1 where id = ?",
    )
      .bind(second.job.id)
      .run();
    await env.DB.prepare("update training_jobs set next_poll_at = null where id = ?")
      .bind(second.job.id)
      .run();
    await deliver(qenv, [{ body: dispatch(second.job.id), attempts: 2 }]);
    expect((await jobRow(second.job.id))?.state).toBe("QUEUED");
    expect(q.forJob(second.job.id).at(-1)).toEqual({ body: poll(second.job.id, 0), delaySeconds: 0 });
    await deliver(qenv, [{ body: poll(second.job.id, 0) }]);
    expect(await jobRow(second.job.id)).toMatchObject({
      state: "CANCELLED",
      error: "cancelled by the client",
    });
    expect(await submits(second.job.id)).toHaveLength(1);
  });

  it("the dead-letter consumer fails the job with the last error", async () => {
    const { key, account_id } = await newAccount("dlq");
    const { job } = await createConfigJob(key, account_id);
    await scriptRunner(job.id, "submit", [{ status: 503, body: "cluster is scaling" }]);
    const denv = dispatcherEnv(recordingQueue().queue);
    await deliver(denv, [{ body: dispatch(job.id) }]);
    const dead = await deliver(denv, [{ body: dispatch(job.id), attempts: 7 }], "userville-training-dlq");
    expect(dead.explicitAcks).toHaveLength(1);
    const row = await jobRow(job.id);
    expect(row?.state).toBe("FAILED");
    expect(row?.error).toContain("503");
  });

  it("a job for an unconfigured runner fails with the reason; a malformed message is dropped", async () => {
    const { key, account_id } = await newAccount("nohttp");
    const { job } = await createConfigJob(key, account_id, { runner: "http" });
    const denv = dispatcherEnv(recordingQueue().queue);
    await deliver(denv, [{ body: dispatch(job.id) }]);
    expect(await jobRow(job.id)).toMatchObject({ state: "FAILED" });
    expect((await jobRow(job.id))?.error).toContain("not configured");
    const bad = await deliver(denv, [{ body: { kind: "explode" } as never }]);
    expect(bad.explicitAcks).toHaveLength(1);
  });
});

describe("cron: re-drives stuck jobs", () => {
  it("a lost enqueue leaves the job CREATED; the cron re-drives it after the grace period", async () => {
    const { key, account_id } = await newAccount("lost");
    const task = await insertTask(account_id, { family: "swe", prompt: "Fix it." });
    const failing = recordingQueue(true);
    const res = await apiWith({ TRAINING_QUEUE: failing.queue }, "POST", "/v1/training/jobs", {
      key,
      body: { config: { task_ids: [task], grpo: { steps: 2 } } },
    });
    expect(res.status).toBe(202);
    expect(res.json.state).toBe("CREATED");

    const q = recordingQueue();
    const denv = dispatcherEnv(q.queue);
    await cron(denv, Date.now());
    expect(q.forJob(res.json.id)).toEqual([]);
    await cron(denv, Date.now() + 31_000);
    expect(q.forJob(res.json.id)).toEqual([{ body: dispatch(res.json.id), delaySeconds: undefined }]);
    await deliver(denv, [{ body: q.forJob(res.json.id)[0].body }]);
    expect((await jobRow(res.json.id))?.state).toBe("QUEUED");
  });

  it("a broken poll chain and an expired lease are re-driven; healthy jobs are left alone", async () => {
    const { job, q, denv } = await queuedJob();
    await cron(denv, Date.now());
    expect(q.forJob(job.id)).toHaveLength(1); // only the dispatcher's own first poll
    await cron(denv, Date.now() + 15_000 + 61_000);
    expect(q.forJob(job.id).at(-1)).toEqual({ body: poll(job.id, 1), delaySeconds: undefined });
  });
});

describe("poll: following the runner", () => {
  it("PENDING → RUNNING → SUCCEEDED, with the chain's delays 30 s, 60 s", async () => {
    const { job, q, denv } = await queuedJob();
    // Each poll is delivered at once here; in production it arrives when its slot is due.
    await env.DB.prepare("update training_jobs set next_poll_at = 0 where id = ?").bind(job.id).run();
    await deliver(denv, [{ body: poll(job.id, 0) }]);
    expect((await jobRow(job.id))?.state).toBe("QUEUED");
    expect(q.forJob(job.id).at(-1)).toEqual({ body: poll(job.id, 1), delaySeconds: 30 });
    await setRunnerStatus(job.id, "RUNNING");
    await env.DB.prepare("update training_jobs set next_poll_at = 0 where id = ?").bind(job.id).run();
    await deliver(denv, [{ body: poll(job.id, 1) }]);
    expect((await jobRow(job.id))?.state).toBe("RUNNING");
    expect(q.forJob(job.id).at(-1)).toEqual({ body: poll(job.id, 2), delaySeconds: 60 });
    await setRunnerStatus(job.id, "SUCCEEDED", "Job finished successfully.");
    await deliver(denv, [{ body: poll(job.id, 2) }]);
    const row = await jobRow(job.id);
    expect(row?.state).toBe("SUCCEEDED");
    expect(JSON.parse(row?.result)).toMatchObject({ runner_message: "Job finished successfully." });
    expect(row?.finished_at).toBeGreaterThan(0);
  });

  it("a poll that finds a chain already scheduled does not start a second chain", async () => {
    const { job, q, denv } = await queuedJob();
    const before = q.forJob(job.id).length;
    await deliver(denv, [{ body: { kind: "poll", job_id: job.id } }]);
    expect(q.forJob(job.id)).toHaveLength(before);
  });

  it("the runner reports FAILED → FAILED with its message; 404 → LOST", async () => {
    const a = await queuedJob();
    await setRunnerStatus(a.job.id, "FAILED", "CUDA out of memory");
    await deliver(a.denv, [{ body: poll(a.job.id) }]);
    expect(await jobRow(a.job.id)).toMatchObject({ state: "FAILED", error: "CUDA out of memory" });

    const b = await queuedJob();
    await scriptRunner(b.job.id, "status", [{ status: 404, body: "Job does not exist" }]);
    await deliver(b.denv, [{ body: poll(b.job.id) }]);
    expect((await jobRow(b.job.id))?.state).toBe("LOST");
  });

  it("FAILED → the last log lines are read from the runner and kept in the error, once", async () => {
    const a = await queuedJob();
    const log = Array.from({ length: 30 }, (_, i) => `step ${i}`).join("\n");
    await failOnRunner(
      a.job.id,
      "Job supervisor actor died: node lost",
      `${log}\nRuntimeError: CUDA out of memory\n`,
    );
    await deliver(a.denv, [{ body: poll(a.job.id) }]);
    const row = await jobRow(a.job.id);
    expect(row?.state).toBe("FAILED");
    expect(row?.error).toMatch(/^Job supervisor actor died: node lost\nlast log lines:\n/);
    expect(row?.error).toContain("step 29\nRuntimeError: CUDA out of memory");
    expect(row?.error).not.toContain("step 10\n");
    expect((await runnerCalls(a.job.id)).map((c) => c.op)).toContain("logs");

    // Ray's message already ends with the log tail (exit code != 0): it is not repeated.
    const b = await queuedJob();
    const message =
      "Job entrypoint command failed with exit code 3, last available logs (truncated to 20,000 chars):\nboom";
    await failOnRunner(b.job.id, message, "Running entrypoint for job x: sh\nboom\n");
    await deliver(b.denv, [{ body: poll(b.job.id) }]);
    expect(await jobRow(b.job.id)).toMatchObject({ state: "FAILED", error: message });

    // Logs that cannot be read do not hold up the end.
    const c = await queuedJob();
    await scriptRunner(c.job.id, "logs", [{ status: 500, body: "no agent" }]);
    await failOnRunner(c.job.id, "Job failed.", "");
    await deliver(c.denv, [{ body: poll(c.job.id) }]);
    expect(await jobRow(c.job.id)).toMatchObject({ state: "FAILED", error: "Job failed." });
  });

  it("past max_runtime the job is stopped and ends TIMED_OUT", async () => {
    const { job, denv } = await queuedJob();
    await setRunnerStatus(job.id, "RUNNING");
    await env.DB.prepare("update training_jobs set deadline_at = 1 where id = ?").bind(job.id).run();
    await deliver(denv, [{ body: poll(job.id) }]);
    expect((await jobRow(job.id))?.state).toBe("TIMED_OUT");
    expect((await runnerCalls(job.id)).map((c) => c.op)).toContain("stop");
  });

  it("cancel during a run → stop is called and the job ends CANCELLED", async () => {
    const { key, job, denv } = await queuedJob();
    await setRunnerStatus(job.id, "RUNNING");
    await env.DB.prepare("update training_jobs set next_poll_at = 0 where id = ?").bind(job.id).run();
    await deliver(denv, [{ body: poll(job.id, 0) }]);
    expect((await jobRow(job.id))?.state).toBe("RUNNING");

    const q = recordingQueue();
    const cancelled = await apiWith(
      { TRAINING_QUEUE: q.queue },
      "POST",
      `/v1/training/jobs/${job.id}/cancel`,
      { key },
    );
    expect(cancelled.status).toBe(202);
    expect(cancelled.json).toMatchObject({ state: "RUNNING", cancel_requested: true });
    expect(q.forJob(job.id)).toEqual([{ body: { kind: "poll", job_id: job.id }, delaySeconds: undefined }]);

    await deliver(denv, [{ body: q.forJob(job.id)[0].body }]);
    expect((await runnerCalls(job.id)).filter((c) => c.op === "stop")).toHaveLength(1);
    expect(await jobRow(job.id)).toMatchObject({ state: "CANCELLED", error: "cancelled by the client" });
    const again = await apiWith({}, "POST", `/v1/training/jobs/${job.id}/cancel`, { key });
    expect(again.status).toBe(409);
  });

  it("a poll retries a 5xx status read, then fails on a 401", async () => {
    const { job, denv } = await queuedJob();
    await scriptRunner(job.id, "status", [{ status: 502 }, { status: 401, body: "bad token" }]);
    const first = await deliver(denv, [{ body: poll(job.id) }]);
    expect(first.retryMessages).toHaveLength(1);
    expect((await jobRow(job.id))?.state).toBe("QUEUED");
    const second = await deliver(denv, [{ body: poll(job.id), attempts: 2 }]);
    expect(second.explicitAcks).toHaveLength(1);
    expect(await jobRow(job.id)).toMatchObject({ state: "FAILED" });
  });
});

describe("callbacks and polls together", () => {
  it("callbacks out of order never move the state back; a terminal callback only triggers a poll", async () => {
    const { job, denv } = await queuedJob();
    const q = recordingQueue();
    const metrics = (x: number) => ({
      "reward/productivity": x,
      "reward/proactivity": -0.1,
      "reward/personalization": 0.05,
      "reward/total": x - 0.05,
    });
    expect(
      (await sendEvent(job.id, { type: "progress", step: 2, metrics: metrics(0.6) }, { queue: q.queue }))
        .status,
    ).toBe(200);
    expect((await jobRow(job.id))?.state).toBe("RUNNING");

    const done = await sendEvent(
      job.id,
      { type: "succeeded", step: 3, result: { checkpoint: "s3://ckpt" } },
      { queue: q.queue },
    );
    expect(done.status).toBe(200);
    expect((await jobRow(job.id))?.state).toBe("RUNNING"); // never a blind write
    expect(q.forJob(job.id)).toEqual([{ body: { kind: "poll", job_id: job.id }, delaySeconds: undefined }]);

    await setRunnerStatus(job.id, "SUCCEEDED", "Job finished successfully.");
    await deliver(denv, [{ body: q.forJob(job.id)[0].body }]);
    expect((await jobRow(job.id))?.state).toBe("SUCCEEDED");

    // Late and stale: a step-1 progress and a "started" after the end.
    expect((await sendEvent(job.id, { type: "progress", step: 1, metrics: metrics(0.4) })).status).toBe(200);
    expect((await sendEvent(job.id, { type: "started", step: 0 })).status).toBe(200);
    const row = await jobRow(job.id);
    expect(row?.state).toBe("SUCCEEDED");
    expect(JSON.parse(row?.result)).toMatchObject({ checkpoint: "s3://ckpt", runner_status: "SUCCEEDED" });
  });

  it("the http runner protocol: submit, follow, succeed", async () => {
    const { key, account_id } = await newAccount("http-runner");
    const { job } = await createConfigJob(key, account_id, { runner: "http", target: "a100-pool" });
    const q = recordingQueue();
    const denv = dispatcherEnv(q.queue, { RUNNER_HTTP_URL: env.TEST_RAY_URL });
    await deliver(denv, [{ body: dispatch(job.id) }, { body: dispatch(job.id) }]);
    expect(await jobRow(job.id)).toMatchObject({ state: "QUEUED", runner_job_id: `ppp-${job.id}` });
    const [submit] = await submits(job.id);
    expect(submit.body).toMatchObject({ id: `ppp-${job.id}`, target: "a100-pool" });
    expect(submit.body.env).toMatchObject({
      USERVILLE_JOB_ID: job.id,
      USERVILLE_API_URL: "http://userville.test",
    });
    expect(submit.body.env.USERVILLE_JOB_TOKEN).toMatch(/^uvjt_/);
    await setRunnerStatus(job.id, "SUCCEEDED");
    await deliver(denv, [{ body: poll(job.id) }]);
    expect((await jobRow(job.id))?.state).toBe("SUCCEEDED");
  });
});
