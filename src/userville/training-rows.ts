/**
 * The PPP training data layout (spec §6): every task appears once per seen preference with its vague prompt,
 * plus once with its precise prompt — 13 rows per task with the 12 seen preferences.
 */
import { PREFERENCES } from "./preferences";
import type { PreferenceId } from "./types";

export const SEEN_PREFERENCES: readonly PreferenceId[] = PREFERENCES.filter((p) => p.split === "seen").map(
  (p) => p.id,
);

export interface TrainingRow {
  task_id: string;
  preference: PreferenceId;
  vague: boolean;
}

/**
 * Rows in task order. The precise row takes the preferences in turn (task i gets preferences[i mod n]), so
 * the precise prompts spread evenly over the preferences; the paper does not say which one it used.
 */
export function expandTrainingRows(
  taskIds: readonly string[],
  preferences: readonly PreferenceId[] = SEEN_PREFERENCES,
): TrainingRow[] {
  return taskIds.flatMap((taskId, i) => [
    ...preferences.map((preference) => ({ task_id: taskId, preference, vague: true })),
    { task_id: taskId, preference: preferences[i % preferences.length], vague: false },
  ]);
}
