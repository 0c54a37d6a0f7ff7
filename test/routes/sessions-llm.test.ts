import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/routes";
import { researchTask, sweTask } from "../fixtures";
import { ADMIN_KEY } from "../helpers";
import { calls, script, uniqueModel } from "../llm/mock";

/** The worker with the llm engine pointed at the loopback mock server, one model name per test. */
function llmService(model: string) {
  const app = buildApp();
  const llmEnv = { ...env, LLM_BASE_URL: env.TEST_LLM_URL, LLM_MODEL: model, LLM_API_KEY: "test-key" };
  return async (method: string, path: string, body?: unknown) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`http://userville.test${path}`, {
        method,
        headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      llmEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const text = await res.text();
    return { status: res.status, json: JSON.parse(text), text };
  };
}

async function startSession(api: ReturnType<typeof llmService>, task: object, preference: string) {
  const created = await api("POST", "/v1/tasks", task);
  expect(created.status, created.text).toBe(201);
  const session = await api("POST", "/v1/sessions", { task_id: created.json.id, preference });
  expect(session.status, session.text).toBe(201);
  return session.json;
}

describe("sessions (llm engine, against the loopback mock)", () => {
  it("answers with the simulator's reply, tags stripped, the lowest cost tag counting", async () => {
    const model = uniqueModel("walk");
    const api = llmService(model);
    const session = await startSession(api, sweTask, "no_preference");
    expect(session.engine).toBe("llm");
    await script(model, [
      {
        content: "It says expected time but found time.\n[Cost 1]",
        usage: { prompt_tokens: 120, completion_tokens: 12 },
      },
      { content: "Maybe the check on required columns?\n[Cost 4]\n[Cost 2]" },
    ]);
    const first = await api("POST", `/v1/sessions/${session.id}/questions`, {
      question: "What error do you see?",
    });
    expect(first.json.answer).toBe("It says expected time but found time.");
    const second = await api("POST", `/v1/sessions/${session.id}/questions`, {
      question: "Any hint on where?",
    });
    expect(second.json.answer).toBe("Maybe the check on required columns?");
    const done = await api("POST", `/v1/sessions/${session.id}/finish`, { prediction: sweTask.functions });
    expect(done.status, done.text).toBe(200);
    expect(done.json.engine).toBe("llm");
    expect(done.json.questions.map((q: any) => [q.tier, q.effort_source])).toEqual([
      ["precise", "llm"],
      ["hint", "llm"],
    ]);
    const view = await api("GET", `/v1/sessions/${session.id}`);
    expect(view.json.model).toBe(model);
    expect(view.json.prompt_versions.simulator).toBe("simulator-v1");
    expect(view.json.usage.prompt_tokens).toBeGreaterThanOrEqual(120);
    const sent = await calls(model);
    const system = sent[0].body.messages[0].content;
    expect(system).toContain(sweTask.hint);
    expect(system).toContain(sweTask.functions[0]);
  });

  it("malformed tags twice: keeps the reply, takes the rules engine's tier, marks the turn", async () => {
    const model = uniqueModel("malformed");
    const api = llmService(model);
    const session = await startSession(api, sweTask, "no_preference");
    await script(model, [{ content: "Hmm, not sure." }, { content: "Still no tag here." }]);
    const res = await api("POST", `/v1/sessions/${session.id}/questions`, {
      question: "What error do you see?",
    });
    expect(res.status).toBe(200);
    expect(res.json.answer).toBe("Still no tag here.");
    await api("POST", `/v1/sessions/${session.id}/finish`, { prediction: [] });
    const view = await api("GET", `/v1/sessions/${session.id}`);
    expect(view.json.questions[0].effort_source).toBe("rules");
    expect(view.json.questions[0].notes.fallback).toBe("malformed_tags");
    expect(await calls(model)).toHaveLength(2);
  });

  it("a provider failure falls back to the rules engine for that turn, marked", async () => {
    const model = uniqueModel("down");
    const api = llmService(model);
    const session = await startSession(api, sweTask, "no_preference");
    await script(model, [{ status: 500 }, { status: 500 }]);
    const res = await api("POST", `/v1/sessions/${session.id}/questions`, {
      question: "What is your favourite colour?",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.answer).toMatch(/know|sure/i);
    await api("POST", `/v1/sessions/${session.id}/finish`, { prediction: [] });
    const view = await api("GET", `/v1/sessions/${session.id}`);
    expect(view.json.questions[0].notes).toMatchObject({ engine: "rules", fallback: "llm_unavailable" });
  });

  it("rule-checkable preferences are decided by the checker; the simulator's disagreeing tag is recorded", async () => {
    const model = uniqueModel("disagree");
    const api = llmService(model);
    const session = await startSession(api, sweTask, "commas");
    await script(model, [{ content: "It's the error message.\n[Cost 1]\n[Reward 1]" }]);
    await api("POST", `/v1/sessions/${session.id}/questions`, {
      question: "Hi, which error, exactly, do you see?",
    });
    const done = await api("POST", `/v1/sessions/${session.id}/finish`, { prediction: [] });
    expect(done.json.questions[0]).toMatchObject({ compliant: false, judge: "rule" });
    const view = await api("GET", `/v1/sessions/${session.id}`);
    expect(view.json.questions[0].notes).toMatchObject({ simulator_reward: 1, simulator_disagrees: true });
  });

  it("judge-kind preferences and research answers go to the LLM judge", async () => {
    const model = uniqueModel("judge");
    const api = llmService(model);
    const session = await startSession(api, researchTask, "joke");
    await script(model, [{ content: "No idea.\n[Cost 2]\n[Reward 0]" }]);
    await api("POST", `/v1/sessions/${session.id}/questions`, { question: "Which club is it?" });
    await script(model, [
      { content: '{"compliant": false, "reason": "no joke"}' },
      { content: '{"correct": true}' },
    ]);
    const done = await api("POST", `/v1/sessions/${session.id}/finish`, {
      prediction: "the Genoa football club",
    });
    expect(done.status, done.text).toBe(200);
    expect(done.json.questions[0]).toMatchObject({ compliant: false, judge: "llm" });
    expect(done.json.productivity).toBe(1);
  });

  it("vaguenizes new tasks with the llm, falling back to rules when the output leaks", async () => {
    const model = uniqueModel("vague");
    const api = llmService(model);
    const { vague_prompt: _v, ...precise } = sweTask;
    await script(model, [{ content: "TimeSeries: removing a column gives a confusing error ..." }]);
    const good = await api("POST", "/v1/tasks", precise);
    expect(good.json).toMatchObject({
      vaguenized_by: "llm",
      vague_prompt: "TimeSeries: removing a column gives a confusing error ...",
    });
    await script(model, [
      { content: "Fix BaseTimeSeries._check_required_columns" },
      { content: "Edit astropy/timeseries/core.py" },
    ]);
    // Another prompt: the same one would be answered from the completion cache.
    const leaky = await api("POST", "/v1/tasks", {
      ...precise,
      prompt: `${precise.prompt} Seen on Linux too.`,
    });
    expect(leaky.json.vaguenized_by).toBe("rules");
    expect(leaky.json.fallback_reason).toMatch(/leak/);
    expect(leaky.text).not.toContain("_check_required_columns");
  });
});
