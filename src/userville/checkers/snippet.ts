/** snippet: at least three quoted lines of code or documentation, plus where they come from. */
import type { Verdict } from "../types";
import { FILE_PATH, splitFences, URL } from "./text";
import { fail, pass } from "./verdict";

export const SNIPPET_MIN_LINES = 3;

const nonBlank = (lines: string[]) => lines.filter((l) => l.trim() !== "").length;

/** Longest run of consecutive lines matching `pattern` (blank lines inside a run are allowed). */
function longestRun(lines: string[], pattern: RegExp): number {
  let best = 0;
  let run = 0;
  for (const line of lines) {
    if (pattern.test(line)) run++;
    else if (line.trim() !== "" || run === 0) run = 0;
    best = Math.max(best, run);
  }
  return best;
}

/** Lines in the largest snippet: a fenced block, a 4-space/tab indented block, or "> " quoted lines. */
export function snippetLines(text: string): number {
  const { prose, blocks } = splitFences(text);
  const lines = prose.split("\n");
  return Math.max(
    0,
    ...blocks.map((b) => nonBlank(b.lines)),
    longestRun(lines, /^(?: {4}|\t)\s*\S/),
    longestRun(lines, /^\s{0,3}>/),
  );
}

export function references(text: string): string[] {
  return [...(text.match(URL) ?? []), ...(text.match(FILE_PATH) ?? [])];
}

export function checkSnippet(text: string): Verdict {
  const lines = snippetLines(text);
  const refs = references(text);
  if (lines < SNIPPET_MIN_LINES) {
    return fail(
      `${lines} snippet line(s), needs ${SNIPPET_MIN_LINES}${refs.length ? "" : " and a file path or URL"}`,
    );
  }
  if (refs.length === 0) return fail(`${lines}-line snippet but no file path or URL`);
  return pass(`${lines}-line snippet from ${refs[0]}`);
}
