import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/routes";
import { sweTask } from "../fixtures";
import { expectError, newAccount } from "../helpers";
import { calls, script, uniqueModel } from "../llm/mock";

/** 7 credits per started 1,000 tokens: a price at which rounding the thousands up or down shows. */
const PER_1K = 7;

/** The worker with the llm engine on the loopback mock, called with a metered customer key. */
function meteredLlm(model: string, key: string) {
  const app = buildApp();
  const llmEnv = {
    ...env,
    LLM_BASE_URL: env.TEST_LLM_URL,
    LLM_MODEL: model,
    LLM_API_KEY: "test-key",
    PRICES: JSON.stringify({ llm_1k_tokens: PER_1K }),
  };
  return async (method: string, path: string, body?: unknown) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`http://userville.test${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
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

async function llmSession(label: string, credits: number) {
  const account = await newAccount(label, credits);
  const model = uniqueModel(label);
  const api = meteredLlm(model, account.key);
  const task = await api("POST", "/v1/tasks", sweTask); // has its own vague prompt: free
  expect(task.status, task.text).toBe(201);
  const session = await api("POST", "/v1/sessions", { task_id: task.json.id, preference: "no_preference" });
  expect(session.status, session.text).toBe(201);
  expect(session.json.engine).toBe("llm");
  return { ...account, model, api, session: session.json };
}

const balance = async (accountId: string) =>
  (
    await env.DB.prepare("select credits from accounts where id = ?")
      .bind(accountId)
      .first<{ credits: number }>()
  )?.credits;

const chargesOf = async (accountId: string) =>
  (
    await env.DB.prepare(
      "select route, units, cost from ledger where account_id = ? and kind = 'charge' order by created_at, rowid",
    )
      .bind(accountId)
      .all<{ route: string; units: number; cost: number }>()
  ).results;

const reply = (prompt_tokens: number, completion_tokens: number) => ({
  content: "It is the required-columns check.\n[Cost 1]",
  usage: { prompt_tokens, completion_tokens },
});

describe("the LLM token surcharge, on a metered key", () => {
  it("charges each started 1,000 tokens: exact credits after a session of known token use", async () => {
    const { account_id, model, api, session } = await llmSession("tokens", 1000);
    // 1,500 tokens start two thousands (14 credits); 999 start one (7). Rounding down would give 7 and 0.
    await script(model, [reply(1200, 300), reply(900, 99)]);
    for (const question of ["What error do you see?", "Where does it fail?"]) {
      const res = await api("POST", `/v1/sessions/${session.id}/questions`, { question });
      expect(res.status, res.text).toBe(200);
      expect(res.json.answer).toBe("It is the required-columns check.");
    }
    const done = await api("POST", `/v1/sessions/${session.id}/finish`, { prediction: sweTask.functions });
    expect(done.status, done.text).toBe(200);
    // The finish of a rules-checked preference asks the model nothing: the two asks are all the tokens.
    expect(await calls(model)).toHaveLength(2);
    expect(await chargesOf(account_id)).toEqual([
      { route: "session_question", units: 1, cost: 2 },
      { route: "session_question:llm_tokens", units: 2, cost: 2 * PER_1K },
      { route: "session_question", units: 1, cost: 2 },
      { route: "session_question:llm_tokens", units: 1, cost: PER_1K },
      { route: "session_finish", units: 1, cost: 5 },
    ]);
    expect(await balance(account_id)).toBe(1000 - 2 - 14 - 2 - 7 - 5);
    const usage = await api("GET", "/v1/usage");
    expect(usage.json.credits_remaining).toBe(970);
    expect(usage.json.by_route["session_question:llm_tokens"]).toEqual({
      calls: 2,
      refunds: 0,
      units: 3,
      credits: 21,
    });
  });

  it("a surcharge over the balance takes what is left: the account ends at 0, never below", async () => {
    // 5 credits: the ask's 2, then 3 left against a surcharge of 50 thousands × 7 = 350.
    const { account_id, model, api, session } = await llmSession("capped", 5);
    await script(model, [reply(40_000, 10_000)]);
    const res = await api("POST", `/v1/sessions/${session.id}/questions`, { question: "What fails?" });
    expect(res.status, res.text).toBe(200);
    expect(await balance(account_id)).toBe(0);
    expect(await chargesOf(account_id)).toEqual([
      { route: "session_question", units: 1, cost: 2 },
      { route: "session_question:llm_tokens", units: 50, cost: 3 },
    ]);
    expectError(
      await api("POST", `/v1/sessions/${session.id}/questions`, { question: "Anything else?" }),
      402,
      "insufficient_credits",
    );
    expect(await balance(account_id)).toBe(0);
    expect(await calls(model)).toHaveLength(1);
  });
});
