/**
 * The one door to the LLM: any OpenAI-compatible chat-completions endpoint through the `openai` package, with
 * a D1 cache in front. Callers get text and token counts, or an LlmUnavailableError: never a provider error.
 */
import { eq } from "drizzle-orm";
import OpenAI from "openai";
import { engineOf } from "../config";
import type { Db } from "../db/client";
import { llmCache } from "../db/schema";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { sha256Hex } from "../lib/crypto";

/**
 * The SDK defaults (10 min timeout, 2 retries) would hold a Worker request for half an hour. One call here
 * costs at most 15 s + a short backoff + 15 s ≈ 31 s, and a simulator turn (two trials) about a minute.
 */
export const LLM_TIMEOUT_MS = 15_000;
export const LLM_MAX_RETRIES = 1;
/** A provider asking for a longer pause than this (Retry-After) gets no retry: we fail fast instead. */
export const LLM_MAX_RETRY_AFTER_MS = 5_000;

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Part of the cache key only: trial 1 is a fresh draw of the same request (a retry after bad output). */
  trial?: number;
  /** What the call is for ("simulator", "vaguenizer", "judge"): named in errors, not sent. */
  purpose: string;
}

export interface ChatResult {
  content: string;
  promptTokens: number;
  completionTokens: number;
  /** True when served from the D1 cache; the token counts are then those of the original call. */
  cached: boolean;
}

export interface Llm {
  model: string;
  chat(req: ChatRequest): Promise<ChatResult>;
}

export interface LlmOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  db?: Db;
  /** Per attempt; tests shorten it. */
  timeoutMs?: number;
  maxRetries?: number;
}

/** Tokens spent at the provider; cache hits spend none. */
export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

export const noUsage = (): LlmUsage => ({ promptTokens: 0, completionTokens: 0 });

export function addUsage(total: LlmUsage, result: ChatResult): LlmUsage {
  if (!result.cached) {
    total.promptTokens += result.promptTokens;
    total.completionTokens += result.completionTokens;
  }
  return total;
}

/** The provider failed (network, timeout, error status after the retry, empty completion): HTTP 503. */
export class LlmUnavailableError extends ApiError {
  /** The provider's HTTP status, when it answered with one. */
  readonly providerStatus?: number;
  /** Short and safe to show: "HTTP 429", "timed out", "empty completion". */
  readonly reason: string;

  constructor(purpose: string, reason: string, providerStatus?: number) {
    super("llm_unavailable", `The LLM provider is unavailable (${purpose}): ${reason}.`, {
      details: { purpose, ...(providerStatus === undefined ? {} : { provider_status: providerStatus }) },
    });
    this.name = "LlmUnavailableError";
    this.providerStatus = providerStatus;
    this.reason = reason;
  }
}

function retryAfterMs(headers: Headers): number | null {
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (!Number.isNaN(ms)) return ms;
  const value = headers.get("retry-after");
  if (!value) return null;
  const seconds = Number.parseFloat(value);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : date - Date.now();
}

/**
 * The SDK sleeps for whatever Retry-After says, even an hour. Above the cap we tell it not to retry
 * (`x-should-retry: false`, which it obeys), so the caller gets a quick 429 it can fall back from.
 */
function fetchWithRetryAfterCap(maxWaitMs: number): typeof fetch {
  return async (input, init) => {
    const res = await globalThis.fetch(input, init);
    const wait = res.ok ? null : retryAfterMs(res.headers);
    if (wait === null || wait <= maxWaitMs) return res;
    const headers = new Headers(res.headers);
    headers.set("x-should-retry", "false");
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
}

function toUnavailable(purpose: string, err: unknown): LlmUnavailableError {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new LlmUnavailableError(purpose, "timed out");
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    return new LlmUnavailableError(purpose, `HTTP ${err.status}`, err.status);
  }
  if (err instanceof OpenAI.APIConnectionError) return new LlmUnavailableError(purpose, "connection failed");
  // Anything else from the SDK (an unparseable body, a missing field) is the provider's fault too.
  return new LlmUnavailableError(purpose, "invalid response");
}

export function cacheKey(model: string, req: ChatRequest): Promise<string> {
  return sha256Hex(
    JSON.stringify({
      model,
      messages: req.messages.map(({ role, content }) => ({ role, content })),
      temperature: req.temperature ?? null,
      maxTokens: req.maxTokens ?? null,
      trial: req.trial ?? 0,
    }),
  );
}

export function createLlm(options: LlmOptions): Llm {
  const { model, db } = options;
  const client = new OpenAI({
    baseURL: options.baseUrl,
    apiKey: options.apiKey || "none",
    timeout: options.timeoutMs ?? LLM_TIMEOUT_MS,
    maxRetries: options.maxRetries ?? LLM_MAX_RETRIES,
    fetch: fetchWithRetryAfterCap(LLM_MAX_RETRY_AFTER_MS),
  });

  async function readCache(key: string): Promise<ChatResult | null> {
    if (!db) return null;
    try {
      const row = await db.select().from(llmCache).where(eq(llmCache.key, key)).get();
      return row
        ? {
            content: row.content,
            promptTokens: row.promptTokens,
            completionTokens: row.completionTokens,
            cached: true,
          }
        : null;
    } catch (err) {
      // The cache saves money, it is not needed for an answer: a D1 hiccup must not fail the call.
      console.warn("llm cache read failed", err);
      return null;
    }
  }

  async function writeCache(key: string, result: ChatResult): Promise<void> {
    if (!db) return;
    try {
      await db
        .insert(llmCache)
        .values({
          key,
          model,
          content: result.content,
          promptTokens: result.promptTokens,
          completionTokens: result.completionTokens,
        })
        .onConflictDoNothing();
    } catch (err) {
      console.warn("llm cache write failed", err);
    }
  }

  return {
    model,
    async chat(req) {
      const key = await cacheKey(model, req);
      const hit = await readCache(key);
      if (hit) return hit;

      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await client.chat.completions.create({
          model,
          messages: req.messages.map(({ role, content }) => ({ role, content })),
          ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
          ...(req.maxTokens === undefined ? {} : { max_tokens: req.maxTokens }),
        });
      } catch (err) {
        throw toUnavailable(req.purpose, err);
      }
      const content = completion.choices?.[0]?.message?.content ?? "";
      if (content.trim() === "") throw new LlmUnavailableError(req.purpose, "empty completion");

      const result: ChatResult = {
        content,
        promptTokens: completion.usage?.prompt_tokens ?? 0,
        completionTokens: completion.usage?.completion_tokens ?? 0,
        cached: false,
      };
      await writeCache(key, result);
      return result;
    },
  };
}

/** The configured LLM, or null when the rules engine plays every role (LLM_BASE_URL or LLM_MODEL unset). */
export function llmFromEnv(
  env: Pick<Bindings, "LLM_BASE_URL" | "LLM_API_KEY" | "LLM_MODEL">,
  db?: Db,
): Llm | null {
  if (engineOf(env) !== "llm" || !env.LLM_BASE_URL || !env.LLM_MODEL) return null;
  return createLlm({ baseUrl: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY, model: env.LLM_MODEL, db });
}
