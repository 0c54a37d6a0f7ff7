/** Text helpers shared by the checkers: code stripping, references, sentences, words. */

export interface FencedBlock {
  lines: string[];
}

export interface SplitText {
  /** The text with fenced code blocks removed (each block leaves one blank line). */
  prose: string;
  blocks: FencedBlock[];
}

const FENCE_OPEN = /^[ \t]{0,3}(`{3,}|~{3,})/;

/** Separates ``` / ~~~ fenced blocks from prose; an unclosed fence runs to the end, as in CommonMark. */
export function splitFences(text: string): SplitText {
  const prose: string[] = [];
  const blocks: FencedBlock[] = [];
  let open: { marker: string; block: FencedBlock } | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (open) {
      const trimmed = line.trim();
      if (trimmed.startsWith(open.marker) && /^[`~]+$/.test(trimmed)) {
        blocks.push(open.block);
        open = null;
        prose.push("");
      } else {
        open.block.lines.push(line);
      }
      continue;
    }
    const m = FENCE_OPEN.exec(line);
    // A line holding a whole ```span``` is inline code, not a fence.
    if (m && !line.slice(m.index + m[0].length).includes(m[1])) {
      open = { marker: m[1], block: { lines: [] } };
    } else {
      prose.push(line);
    }
  }
  if (open) blocks.push(open.block);
  return { prose: prose.join("\n"), blocks };
}

/** `code`, ``code with ` inside``: a run of backticks closed by a run of the same length. */
export const INLINE_CODE = /(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g;
export const URL =
  /\b(?:https?|ftp):\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]}]|\bwww\.[^\s<>"'`]+[^\s<>"'`.,;:!?)\]}]/gi;

const EXTENSIONS =
  "py|pyi|ipynb|js|mjs|cjs|jsx|ts|tsx|json|jsonl|ya?ml|toml|ini|cfg|conf|env|md|rst|txt|csv|tsv|xml|html?|css|scss|" +
  "c|h|cc|cpp|hpp|cxx|java|kt|scala|go|rs|rb|php|cs|swift|m|r|jl|lua|pl|sh|bash|zsh|ps1|bat|sql|proto|lock|" +
  "gradle|dockerfile|makefile|vue|svelte|dart|ex|exs|erl|hs|ml|clj|tf|log|pdf|diff|patch";
/** `src/foo/bar.py`, `./a/b`, `C:\x\y.txt`, `core.py:42`; a bare name needs a known extension. */
export const FILE_PATH = new RegExp(
  // Both alternatives may only start where a path can: the lookbehinds keep the scan linear.
  String.raw`(?<![\w.@+~:\/\\-])(?:[A-Za-z]:\\|~?\/|\.{1,2}\/)?(?:[\w.@+-]+[\/\\])+[\w@+-][\w.@+-]*\.[A-Za-z][A-Za-z0-9]{0,9}(?::\d+){0,2}` +
    String.raw`|(?<![\w./\\-])[\w@+-][\w.@+-]*\.(?:${EXTENSIONS})(?::\d+){0,2}(?![\w/\\])`,
  "gi",
);

/** Identifiers a human would not say aloud: snake_case, camelCase, dotted.names, calls(). */
export const IDENTIFIER =
  /\b(?:[A-Za-z]\w*_\w+|[a-z]+[A-Z]\w*|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+\(?\)?|[A-Za-z_]\w*\(\))(?![\w.])/g;

/** Prose left when code, fenced blocks and URLs are blanked out; what the wording rules should read. */
export function proseOf(text: string, replacement = " "): string {
  return splitFences(text).prose.replace(INLINE_CODE, replacement).replace(URL, replacement);
}

// Double-quoted text is someone else's words ('the log says "why?"'). Single quotes only when they
// cannot be an apostrophe: not preceded by a letter, and on one line.
export const QUOTED = /"[^"\n]*"|“[^”]*”|«[^»]*»|(?<![\p{L}\p{N}])'[^'\n]{1,80}'(?![\p{L}\p{N}])/gu;
const INDENTED_LINE = /^(?: {4}|\t).*$/gm;
const BLOCKQUOTE_LINE = /^ {0,3}>.*$/gm;

/**
 * Natural-language text only: also drops indented code, paths and identifiers, which would fool a
 * language detector. With `dropQuotes`, quotations ("…", > lines) go too: an English error message
 * quoted in an Italian question is not the agent's language.
 */
export function naturalText(text: string, dropQuotes = false): string {
  const prose = proseOf(text).replace(INDENTED_LINE, " ");
  return (dropQuotes ? prose.replace(BLOCKQUOTE_LINE, " ").replace(QUOTED, " ") : prose)
    .replace(FILE_PATH, " ")
    .replace(IDENTIFIER, " ")
    .replace(/[ \t]+/g, " ")
    .trim();
}

// Sentence enders ICU cannot know are abbreviations. "etc." is left out on purpose: before a capital it
// usually does end a sentence, and before a lower-case word ICU already keeps going.
const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|vs|cf|viz|approx|resp|Dr|Mr|Mrs|Ms|Prof|St|Fig)\.["')\]]*\s*$/i;
const INITIAL = /(?:^|[\s(])\p{Lu}\.\s*$/u;
const HAS_LETTER = /\p{L}/u;

const sentenceSegmenter = new Intl.Segmenter("en", { granularity: "sentence" });
const wordSegmenter = new Intl.Segmenter("en", { granularity: "word" });

/**
 * Sentences of the prose, by Intl.Segmenter (ICU), with segments ICU cut too eagerly merged back:
 * after "e.g."/"Dr."-style abbreviations and initials ("J. R. R."), and list markers ("1.", "-")
 * that hold no word. ICU itself keeps "3.5", "v1.2.3" and "setup.py" whole (no space after the dot).
 * With `limit`, stops once more than `limit` sentences are found (the tail is then not exact).
 */
export function sentences(text: string, limit = Number.POSITIVE_INFINITY): string[] {
  const merged: string[] = [];
  let carry = "";
  // ICU yields segments lazily: callers that only need to know "more than N" stop early on long text.
  for (const { segment } of sentenceSegmenter.segment(proseOf(text, " code "))) {
    if (merged.length > limit) break;
    const joined = carry + segment;
    if (!HAS_LETTER.test(joined) || ABBREVIATION.test(joined) || INITIAL.test(joined)) {
      carry = joined;
      continue;
    }
    merged.push(joined);
    carry = "";
  }
  if (carry) {
    if (merged.length > 0 && !HAS_LETTER.test(carry)) merged[merged.length - 1] += carry;
    else merged.push(carry);
  }
  return merged.map((s) => s.trim()).filter((s) => HAS_LETTER.test(s));
}

// Scripts written without spaces need ICU's dictionary to find words; everything else is split by a
// regex, which is ~100x cheaper than iterating ICU word segments on long text.
const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]+/gu;
const SPACED_WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['’.-][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*/gu;

/** Word-like tokens (CJK and Thai through ICU); a code span, URL, path or identifier counts as one word. */
export function words(text: string): string[] {
  const flattened = splitFences(text)
    .prose.replace(INLINE_CODE, " code ")
    .replace(URL, " url ")
    .replace(FILE_PATH, " path ")
    .replace(IDENTIFIER, " name ");
  const unspaced = [...flattened.matchAll(UNSPACED)].flatMap(([run]) =>
    [...wordSegmenter.segment(run)].filter((s) => s.isWordLike).map((s) => s.segment),
  );
  return [...(flattened.replace(UNSPACED, " ").match(SPACED_WORD) ?? []), ...unspaced];
}

export function clip(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
