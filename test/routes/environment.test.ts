/// <reference types="vite/client" />
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import devVarsExample from "../../.dev.vars.example?raw";
import { PUBLISHED_SECRETS, type PublishedSecretName } from "../../src/published-secrets";
import dispatcherToml from "../../workers/dispatcher/wrangler.toml?raw";
import apiToml from "../../wrangler.toml?raw";
import { newAccount } from "../helpers";
import {
  apiWith,
  createConfigJob,
  cron,
  deliver,
  dispatcherEnv,
  jobRow,
  recordingQueue,
  runnerCalls,
} from "../training-helpers";

/** Every published secret at once, as a deploy that copied .dev.vars.example would have them. */
const allPublished = { ...PUBLISHED_SECRETS };
const names = Object.keys(PUBLISHED_SECRETS) as PublishedSecretName[];

/** Routes of every kind: health, docs, a page, keyed, admin, signed callers, and no route at all. */
const ROUTES: [string, string][] = [
  ["GET", "/healthz"],
  ["GET", "/openapi.json"],
  ["GET", "/leaderboard/bench_demo"],
  ["GET", "/v1/usage"],
  ["POST", "/v1/keys"],
  ["POST", "/v1/billing/webhook"],
  ["POST", "/v1/training/jobs/trj_x/events"],
  ["GET", "/no/such/route"],
];

const MESSAGE =
  "The service is misconfigured: it runs with published development secrets, so it refuses every request until its operator replaces them.";

afterEach(() => {
  vi.restoreAllMocks();
});

/** The `KEY=value` lines of a dotenv file. */
const dotenv = (text: string) =>
  Object.fromEntries([...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2]]));

describe("published development secrets", () => {
  it("are exactly the secrets .dev.vars.example gives a value", () => {
    const example = dotenv(devVarsExample);
    const secrets = [
      "BOOTSTRAP_ADMIN_KEY",
      "LLM_API_KEY",
      "LEADERBOARD_SIGNING_KEY",
      "STRIPE_WEBHOOK_SECRET",
      "RUNNER_WEBHOOK_SECRET",
      "RAY_JOBS_TOKEN",
      "RUNNER_HTTP_TOKEN",
    ];
    const published = Object.fromEntries(secrets.filter((n) => example[n]).map((n) => [n, example[n]]));
    expect(published).toEqual(PUBLISHED_SECRETS);
    expect(example.ENVIRONMENT).toBe("development");
  });

  it("deploys as production: both wrangler.toml files set ENVIRONMENT in [vars]", () => {
    for (const toml of [apiToml, dispatcherToml]) {
      const vars = toml.split(/^\[vars\]\s*$/m)[1].split(/^\[/m)[0];
      expect(vars).toMatch(/^ENVIRONMENT = "production"$/m);
    }
  });
});

describe("API outside development with a published secret", () => {
  it.each(ROUTES)("%s %s answers 503 service_unavailable in the error envelope", async (method, path) => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await apiWith({ ENVIRONMENT: "production", ...allPublished }, method, path, {
      key: PUBLISHED_SECRETS.BOOTSTRAP_ADMIN_KEY,
      body: method === "POST" ? { name: "x" } : undefined,
      headers: { "X-Request-Id": "req-env-guard" },
    });
    expect(res.status).toBe(503);
    expect(res.json).toEqual({
      error: { code: "service_unavailable", message: MESSAGE, request_id: "req-env-guard" },
    });
    // One line for the operator, naming the secrets but never their values; nothing for the client.
    expect(log).toHaveBeenCalledTimes(1);
    const [line] = log.mock.calls[0] as [string];
    expect(line).toBe(
      '[api] refusing to run: ENVIRONMENT is "production" but BOOTSTRAP_ADMIN_KEY, LEADERBOARD_SIGNING_KEY, ' +
        "STRIPE_WEBHOOK_SECRET, RUNNER_WEBHOOK_SECRET still have their published development value " +
        "(.dev.vars.example); set fresh secrets with `wrangler secret put <NAME>`, or " +
        'ENVIRONMENT = "development" for local use',
    );
    for (const value of Object.values(PUBLISHED_SECRETS)) expect(line).not.toContain(value);
    expect(res.text).not.toContain("BOOTSTRAP_ADMIN_KEY");
  });

  it.each(names)("refuses when only %s is published (the others fresh)", async (name) => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await apiWith(
      { ENVIRONMENT: "production", [name]: PUBLISHED_SECRETS[name] },
      "GET",
      "/healthz",
    );
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe("service_unavailable");
    expect(log.mock.calls[0][0]).toContain(`but ${name} still has its published development value`);
  });

  it("refuses a published runner secret kept beside a fresh one for rotation", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const rotation = `${env.RUNNER_WEBHOOK_SECRET} ${PUBLISHED_SECRETS.RUNNER_WEBHOOK_SECRET}`;
    const res = await apiWith(
      { ENVIRONMENT: "production", RUNNER_WEBHOOK_SECRET: rotation },
      "GET",
      "/healthz",
    );
    expect(res.status).toBe(503);
  });

  it("refuses in any environment other than development, e.g. staging", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await apiWith({ ENVIRONMENT: "staging", ...allPublished }, "GET", "/healthz");
    expect(res.status).toBe(503);
  });
});

