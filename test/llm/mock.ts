/** Talks to the mock chat-completions server (test/support/llm-server.mjs) from inside workerd. */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { createDb } from "../../src/db/client";
import { createLlm, type LlmOptions } from "../../src/llm/client";

export type MockReply =
  | { content: string; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { delay_ms: number; content?: string }
  | { drop: true };

export interface MockCall {
  body: { model: string; messages: { role: string; content: string }[]; [k: string]: unknown };
  authorization: string | null;
}

function mockBase(): string {
  const url = env.TEST_LLM_URL;
  if (!url) throw new Error("TEST_LLM_URL is not bound: vitest.config.ts starts the mock server");
  return url.replace(/\/v1$/, "");
}

/** A model name no other test uses, so its script and calls are its own. */
export const uniqueModel = (label: string) => `m-${label}-${crypto.randomUUID()}`;

export async function script(model: string, replies: MockReply[]): Promise<void> {
  const res = await fetch(`${mockBase()}/__script`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, replies }),
  });
  expect(res.status).toBe(200);
}

export async function calls(model: string): Promise<MockCall[]> {
  const res = await fetch(`${mockBase()}/__calls?model=${encodeURIComponent(model)}`);
  return ((await res.json()) as { calls: MockCall[] }).calls;
}

/** A client on the mock, cached in this test's D1, with the given model and any option overrides. */
export function mockLlm(model: string, options: Partial<LlmOptions> = {}) {
  return createLlm({ baseUrl: env.TEST_LLM_URL as string, model, db: createDb(env.DB), ...options });
}
