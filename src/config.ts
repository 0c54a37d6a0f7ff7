import type { Bindings } from "./env";

export type Engine = "rules" | "llm";

/** The llm engine needs both an endpoint and a model; otherwise the rules engine plays every role. */
export function engineOf(env: Pick<Bindings, "LLM_BASE_URL" | "LLM_MODEL">): Engine {
  return env.LLM_BASE_URL && env.LLM_MODEL ? "llm" : "rules";
}

/** Request size limits, chosen to fit a 512-item batch of real trajectories (see README "Limits"). */
export const LIMITS = {
  bodyBytes: 1024 * 1024,
  batchBodyBytes: 16 * 1024 * 1024,
  batchItems: 1024,
  questionChars: 4000,
  questionsPerTrajectory: 64,
  messagesPerTrajectory: 512,
  messageChars: 100_000,
  promptChars: 50_000,
  listItems: 200,
  documents: 20,
  contentParts: 100,
  toolCalls: 64,
  /** Structure of every JSON body, checked before validation (src/lib/json-shape.ts). */
  jsonDepth: 32,
  jsonArrayItems: 1024,
  jsonValues: 100_000,
  /** Validation errors listed in `details`; the message gives the full count. */
  errorDetails: 50,
} as const;
