/** Productivity: the task score in [0, 1] (spec §4). */
import type { TaskHidden } from "./types";

/** Container mount points the agent may prefix paths with; gold paths are repository-relative. */
const MOUNT_PREFIXES = new Set(["testbed", "workspace"]);

/**
 * Normalises one predicted or gold line such as `/testbed/./a//b.py::C.f` to `a/b.py::C.f`.
 * A `..` that would climb above the repository root is dropped: paths are rooted at the repo.
 */
export function normalizeFunctionPath(line: string): string {
  const segments: string[] = [];
  for (const segment of line.trim().split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  if (segments.length > 1 && MOUNT_PREFIXES.has(segments[0])) segments.shift();
  return segments.join("/");
}

function toLineSet(value: string | readonly string[]): Set<string> {
  const lines = typeof value === "string" ? [value] : value;
  const out = new Set<string>();
  for (const entry of lines) {
    for (const line of entry.split(/\r?\n/)) {
      const normalized = normalizeFunctionPath(line);
      if (normalized) out.add(normalized);
    }
  }
  return out;
}

/** Set F1 between predicted and gold function lists; both empty → 1, exactly one empty → 0. */
export function functionF1(predicted: string | readonly string[], gold: readonly string[]): number {
  const p = toLineSet(predicted);
  const g = toLineSet(gold);
  if (p.size === 0 && g.size === 0) return 1;
  if (p.size === 0 || g.size === 0) return 0;
  let hits = 0;
  for (const item of p) if (g.has(item)) hits++;
  if (hits === 0) return 0;
  const precision = hits / p.size;
  const recall = hits / g.size;
  return (2 * precision * recall) / (precision + recall);
}

/** SQuAD answer normalisation, preceded by NFKC so full-width and ligature forms compare equal. */
export function normalizeAnswer(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, "")
    .replace(/\b(a|an|the)\b/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .join(" ");
}

/** 1 when the normalised prediction equals the (or any) normalised gold answer, else 0. */
export function exactMatch(prediction: string | readonly string[], gold: string | readonly string[]): 0 | 1 {
  const predicted = normalizeAnswer(typeof prediction === "string" ? prediction : prediction.join(" "));
  const golds = typeof gold === "string" ? [gold] : gold;
  return golds.some((g) => normalizeAnswer(g) === predicted) ? 1 : 0;
}

/**
 * The task score, or null when it cannot be known here (no gold to compare with, or no prediction given).
 * A client-supplied score wins because some tasks (full repair: unit tests) are scored outside.
 */
export function productivity(
  task: TaskHidden,
  prediction: string | readonly string[] | null | undefined,
  taskScore?: number | null,
): number | null {
  if (taskScore != null) {
    if (!(taskScore >= 0 && taskScore <= 1))
      throw new RangeError(`task_score must be in [0, 1], got ${taskScore}`);
    return taskScore;
  }
  if (prediction == null) return null;
  if (task.family === "swe" && task.functions && task.functions.length > 0) {
    return functionF1(prediction, task.functions);
  }
  if (task.family === "research" && task.answer) return exactMatch(prediction, task.answer);
  return null;
}
