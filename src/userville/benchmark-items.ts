/** The fixed items of a benchmark: which task is played under which preference, with which prompt. */
import type { PreferenceId } from "./types";

export const ASSIGNMENTS = ["cross", "round_robin"] as const;
export type Assignment = (typeof ASSIGNMENTS)[number];
export const PROMPT_KINDS = ["vague", "precise"] as const;
export type PromptKind = (typeof PROMPT_KINDS)[number];

export interface BenchmarkItem {
  taskId: string;
  preference: PreferenceId;
  vague: boolean;
}

/**
 * `cross`: every task × every preference × every prompt kind. `round_robin`: task i gets preference
 * i mod |preferences| (every prompt kind), which keeps a large task set affordable. Either way the list is
 * computed once, at creation, and stored: every run plays exactly these items.
 */
export function expandItems({
  taskIds,
  preferences,
  prompts,
  assignment,
}: {
  taskIds: readonly string[];
  preferences: readonly PreferenceId[];
  prompts: readonly PromptKind[];
  assignment: Assignment;
}): BenchmarkItem[] {
  const items: BenchmarkItem[] = [];
  taskIds.forEach((taskId, i) => {
    const chosen = assignment === "cross" ? preferences : [preferences[i % preferences.length]];
    for (const preference of chosen)
      for (const prompt of prompts) items.push({ taskId, preference, vague: prompt === "vague" });
  });
  return items;
}