describe("API that serves", () => {
  it("production with fresh secrets: health and the admin key work", async () => {
    const log = vi.spyOn(console, "error");
    const health = await apiWith({ ENVIRONMENT: "production" }, "GET", "/healthz");
    expect(health.status).toBe(200);
    const usage = await apiWith({ ENVIRONMENT: "production" }, "GET", "/v1/usage", {
      key: env.BOOTSTRAP_ADMIN_KEY,
    });
    expect(usage.status, usage.text).toBe(200);
    expect(log).not.toHaveBeenCalled();
  });

  it.each([
    ["development", "development"],
    ["unset", undefined],
    ["empty", ""],
  ])("ENVIRONMENT %s with the published secrets: serves, and the published admin key is the operator's", async (_, environment) => {
    const overrides = { ENVIRONMENT: environment, ...allPublished };
    expect((await apiWith(overrides, "GET", "/healthz")).status).toBe(200);
    const created = await apiWith(overrides, "POST", "/v1/keys", {
      key: PUBLISHED_SECRETS.BOOTSTRAP_ADMIN_KEY,
      body: { name: "dev" },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json.key).toMatch(/^uv_live_/);
  });
});

describe("dispatcher outside development with the published runner secret", () => {
  it("submits nothing: the batch is retried in 5 minutes and the job stays CREATED", async () => {
    const { key, account_id } = await newAccount("env-guard");
    const { job } = await createConfigJob(key, account_id);
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const refused = dispatcherEnv(recordingQueue().queue, {
      ENVIRONMENT: "production",
      RUNNER_WEBHOOK_SECRET: PUBLISHED_SECRETS.RUNNER_WEBHOOK_SECRET,
    });
    const result = await deliver(refused, [{ body: { kind: "dispatch", job_id: job.id } }]);
    expect(result.retryMessages.map((m: { delaySeconds?: number }) => m.delaySeconds)).toEqual([300]);
    expect(result.explicitAcks).toEqual([]);
    expect(await runnerCalls(job.id)).toEqual([]);
    expect((await jobRow(job.id))?.state).toBe("CREATED");
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toMatch(
      /^\[dispatcher\] refusing to run: ENVIRONMENT is "production" but RUNNER_WEBHOOK_SECRET still has/,
    );

    // The cron re-drives nothing either; the same job in development is re-driven and then submitted.
    const idle = recordingQueue();
    await cron(
      dispatcherEnv(idle.queue, { ENVIRONMENT: "production", ...allPublished }),
      Date.now() + 60_000,
    );
    expect(idle.forJob(job.id)).toEqual([]);
    expect(log).toHaveBeenCalledTimes(2);

    const working = recordingQueue();
    const devEnv = dispatcherEnv(working.queue, {
      ENVIRONMENT: "development",
      RUNNER_WEBHOOK_SECRET: PUBLISHED_SECRETS.RUNNER_WEBHOOK_SECRET,
    });
    await cron(devEnv, Date.now() + 60_000);
    expect(working.forJob(job.id).map((s) => s.body)).toEqual([{ kind: "dispatch", job_id: job.id }]);
    const submitted = await deliver(devEnv, [{ body: { kind: "dispatch", job_id: job.id } }]);
    expect(submitted.explicitAcks).toHaveLength(1);
    expect((await jobRow(job.id))?.state).toBe("QUEUED");
    expect((await runnerCalls(job.id)).filter((c) => c.op === "submit")).toHaveLength(1);
  });

  it("production with a fresh runner secret submits", async () => {
    const { key, account_id } = await newAccount("env-fresh");
    const { job } = await createConfigJob(key, account_id);
    const denv = dispatcherEnv(recordingQueue().queue, { ENVIRONMENT: "production" });
    const result = await deliver(denv, [{ body: { kind: "dispatch", job_id: job.id } }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await jobRow(job.id))?.state).toBe("QUEUED");
  });
});
