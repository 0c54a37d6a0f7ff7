/**
 * Issue #14 item 6: `npm start` never prints a secret (wrangler dev's bindings table shows [vars] and --var
 * values, but values from .dev.vars / --env-file files as "(hidden)"), and the secrets still reach both workers
 * exactly: the API (admin key, Stripe secret) and the dispatcher (runner secret, Ray token).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalRunner } from "../../scripts/lib/local-runner.mjs";
// @ts-expect-error plain ESM helper shared with the benchmark
import { startService } from "../../scripts/lib/local-service.mjs";
import { signStripePayload } from "../../src/lib/stripe-signature";
import { PUBLISHED_SECRETS } from "../../src/published-secrets";
import { jobToken } from "../../src/training/credentials";

const root = path.resolve(import.meta.dirname, "../..");
const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
/** Fresh values, each with a marker of its own; `$` and `#` must survive the env file's quoting. */
const SECRETS = {
  BOOTSTRAP_ADMIN_KEY: `uv_e2e_admin_${tag}_$HOME#not-a-comment`,
  LLM_API_KEY: `sk-e2e-llm-${tag}`,
  LEADERBOARD_SIGNING_KEY: `e2e-leaderboard-${tag}`,
  STRIPE_WEBHOOK_SECRET: `whsec_e2e_stripe_${tag}`,
  RUNNER_WEBHOOK_SECRET: `whsec_${btoa(`e2e-runner-secret-${tag}-0123456789`)}`,
  RAY_JOBS_TOKEN: `e2e-ray-token-${tag}`,
  RUNNER_HTTP_TOKEN: `e2e-runner-http-${tag}`,
};

let runner: Awaited<ReturnType<typeof startLocalRunner>>;
let service: { baseUrl: string; adminKey: string; stop: () => Promise<void>; log: () => string };

async function api(method: string, url: string, opts: { key?: string; body?: unknown } = {}) {
  const res = await fetch(`${service.baseUrl}${url}`, {
    method,
    headers: {
      ...(opts.key ? { Authorization: `Bearer ${opts.key}` } : {}),
      "Content-Type": "application/json",
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

beforeAll(async () => {
  // A Ray double that runs nothing and accepts only the Ray token set above.
  runner = await startLocalRunner({ port: 0, autoRun: false, token: SECRETS.RAY_JOBS_TOKEN });
  service = await startService({ env: { ...SECRETS, RAY_JOBS_URL: runner.url }, quiet: true });
}, 180_000);

afterAll(async () => {
  await service?.stop();
  await runner?.close();
});

describe("npm start with secrets in its environment", () => {
  it("prints the bindings tables of both workers with every secret hidden", () => {
    const log = service.log();
    // The tables are there (so the check below is not vacuous), with the secrets hidden in both workers.
    expect(log).toContain("userville-api has access to the following bindings:");
    expect(log).toContain("userville-dispatcher has access to the following bindings:");
    for (const name of Object.keys(SECRETS)) expect(log).toContain(`env.${name} ("(hidden)")`);
    expect(log.split('env.RUNNER_WEBHOOK_SECRET ("(hidden)")').length - 1).toBe(2);
    expect(log.split('env.RAY_JOBS_TOKEN ("(hidden)")').length - 1).toBe(2);
    // The dispatcher's plain settings are still shown: only secrets are hidden.
    expect(log).toContain(`env.RAY_JOBS_URL ("${runner.url}")`);
    expect(log).toContain('env.ENVIRONMENT ("development")');
  });

  it("the API gets its secrets exactly: the admin key authenticates, the Stripe secret verifies", async () => {
    expect((await api("GET", "/v1/usage", { key: SECRETS.BOOTSTRAP_ADMIN_KEY })).status).toBe(200);
    // The environment wins over .dev.vars: the published admin key is not accepted.
    expect((await api("GET", "/v1/usage", { key: PUBLISHED_SECRETS.BOOTSTRAP_ADMIN_KEY })).status).toBe(401);

    const body = JSON.stringify({ id: `evt_${tag}`, type: "customer.created", data: { object: {} } });
    const webhook = async (secret: string) =>
      fetch(`${service.baseUrl}/v1/billing/webhook`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Stripe-Signature": await signStripePayload(body, secret),
        },
        body,
      });
    const signed = await webhook(SECRETS.STRIPE_WEBHOOK_SECRET);
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({ received: true, applied: false });
    expect((await webhook(PUBLISHED_SECRETS.STRIPE_WEBHOOK_SECRET)).status).toBe(400);
  });

  it("the dispatcher gets its secrets exactly: Ray sees the token, the job token derives from the runner secret", async () => {
    const created = await api("POST", "/v1/keys", {
      key: SECRETS.BOOTSTRAP_ADMIN_KEY,
      body: { name: "trainer", credits: 10_000 },
    });
    expect(created.status).toBe(201);
    const key = created.json.key as string;
    const seed = JSON.parse(readFileSync(path.join(root, "seed/demo-tasks.jsonl"), "utf8").split("\n")[0]);
    const { id: _id, ...task } = seed;
    const taskRes = await api("POST", "/v1/tasks", { key, body: task });
    expect(taskRes.status, JSON.stringify(taskRes.json)).toBe(201);
    const job = await api("POST", "/v1/training/jobs", {
      key,
      body: { runner: "ray", config: { task_ids: [taskRes.json.id], grpo: { steps: 1 } } },
    });
    expect(job.status, JSON.stringify(job.json)).toBe(202);
    const id = job.json.id as string;

    let submit: { authorization: string | null; body: any } | undefined;
    const deadline = Date.now() + 60_000;
    while (!submit && Date.now() < deadline) {
      const res = await fetch(`${runner.url}/__calls?id=ppp-${id}`);
      const { calls } = (await res.json()) as {
        calls: { op: string; authorization: string | null; body: any }[];
      };
      submit = calls.find((c) => c.op === "submit");
      if (!submit) await new Promise((r) => setTimeout(r, 250));
    }
    expect(submit, "the dispatcher never submitted the job").toBeDefined();
    expect(submit?.authorization).toBe(`Bearer ${SECRETS.RAY_JOBS_TOKEN}`);
    expect(submit?.body.runtime_env.env_vars.USERVILLE_JOB_TOKEN).toBe(
      await jobToken(SECRETS.RUNNER_WEBHOOK_SECRET, id),
    );
    // Accepted by Ray (the token matched): the job is QUEUED.
    const deadlineQueued = Date.now() + 30_000;
    let state = "";
    while (Date.now() < deadlineQueued) {
      state = (await api("GET", `/v1/training/jobs/${id}`, { key })).json.state;
      if (state === "QUEUED") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(state).toBe("QUEUED");
  });

  it("never printed a secret value, after start-up and the requests above", () => {
    const log = service.log();
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(log, name).not.toContain(value);
      // Nor its start (wrangler shortens long values in the table).
      expect(log, name).not.toContain(value.slice(0, 20));
    }
  });
});
