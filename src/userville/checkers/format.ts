/** Surface-form preferences: capital letters, commas, JSON. */
import type { Verdict } from "../types";
import { clip, FILE_PATH, proseOf } from "./text";
import { fail, pass } from "./verdict";

// Code, URLs and file paths keep their case: upper-casing `os.path` or `src/app.py` would break them.
// Bare identifiers outside backticks are not exempt; the agent can quote them.
export function checkCapital(text: string): Verdict {
  const prose = proseOf(text).replace(FILE_PATH, " ");
  const lower = prose.match(/\S*\p{Ll}\S*/gu);
  if (lower)
    return fail(
      `lower-case letters in: ${lower
        .slice(0, 3)
        .map((w) => clip(w, 20))
        .join(", ")}`,
    );
  if (!/\p{Lu}/u.test(prose)) return fail("no capital letters outside code");
  return pass("every letter outside code is upper case");
}

// Latin, full-width, ideographic, half-width ideographic, small-form, Arabic and Armenian commas.
const COMMAS = /[,，、､﹐﹑،՝]/u;

// "No comma at all": code counts too, because the user reads the whole message.
export function checkCommas(text: string): Verdict {
  const m = COMMAS.exec(text);
  return m
    ? fail(`comma "${m[0]}" at: ${clip(text.slice(Math.max(0, m.index - 15), m.index + 10))}`)
    : pass("no comma");
}

function hasQuestionText(value: unknown): boolean {
  if (typeof value === "string") return /\p{L}/u.test(value);
  if (Array.isArray(value)) return value.some(hasQuestionText);
  if (value && typeof value === "object") return Object.values(value).some(hasQuestionText);
  return false;
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

// Only an object or array counts: a bare JSON string ("\"Which file?\"") is valid JSON but is just the
// question in quotes, not the structured wrapping the user asked for. A ```json fence is text outside.
export function checkJson(text: string): Verdict {
  const trimmed = text.trim();
  const whole = parse(trimmed);
  if (whole.ok) {
    const v = whole.value;
    if (v === null || typeof v !== "object")
      return fail(`a bare JSON ${v === null ? "null" : typeof v}, not an object or array`);
    if (!hasQuestionText(v)) return fail("valid JSON, but no question text in it");
    return pass(`the whole question is one JSON ${Array.isArray(v) ? "array" : "object"}`);
  }
  const start = trimmed.search(/[{[]/);
  const end = Math.max(trimmed.lastIndexOf("}"), trimmed.lastIndexOf("]"));
  if (start >= 0 && end > start && parse(trimmed.slice(start, end + 1)).ok) {
    return fail("valid JSON inside, but with text around it");
  }
  return fail("not valid JSON");
}
