// The local runner (scripts/lib/local-runner.mjs) running real entrypoints, checked against Ray's behaviour.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalRunner } from "../../scripts/lib/local-runner.mjs";
import { rayAdapter } from "../../workers/dispatcher/src/runners/ray";

let runner: Awaited<ReturnType<typeof startLocalRunner>>;
const dir = mkdtempSync(path.join(tmpdir(), "local-runner-test-"));

beforeAll(async () => {
  runner = await startLocalRunner({ stopWaitSeconds: 1, startDelayMs: 300 });
});
afterAll(async () => {
  await runner?.close();
});

async function call(method: string, route: string, body?: unknown) {
  const res = await fetch(`${runner.url}${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, text, json };
}

async function until(id: string, statuses: string[], timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let job: any;
  while (Date.now() < deadline) {
    job = (await call("GET", `/api/jobs/${id}`)).json;
    if (statuses.includes(job?.status)) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} never reached ${statuses}: ${JSON.stringify(job)}`);
}

const uid = () => `t-${Math.random().toString(36).slice(2, 10)}`;

describe("local runner: Ray Jobs API with real processes", () => {
  it("exit 0 → SUCCEEDED; env_vars reach the process; logs and JobDetails as Ray's", async () => {
    const id = uid();
    const script = [
      "import json, os",
      "print('job', os.environ['USERVILLE_JOB_ID'], os.environ['GREETING'])",
      "print('unbuffered', os.environ.get('PYTHONUNBUFFERED'))",
      "print('config', json.loads(os.environ['RAY_JOB_CONFIG_JSON_ENV_VAR'])['metadata']['job_submission_id'])",
    ].join("; ");
    const submitted = await call("POST", "/api/jobs/", {
      entrypoint: `python3 -c "${script}"`,
      submission_id: id,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Ray expands ${VAR} in env_vars
      runtime_env: { env_vars: { USERVILLE_JOB_ID: "job_abc", GREETING: "hi-${HOME}" } },
      metadata: { ppp_kind: "config" },
      entrypoint_num_gpus: null,
    });
    expect(submitted).toMatchObject({ status: 200, json: { job_id: id, submission_id: id } });
    const pending = (await call("GET", `/api/jobs/${id}`)).json;
    expect(pending.status).toBe("PENDING");
    expect(pending.message).toBe(
      "Job has not started yet. It may be waiting for the runtime environment to be set up.",
    );
    const done = await until(id, ["SUCCEEDED", "FAILED"]);
    expect(done).toMatchObject({
      type: "SUBMISSION",
      submission_id: id,
      status: "SUCCEEDED",
      message: "Job finished successfully.",
      error_type: null,
      driver_exit_code: 0,
      metadata: { ppp_kind: "config" },
      runtime_env: { env_vars: { USERVILLE_JOB_ID: "job_abc" } },
    });
    expect(done.end_time).toBeGreaterThanOrEqual(done.start_time);
    const { json } = await call("GET", `/api/jobs/${id}/logs`);
    expect(json.logs).toContain(`Running entrypoint for job ${id}: python3 -c`);
    expect(json.logs).toContain(`job job_abc hi-${process.env.HOME}\nunbuffered 1\nconfig ${id}\n`);
    const list = (await call("GET", "/api/jobs/")).json;
    expect(list.map((j: any) => j.submission_id)).toContain(id);
  });

  it("exit 3 → FAILED with Ray's message and the last 10 log lines", async () => {
    const id = uid();
    await call("POST", "/api/jobs/", {
      entrypoint: "for i in $(seq 1 15); do echo line $i; done; echo oops >&2; exit 3",
      submission_id: id,
    });
    const job = await until(id, ["SUCCEEDED", "FAILED"]);
    expect(job).toMatchObject({
      status: "FAILED",
      driver_exit_code: 3,
      error_type: "JOB_ENTRYPOINT_COMMAND_ERROR",
    });
    const lines = Array.from({ length: 9 }, (_, i) => `line ${i + 7}`).join("\n");
    expect(job.message).toBe(
      `Job entrypoint command failed with exit code 3, last available logs (truncated to 20,000 chars):\n${lines}\noops`,
    );
  });

  it("stop → SIGTERM to the process group, STOPPED; a second stop answers stopped: false", async () => {
    const id = uid();
    const marker = path.join(dir, `${id}.term`);
    await call("POST", "/api/jobs/", {
      entrypoint: `trap 'echo got-term > ${marker}; exit 0' TERM; echo ready; while true; do sleep 0.05; done`,
      submission_id: id,
    });
    await until(id, ["RUNNING"]);
    while (!(await call("GET", `/api/jobs/${id}/logs`)).json.logs.includes("ready"))
      await new Promise((r) => setTimeout(r, 50));
    expect((await call("POST", `/api/jobs/${id}/stop`)).json).toEqual({ stopped: true });
    const job = await until(id, ["STOPPED", "SUCCEEDED", "FAILED"]);
    expect(job).toMatchObject({ status: "STOPPED", message: "Job was intentionally stopped." });
    expect(readFileSync(marker, "utf8")).toBe("got-term\n");
    expect((await call("POST", `/api/jobs/${id}/stop`)).json).toEqual({ stopped: false });
  });

  it("a process that ignores SIGTERM is SIGKILLed after the grace period", async () => {
    const id = uid();
    const pidFile = path.join(dir, `${id}.pid`);
    await call("POST", "/api/jobs/", {
      entrypoint: `trap '' TERM; echo $$ > ${pidFile}; while true; do sleep 0.05; done`,
      submission_id: id,
    });
    await until(id, ["RUNNING"]);
    while (!existsSync(pidFile)) await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await call("POST", `/api/jobs/${id}/stop`);
    await until(id, ["STOPPED"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it("a duplicate submission_id gets Ray's 500 wrapping the agent's ValueError; bad input a 400", async () => {
    const id = uid();
    expect((await call("POST", "/api/jobs/", { entrypoint: "true", submission_id: id })).status).toBe(200);
    const again = await call("POST", "/api/jobs/", { entrypoint: "true", submission_id: id });
    expect(again.status).toBe(500);
    expect(again.text).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(again.text).toContain("RuntimeError: Request failed with status code 400: Traceback");
    expect(again.text).toContain(
      `\nValueError: Job with submission_id ${id} already exists. Please use a different submission_id.\n.\n`,
    );
    const bad = await call("POST", "/api/jobs/", { entrypoint: 3 });
    expect(bad.status).toBe(400);
    expect(bad.text.trim().split("\n").at(-1)).toBe(
      "TypeError: entrypoint must be a string, got <class 'int'>",
    );
    const unknown = await call("POST", "/api/jobs/", { entrypoint: "true", callback_url: "x" });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("unexpected keyword argument 'callback_url'");
  });

  it("DELETE: 500 while running, {deleted: true} once terminal, then 404", async () => {
    const id = uid();
    await call("POST", "/api/jobs/", { entrypoint: "sleep 30", submission_id: id });
    await until(id, ["RUNNING"]);
    const busy = await call("DELETE", `/api/jobs/${id}`);
    expect(busy.status).toBe(500);
    expect(busy.text).toContain(
      `Attempted to delete job '${id}', but it is in a non-terminal state RUNNING.`,
    );
    await call("POST", `/api/jobs/${id}/stop`);
    await until(id, ["STOPPED"]);
    expect((await call("DELETE", `/api/jobs/${id}`)).json).toEqual({ deleted: true });
    const gone = await call("GET", `/api/jobs/${id}`);
    expect(gone).toMatchObject({ status: 404, text: `Job ${id} does not exist` });
    expect((await call("GET", "/api/version")).json).toMatchObject({ version: "5" });
  });

  it("the dispatcher's Ray adapter against it: duplicate looked up, env_vars sent, logs on failure", async () => {
    const adapter = rayAdapter(runner.url, undefined, "echo token=$USERVILLE_JOB_TOKEN; exit 7");
    const spec = {
      submissionId: `ppp-${uid()}`,
      jobId: "job_x",
      kind: "config",
      target: "gpus=0",
      callbackUrl: "http://127.0.0.1:1/events",
      payloadUrl: "http://127.0.0.1:1/payload",
      summary: { steps: 3 },
      env: {
        USERVILLE_JOB_ID: "job_x",
        USERVILLE_API_URL: "http://127.0.0.1:1",
        USERVILLE_JOB_TOKEN: "uvjt_t",
      },
    };
    expect(await adapter.submit(spec)).toEqual({ runnerJobId: spec.submissionId });
    expect(await adapter.submit(spec)).toEqual({ runnerJobId: spec.submissionId });
    const job = await until(spec.submissionId, ["FAILED", "SUCCEEDED"]);
    expect(job.metadata).toEqual({
      ppp_job_id: "job_x",
      ppp_kind: "config",
      ppp_target: "gpus=0",
      ppp_steps: "3",
    });
    expect(await adapter.status(spec.submissionId)).toMatchObject({ status: "FAILED" });
    expect(await adapter.logs(spec.submissionId)).toContain("token=uvjt_t\n");
  });

  it("the HTTP protocol runs the runner's entrypoint with the submitted env", async () => {
    const own = await startLocalRunner({ entrypoint: 'echo "ran $USERVILLE_JOB_ID"' });
    try {
      const id = uid();
      const post = await fetch(`${own.url}/jobs`, {
        method: "POST",
        body: JSON.stringify({ id, kind: "config", env: { USERVILLE_JOB_ID: "job_http" } }),
      });
      expect(post.status).toBe(201);
      let status = "";
      for (let i = 0; i < 100 && status !== "succeeded"; i++) {
        status = ((await (await fetch(`${own.url}/jobs/${id}`)).json()) as any).status;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe("succeeded");
      const logs = (await (await fetch(`${own.url}/jobs/${id}/logs`)).json()) as any;
      expect(logs.logs).toContain("ran job_http\n");
    } finally {
      await own.close();
    }
  });
});
