import { COMMON_WORDS, GENERIC_FILE_STEMS } from "./common-words";
import { ph, resolvePlaceholders } from "./placeholders";
import { tidy } from "./text";

export const CODE_EXTENSIONS =
  "py|pyx|pyi|js|jsx|ts|tsx|mjs|cjs|java|rb|go|rs|c|h|cc|cpp|hpp|cs|php|json|ya?ml|toml|ini|cfg|txt|md|rst|" +
  "html|css|scss|sql|sh|bat|xml|csv|ipynb|lock|gradle|kt|swift|jl|lua";
const PATH_VALUE = new RegExp(`^(?:\\S*[\\\\/]\\S*|[\\w.-]+\\.(?:${CODE_EXTENSIONS}))$`);

interface LeakVariant {
  text: string;
  /** What the scrubber puts in its place. */
  noun: string;
}

function isCommonWord(word: string): boolean {
  const w = word.toLowerCase();
  if (COMMON_WORDS.has(w)) return true;
  const stems = [w.replace(/s$/, ""), w.replace(/es$/, ""), w.replace(/ed$/, ""), w.replace(/ing$/, "")];
  return stems.some((stem) => COMMON_WORDS.has(stem) || COMMON_WORDS.has(`${stem}e`));
}

/** A bare name is distinctive when it is at least 4 characters and either looks like code or is no common word. */
function isDistinctiveName(name: string): boolean {
  if (name.length < 4) return false;
  if (/[_\d]|[a-z][A-Z]/.test(name)) return true;
  return !isCommonWord(name);
}

function normalizeRepoPath(path: string): string {
  return path
    .replace(/\\/g, "/")
    .replace(/^\/+/, "")
    .replace(/^(?:testbed|workspace)\//, "")
    .replace(/^\.\//, "");
}

/** The strings whose presence means `value` leaked, longest first (rule: see `findLeaks`). */
function leakVariants(value: string): LeakVariant[] {
  const trimmed = value.trim().normalize("NFKC");
  if (!trimmed) return [];
  const variants: LeakVariant[] = [{ text: trimmed, noun: "thing" }];
  const separator = trimmed.indexOf("::");
  let filePart = "";
  let symbol = "";
  if (separator >= 0) {
    filePart = trimmed.slice(0, separator);
    symbol = trimmed.slice(separator + 2);
  } else if (PATH_VALUE.test(trimmed)) {
    filePart = trimmed;
  } else if (/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\(\))?$/.test(trimmed)) {
    symbol = trimmed;
  }
  if (filePart) {
    const path = normalizeRepoPath(filePart);
    const base = path.split("/").pop() ?? "";
    const stem = base.replace(/\.[^.]+$/, "");
    variants.push({ text: path, noun: "file" });
    if (base !== path && base.includes(".")) variants.push({ text: base, noun: "file" });
    if (!GENERIC_FILE_STEMS.has(stem.toLowerCase()) && isDistinctiveName(stem)) {
      variants.push({ text: stem, noun: "file" });
    }
  }
  symbol = symbol.replace(/\(.*\)$/, "").trim();
  if (symbol) {
    const parts = symbol.split(".").filter(Boolean);
    variants.push({ text: symbol, noun: "function" });
    for (let i = 1; i < parts.length; i++) {
      const suffix = parts.slice(i).join(".");
      if (i < parts.length - 1 || isDistinctiveName(suffix))
        variants.push({ text: suffix, noun: "function" });
    }
    if (parts.length === 1 && !isDistinctiveName(symbol)) variants.pop();
  }
  const unique = new Map<string, LeakVariant>();
  for (const v of variants)
    if (v.text && !unique.has(v.text.toLowerCase())) unique.set(v.text.toLowerCase(), v);
  return [...unique.values()].sort((a, b) => b.text.length - a.text.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Case-insensitive; whitespace-insensitive; a word-character edge must not touch another word character. */
function variantPattern(variant: string): RegExp {
  const body = variant.split(/\s+/).map(escapeRegExp).join("\\s+");
  const head = /^[\p{L}\p{N}_]/u.test(variant) ? "(?<![\\p{L}\\p{N}_])" : "";
  const tail = /[\p{L}\p{N}_]$/u.test(variant) ? "(?![\\p{L}\\p{N}_])" : "";
  return new RegExp(`${head}${body}${tail}`, "giu");
}

/**
 * Which hidden values occur in `text`, each reported once, in input order. A value occurs when one of these
 * does, case-insensitively (after NFKC), with any run of whitespace matching any other, and with no letter,
 * digit or `_` touching either end (so `as_sql` is not found in `has_sql`):
 * - the value itself (trimmed) — for every hidden value, answers included;
 * - for a path (`a/b/file.py`, with or without a leading `/`, `/testbed/` or `/workspace/`): the repo-relative
 *   path, the file name with its extension (`file.py`), and the stem (`file`) when it is distinctive:
 *   ≥ 4 characters, not a generic file name (`core`, `utils`, `models`, `__init__`, ...) and, unless it looks
 *   like code (`_`, a digit or an inner capital), not an ordinary English word;
 * - for a symbol (`path::Class.method`, `path::func`, or a bare dotted `Class.method`): the path as above,
 *   the symbol, every shorter dotted suffix (`Class.method`), and the last name (`method`, `func`) when
 *   distinctive by the same rule. A class name on its own is not a leak: it usually names the topic (the
 *   paper's own vague prompt keeps "TimeSeries"); pass it as a separate hidden value to forbid it.
 */
export function findLeaks(text: string, hidden: string[]): string[] {
  const haystack = text.normalize("NFKC");
  const found: string[] = [];
  for (const value of hidden) {
    if (found.includes(value)) continue;
    if (leakVariants(value).some((v) => variantPattern(v.text).test(haystack))) found.push(value);
  }
  return found;
}

/** Replaces every occurrence of a leaked value with a general noun; the last pass deletes instead. */
export function scrubLeaks(text: string, hidden: string[]): string {
  let s = text.normalize("NFKC");
  for (let pass = 0; pass < 3; pass++) {
    const leaked = findLeaks(s, hidden);
    if (leaked.length === 0) break;
    for (const value of leaked) {
      for (const variant of leakVariants(value)) {
        s = s.replace(variantPattern(variant.text), pass < 2 ? ph(variant.noun) : " ");
      }
    }
    s = tidy(resolvePlaceholders(s));
  }
  return s;
}
