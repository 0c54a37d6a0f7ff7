/**
 * The llm engine's prompt vaguenization (spec §1, paper §4.1). Its output is checked (non-empty, shorter than
 * the input, no hidden value) and, when it fails twice or the provider is down, the rules engine answers:
 * vaguenization never fails.
 */
import type { Family } from "../../userville/types";
import { findLeaks, vaguenize } from "../../userville/vaguenize";
import { addUsage, type ChatMessage, type Llm, LlmUnavailableError, type LlmUsage, noUsage } from "../client";

export const VAGUENIZER_PROMPT_VERSION = "vaguenizer-v1";

type VagueFamily = Family | "general";

/** The paper's averages after vaguenization: SWE-bench ~11 words, BrowseComp ~18. */
const TARGET_WORDS: Record<VagueFamily, number> = { swe: 11, research: 18, general: 11 };

const SHAPE: Record<VagueFamily, string> = {
  swe: 'one line, like an issue title, ending in " ..."',
  general: 'one line, like a to-do item, ending in " ..."',
  research: "the core question, keeping at most one or two of its clues",
};

export interface VaguenizeLlmInput {
  llm: Llm;
  prompt: string;
  family: VagueFamily;
  title?: string | null;
  /** Values the vague prompt must not contain (gold files, functions, the answer). */
  hidden: string[];
}

export interface VaguenizeLlmResult {
  vague_prompt: string;
  engine: "llm" | "rules";
  /** Why the rules engine answered instead; never contains a hidden value. */
  fallback_reason?: string;
  usage: LlmUsage;
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((t) => /[\p{L}\p{N}]/u.test(t)).length;
}

export function buildVaguenizerMessages({
  prompt,
  family,
  title,
  hidden,
}: Omit<VaguenizeLlmInput, "llm">): ChatMessage[] {
  const system = `You rewrite a precise task prompt into a vague one: the first thing a busy user would type before the details.

Follow two principles:
1. Keep the same intent. The vague prompt asks for the same thing as the precise one.
2. Give only partial information. Drop code, error messages, stack traces, reproduction steps, versions, numbers, dates and the names of files, functions and variables; generalise the specifics that remain.

Example: a GitHub issue about an astropy TimeSeries object, with reproduction code, the exact exception text and system details, becomes:
TimeSeries: removing column gives confusing error ...

Write about ${TARGET_WORDS[family]} words: ${SHAPE[family]}.
Reply with ONLY the vague prompt: no label, no quotes, no explanation.`;
  const avoid = hidden.filter((h) => h.trim());
  const user = [
    title?.trim() ? `Title: ${title.trim()}\n` : "",
    `Precise prompt:\n<<<\n${prompt}\n>>>`,
    avoid.length
      ? `\nThe vague prompt must not contain any of these:\n${avoid.map((h) => `- ${h}`).join("\n")}`
      : "",
  ].join("\n");
  return [
    { role: "system", content: system },
    { role: "user", content: user.trim() },
  ];
}

const LABEL =
  /^(?:\*\*)?(?:the\s+)?(?:vague(?:\s+(?:prompt|version))?|rewritten(?:\s+prompt)?|prompt|output|answer)\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*/i;
const QUOTES = /^["'`“”‘’«»]+|["'`“”‘’«»]+$/g;

/** The model's reply minus what models like to add: fences, a label, quotes, a trailing explanation. */
export function cleanVagueOutput(text: string): string {
  const unfenced = text.replace(/```[a-z]*\n?/gi, "").trim();
  const first = unfenced.split(/\n\s*\n/).find((p) => p.trim()) ?? "";
  let out = first.replace(/\s+/g, " ").trim();
  for (let i = 0; i < 2; i++) out = out.replace(LABEL, "").replace(QUOTES, "").trim();
  return out;
}

/** Why an output fails, or null. Never names the hidden value it found. */
export function vagueOutputProblem(output: string, prompt: string, hidden: string[]): string | null {
  if (!output) return "empty";
  if (countWords(output) >= countWords(prompt)) return "not_shorter";
  if (findLeaks(output, hidden).length) return "leaks_hidden_value";
  return null;
}

export async function vaguenizeWithLlm(input: VaguenizeLlmInput): Promise<VaguenizeLlmResult> {
  const { llm, prompt, family, title, hidden } = input;
  const usage = noUsage();
  const rules = (fallback_reason: string): VaguenizeLlmResult => ({
    vague_prompt: vaguenize({ prompt, family, title, hidden }).vague_prompt,
    engine: "rules",
    fallback_reason,
    usage,
  });

  const messages = buildVaguenizerMessages(input);
  let problem = "empty";
  for (let trial = 0; trial < 2; trial++) {
    try {
      const result = await llm.chat({ messages, trial, purpose: "vaguenizer" });
      addUsage(usage, result);
      const output = cleanVagueOutput(result.content);
      const found = vagueOutputProblem(output, prompt, hidden);
      if (!found) return { vague_prompt: output, engine: "llm", usage };
      problem = found;
    } catch (err) {
      if (err instanceof LlmUnavailableError) return rules(`llm_unavailable: ${err.reason}`);
      throw err;
    }
  }
  return rules(`invalid_output: ${problem}`);
}
