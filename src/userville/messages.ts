import type { AskCall, Family, Tier } from "./types";

/** The subset of an OpenAI chat message the scorer reads. */
export interface ChatMessage {
  role: string;
  content?: string | { type: string; text?: string }[] | null;
  tool_calls?: { id?: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export const ASK_TOOLS = new Set(["ask_question", "ask_user"]);

/** Thrown for a trajectory that cannot be read; `path` points into the request. */
export class TrajectoryError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

const TIERS_BY_LEVEL: Record<Family, Tier[]> = {
  swe: ["precise", "hint", "idk", "file", "function"],
  research: ["precise", "idk", "gold_doc"],
};

const COST_TAG = /\[(?:Cost|Level)\s*(\d)\]/gi;
const ANY_TAG = /\s*\[(?:Cost|Level|Reward)\s*\d\]\s*/gi;

export function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!content) return "";
  return content.map((part) => part.text ?? "").join("");
}

/** The simulator's `[Cost N]` tags, lowest first; the lowest counts (the reference counts the first match from 1 up). */
export function tierFromTags(family: Family, reply: string): Tier | null {
  const levels = [...reply.matchAll(COST_TAG)].map((m) => Number(m[1]));
  const valid = levels.filter((level) => level >= 1 && level <= TIERS_BY_LEVEL[family].length);
  return valid.length ? TIERS_BY_LEVEL[family][Math.min(...valid) - 1] : null;
}

export function stripTags(reply: string): string {
  return reply.replace(ANY_TAG, " ").trim();
}

function queryOf(args: string, path: (string | number)[]): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new TrajectoryError("The ask tool call's arguments are not valid JSON.", path);
  }
  const query =
    (parsed as { query?: unknown; question?: unknown } | null)?.query ??
    (parsed as { question?: unknown } | null)?.question;
  if (typeof query !== "string" || !query.trim()) {
    throw new TrajectoryError('The ask tool call needs a non-empty string "query".', path);
  }
  return query.trim();
}

/**
 * Reads the ask calls out of an OpenAI transcript. Every other tool call, and every assistant turn without a
 * tool call, is a non-question step; answers come from the matching tool message, tags parsed then stripped.
 */
export function asksFromMessages(family: Family, messages: ChatMessage[], maxChars: number): AskCall[] {
  const asks: AskCall[] = [];
  const byCallId = new Map<string, AskCall>();
  let steps = 0;
  messages.forEach((message, i) => {
    if (message.role === "assistant") {
      const calls = message.tool_calls ?? [];
      if (calls.length === 0) steps += 1;
      calls.forEach((call, j) => {
        if (!ASK_TOOLS.has(call.function.name)) {
          steps += 1;
          return;
        }
        const path = ["messages", i, "tool_calls", j, "function", "arguments"];
        const text = queryOf(call.function.arguments, path);
        if (text.length > maxChars)
          throw new TrajectoryError(`A question may have at most ${maxChars} characters.`, path);
        const ask: AskCall = { text, afterActions: steps };
        asks.push(ask);
        if (call.id) byCallId.set(call.id, ask);
      });
    } else if (message.role === "tool" && message.tool_call_id) {
      const ask = byCallId.get(message.tool_call_id);
      if (ask) {
        const reply = textOf(message.content);
        ask.tier = tierFromTags(family, reply);
        ask.answer = stripTags(reply);
      }
    }
  });
  return asks;
}
