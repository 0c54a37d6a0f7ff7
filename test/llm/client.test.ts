import { describe, expect, it } from "vitest";
import { LlmUnavailableError, llmFromEnv } from "../../src/llm/client";
import { calls, mockLlm, script, uniqueModel } from "./mock";

const messages = [
  { role: "system" as const, content: "You are terse." },
  { role: "user" as const, content: "Say hi." },
];
const ask = { messages, purpose: "test" };

async function unavailable(promise: Promise<unknown>): Promise<LlmUnavailableError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmUnavailableError);
  return err as LlmUnavailableError;
}

describe("createLlm", () => {
  it("returns the completion with its token counts over real HTTP", async () => {
    const model = uniqueModel("ok");
    await script(model, [{ content: "hi there", usage: { prompt_tokens: 21, completion_tokens: 3 } }]);
    const result = await mockLlm(model).chat(ask);
    expect(result).toEqual({ content: "hi there", promptTokens: 21, completionTokens: 3, cached: false });
    const [call] = await calls(model);
    expect(call.body.model).toBe(model);
    expect(call.body.messages).toEqual(messages);
    // No key configured: the SDK still needs one, and a local server ignores it.
    expect(call.authorization).toBe("Bearer none");
    expect(call.body).not.toHaveProperty("temperature");
  });

  it("sends the api key and optional parameters when given", async () => {
    const model = uniqueModel("params");
    await mockLlm(model, { apiKey: "sk-test" }).chat({ ...ask, temperature: 0, maxTokens: 50 });
    const [call] = await calls(model);
    expect(call.authorization).toBe("Bearer sk-test");
    expect(call.body).toMatchObject({ temperature: 0, max_tokens: 50 });
  });

  it("serves a repeated request from the D1 cache", async () => {
    const model = uniqueModel("cache");
    await script(model, [{ content: "first" }, { content: "second" }]);
    const llm = mockLlm(model);
    const a = await llm.chat(ask);
    const b = await mockLlm(model).chat(ask);
    expect(a).toMatchObject({ content: "first", cached: false });
    expect(b).toMatchObject({ content: "first", cached: true, promptTokens: a.promptTokens });
    expect(await calls(model)).toHaveLength(1);
  });

  it("keys the cache on the trial and the parameters", async () => {
    const model = uniqueModel("keys");
    await script(model, [{ content: "t0" }, { content: "t1" }, { content: "temp" }]);
    const llm = mockLlm(model);
    expect((await llm.chat(ask)).content).toBe("t0");
    expect((await llm.chat({ ...ask, trial: 1 })).content).toBe("t1");
    expect((await llm.chat({ ...ask, temperature: 0.5 })).content).toBe("temp");
    expect((await llm.chat({ ...ask, trial: 1 })).cached).toBe(true);
    expect(await calls(model)).toHaveLength(3);
  });

  it("never caches an error", async () => {
    const model = uniqueModel("nocache");
    await script(model, [{ status: 400 }, { content: "recovered" }]);
    const llm = mockLlm(model);
    const err = await unavailable(llm.chat(ask));
    expect(err.providerStatus).toBe(400);
    expect(await calls(model)).toHaveLength(1); // a 4xx is not retried
    expect(await llm.chat(ask)).toMatchObject({ content: "recovered", cached: false });
    expect(await llm.chat(ask)).toMatchObject({ content: "recovered", cached: true });
    expect(await calls(model)).toHaveLength(2);
  });

  it("never caches an empty completion, and reports it as unavailable", async () => {
    const model = uniqueModel("empty");
    await script(model, [{ content: "  " }, { content: "fine" }]);
    const llm = mockLlm(model);
    expect((await unavailable(llm.chat(ask))).reason).toBe("empty completion");
    expect(await llm.chat(ask)).toMatchObject({ content: "fine", cached: false });
  });

  it("retries once after a 429", async () => {
    const model = uniqueModel("429");
    await script(model, [{ status: 429, headers: { "retry-after": "0" } }, { content: "after the wait" }]);
    expect((await mockLlm(model).chat(ask)).content).toBe("after the wait");
    expect(await calls(model)).toHaveLength(2);
  });

  it("does not retry when the provider asks for a long wait", async () => {
    const model = uniqueModel("429long");
    await script(model, [{ status: 429, headers: { "retry-after": "120" } }, { content: "too late" }]);
    const err = await unavailable(mockLlm(model).chat(ask));
    expect(err.providerStatus).toBe(429);
    expect(await calls(model)).toHaveLength(1);
  });

  it("gives up after a 500 and its one retry", async () => {
    const model = uniqueModel("500");
    await script(model, [{ status: 500 }, { status: 500 }, { content: "never asked" }]);
    const err = await unavailable(mockLlm(model).chat(ask));
    expect(err.providerStatus).toBe(500);
    expect(err.code).toBe("llm_unavailable");
    expect(err.status).toBe(503);
    expect(err.reason).toBe("HTTP 500");
    expect(await calls(model)).toHaveLength(2);
  });

  it("times out (each attempt) instead of waiting on a stuck provider", async () => {
    const model = uniqueModel("timeout");
    await script(model, [{ delay_ms: 20_000 }, { delay_ms: 20_000 }]);
    const started = Date.now();
    const err = await unavailable(mockLlm(model, { timeoutMs: 300 }).chat(ask));
    expect(err.reason).toBe("timed out");
    expect(err.providerStatus).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await calls(model)).toHaveLength(2);
  });

  it("reports a dropped connection as unavailable", async () => {
    const model = uniqueModel("drop");
    await script(model, [{ drop: true }, { drop: true }]);
    const err = await unavailable(mockLlm(model).chat(ask));
    expect(err.providerStatus).toBeUndefined();
    expect(await calls(model)).toHaveLength(2);
  });

  it("reports an unreachable endpoint as unavailable", async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    await unavailable(
      mockLlm(uniqueModel("refused"), { baseUrl: "http://127.0.0.1:9/v1", maxRetries: 0 }).chat(ask),
    );
  });

  it("works without a cache", async () => {
    const model = uniqueModel("nodb");
    const llm = mockLlm(model, { db: undefined });
    await llm.chat(ask);
    expect((await llm.chat(ask)).cached).toBe(false);
    expect(await calls(model)).toHaveLength(2);
  });
});

describe("llmFromEnv", () => {
  it("is null unless both the base URL and the model are set", () => {
    expect(llmFromEnv({})).toBeNull();
    expect(llmFromEnv({ LLM_BASE_URL: "http://127.0.0.1:1/v1" })).toBeNull();
    expect(llmFromEnv({ LLM_MODEL: "m" })).toBeNull();
    expect(llmFromEnv({ LLM_BASE_URL: "http://127.0.0.1:1/v1", LLM_MODEL: "m" })?.model).toBe("m");
  });
});
