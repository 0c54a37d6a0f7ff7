/**
 * Rules-engine prompt vaguenization (spec §1): keep a task's intent, drop its specifics (code, traces, paths,
 * identifiers, versions, numbers, dates, names) and never leave a hidden value in the result. Pure and
 * deterministic: no randomness, no locale-dependent calls, regexes built once.
 *
 * Layout: prompt-reading (prose out of an issue or question) → generalise (+ names, placeholders) → task
 * (SWE, general) or research (the ask and its constraints) → leaks (hidden values found and scrubbed).
 */
import { promptEntities, scrubEntities } from "./entities";
import { findLeaks, scrubLeaks } from "./leaks";
import { researchDraft } from "./research";
import { taskDraft } from "./task";
import { capitalize, countWords, trimEnds } from "./text";
import type { VaguenizeFamily, VaguenizeInput, VaguenizeResult } from "./types";

export { findLeaks };
export type { VaguenizeFamily, VaguenizeInput, VaguenizeResult } from "./types";

const FALLBACK: Record<VaguenizeFamily, string> = {
  swe: "Fix a bug in the code",
  general: "Help with a task",
  research: "Find the answer to a question",
};

/**
 * Rewrites a precise prompt into a vague one with the same intent (spec §1). SWE and general: one short line
 * ending in " ..."; research: the core ask, ending in "?" (or "." for a request that is no question).
 */
export function vaguenize(input: VaguenizeInput): VaguenizeResult {
  const family = input.family ?? "general";
  const hidden = (input.hidden ?? []).filter((value) => value.trim() !== "");
  let body: string;
  let ending: string;
  if (family === "research") {
    const draft = researchDraft(input.prompt);
    body = draft.text;
    ending = draft.question ? "?" : ".";
  } else {
    body = taskDraft(input.prompt, family === "swe" ? input.title : null, family);
    ending = " ...";
  }
  body = trimEnds(scrubLeaks(scrubEntities(body, promptEntities(input.prompt, family, input.title)), hidden));
  if (countWords(body) === 0) body = FALLBACK[family];
  const vague_prompt = `${capitalize(body)}${ending}`;
  return { vague_prompt, leaked: findLeaks(vague_prompt, hidden) };
}
