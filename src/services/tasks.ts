import { and, eq, inArray } from "drizzle-orm";
import { chunk, type Db, MAX_IN_LIST } from "../db/client";
import { tasks } from "../db/schema";
import type { Actor } from "../env";
import { ApiError } from "../errors";
import type { TaskHidden } from "../userville/types";

export type StoredTask = typeof tasks.$inferSelect;

export function hiddenOf(row: StoredTask): TaskHidden {
  return { family: row.family, ...row.hidden };
}

/** Loads the actor's tasks by id; any id not in the account is a 404 (another tenant's task looks missing). */
export async function loadTasks({ db, actor, ids }: { db: Db; actor: Actor; ids: string[] }) {
  const unique = [...new Set(ids)];
  if (actor.job) {
    const allowed = new Set(actor.job.taskIds);
    const outside = unique.filter((id) => !allowed.has(id));
    if (outside.length)
      throw new ApiError(
        "forbidden",
        `Task ${outside[0]} is not one of training job ${actor.job.id}'s tasks.`,
        {
          details: { outside },
        },
      );
  }
  const found = new Map<string, StoredTask>();
  for (const part of chunk(unique, MAX_IN_LIST)) {
    const rows = await db
      .select()
      .from(tasks)
      .where(and(eq(tasks.accountId, actor.accountId), inArray(tasks.id, part)));
    for (const row of rows) found.set(row.id, row);
  }
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length) {
    throw new ApiError("not_found", `No task ${missing[0]} in your account.`, { details: { missing } });
  }
  return found;
}
