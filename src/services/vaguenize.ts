import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { llmFromEnv } from "../llm/client";
import { vaguenizeWithLlm } from "../llm/prompts/vaguenizer";
import type { Family } from "../userville/types";
import { type VaguenizeFamily, vaguenize } from "../userville/vaguenize";

export interface VagueResult {
  vague_prompt: string;
  engine: "rules" | "llm";
  fallback_reason?: string;
  usage: { promptTokens: number; completionTokens: number };
}

/**
 * Vaguenizes with the configured engine. The llm engine checks its output and falls back to the rules
 * engine (saying so) rather than failing: a task can always be created.
 */
export async function vaguenizePrompt({
  env,
  db,
  prompt,
  family,
  title,
  hidden,
}: {
  env: Bindings;
  db: Db;
  prompt: string;
  family: VaguenizeFamily;
  title?: string | null;
  hidden: string[];
}): Promise<VagueResult> {
  const llm = llmFromEnv(env, db);
  if (!llm) {
    return {
      vague_prompt: vaguenize({ prompt, family, title, hidden }).vague_prompt,
      engine: "rules",
      usage: { promptTokens: 0, completionTokens: 0 },
    };
  }
  return vaguenizeWithLlm({ llm, prompt, family: family as Family | "general", title, hidden });
}
