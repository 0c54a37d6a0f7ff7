import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with the benchmark
import { startService } from "../../scripts/lib/local-service.mjs";
import { startLlmServer } from "../support/llm-server.mjs";

type Service = { baseUrl: string; adminKey: string; stop: () => Promise<void> };
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const DEMO_TASK = "task_demo_astropy_timeseries_required_cols";

/** The README's walk: a session on a seeded demo task, two questions, finish. */
async function walk(service: Service) {
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${service.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${service.adminKey}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  const tasks = await api("GET", "/v1/tasks?limit=100");
  expect(tasks.json.data.length).toBeGreaterThanOrEqual(30);
  const session = await api("POST", "/v1/sessions", { task_id: DEMO_TASK, preference: "one_question" });
  expect(session.status).toBe(201);
  const first = await api("POST", `/v1/sessions/${session.json.id}/questions`, {
    question: "What error do you get?",
  });
  const second = await api("POST", `/v1/sessions/${session.json.id}/questions`, {
    question: "Which file should I look at?",
  });
  expect([first.status, second.status]).toEqual([200, 200]);
  const done = await api("POST", `/v1/sessions/${session.json.id}/finish`, {
    prediction: ["astropy/timeseries/core.py::BaseTimeSeries._check_required_columns"],
  });
  expect(done.status).toBe(200);
  expect(done.json.productivity).toBe(1);
  expect(done.json.metrics.questions).toBe(2);
  return { session: session.json, first: first.json, second: second.json, done: done.json };
}

describe("README walk-through on npm start", () => {
  it("rules engine: demo tasks seeded, a session played and scored", async () => {
    const service: Service = await startService();
    cleanups.push(service.stop);
    const { session, done } = await walk(service);
    expect(session.engine).toBe("rules");
    expect(done.engine).toBe("rules");
  });

  it("llm engine: the same walk with LLM_BASE_URL pointed at an OpenAI-compatible server", async () => {
    const llm = await startLlmServer();
    cleanups.push(llm.close);
    const service: Service = await startService({
      env: { LLM_BASE_URL: `${llm.url}/v1`, LLM_MODEL: "e2e-model" },
    });
    cleanups.push(service.stop);
    expect(await (await fetch(`${service.baseUrl}/healthz`)).json()).toEqual({ status: "ok", engine: "llm" });
    const { session, first, done } = await walk(service);
    expect(session.engine).toBe("llm");
    expect(first.answer).toBe("Sure, it's in the description.");
    expect(done.questions[0].effort_source).toBe("llm");
  });
});
