import type { Db } from "../db/client";
import { tasks } from "../db/schema";
import type { Actor } from "../env";
import { newId } from "../lib/crypto";
import type { TaskInputValue } from "../routes/task-schema";
import { vaguenize } from "../userville/vaguenize";

/** Hidden values a vague prompt must never contain. */
export function hiddenValues(input: Pick<TaskInputValue, "files" | "functions" | "answer">): string[] {
  return [...(input.files ?? []), ...(input.functions ?? []), ...(input.answer ? [input.answer] : [])];
}

export function hiddenSide(input: TaskInputValue) {
  return {
    prompt: input.prompt,
    hint: input.hint ?? null,
    files: input.files ?? [],
    functions: input.functions ?? [],
    documents: input.documents ?? [],
    answer: input.answer ?? null,
  };
}

/** The vague prompt a task gets when its creator gives none (rules engine; the llm engine wraps this). */
export function rulesVaguePrompt(input: TaskInputValue): string {
  return vaguenize({
    prompt: input.prompt,
    family: input.family,
    title: input.title,
    hidden: hiddenValues(input),
  }).vague_prompt;
}

export async function createTask({
  db,
  actor,
  input,
  vaguePrompt,
}: {
  db: Db;
  actor: Actor;
  input: TaskInputValue;
  vaguePrompt: string;
}) {
  const [row] = await db
    .insert(tasks)
    .values({
      id: newId("task"),
      accountId: actor.accountId,
      family: input.family,
      title: input.title ?? null,
      vaguePrompt,
      hidden: hiddenSide(input),
    })
    .returning();
  return row;
}

/** What the agent side may see of a task. */
export function publicTask(row: typeof tasks.$inferSelect) {
  return {
    id: row.id,
    family: row.family,
    vague_prompt: row.vaguePrompt,
    created_at: new Date(row.createdAt).toISOString(),
  };
}
