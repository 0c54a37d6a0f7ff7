export interface JsonShapeLimits {
  /** Deepest nesting of arrays and objects. */
  depth: number;
  /** Most elements in one array. */
  arrayItems: number;
  /** Most array elements and object members in the whole document. */
  values: number;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const isSpace = (ch: number) => ch === 32 || ch === 10 || ch === 13 || ch === 9;

/**
 * Measures a JSON text without parsing it, in one pass and constant memory per nesting level, and says which
 * limit it breaks, if any. zod validates every element of an array before its `.max()` check and spreads each
 * child's issues into its parent's (`push(...issues)`), so a body with ~130k invalid values overflows the stack
 * whatever the schema's bounds; this check runs first. Malformed JSON is not judged here: JSON.parse rejects it.
 */
export function jsonShapeViolation(text: string, limits: JsonShapeLimits): string | null {
  const counts: number[] = [];
  const arrays: boolean[] = [];
  let depth = 0;
  let total = 0;
  let inString = false;
  let opened = false;
  const counted = () => {
    total++;
    if (total > limits.values) return `The body holds more than ${limits.values} values.`;
    counts[depth - 1]++;
    if (arrays[depth - 1] && counts[depth - 1] > limits.arrayItems)
      return `An array in the body has more than ${limits.arrayItems} elements.`;
    return null;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === BACKSLASH) i++;
      else if (ch === QUOTE) inString = false;
      continue;
    }
    if (isSpace(ch)) continue;
    if (opened) {
      // The first non-space character after `[` or `{` starts its first element, unless it closes it.
      opened = false;
      if (ch !== CLOSE_ARRAY && ch !== CLOSE_OBJECT) {
        const broken = counted();
        if (broken) return broken;
      }
    }
    if (ch === QUOTE) inString = true;
    else if (ch === OPEN_ARRAY || ch === OPEN_OBJECT) {
      depth++;
      if (depth > limits.depth)
        return `The body nests arrays and objects deeper than ${limits.depth} levels.`;
      counts[depth - 1] = 0;
      arrays[depth - 1] = ch === OPEN_ARRAY;
      opened = true;
    } else if (ch === CLOSE_ARRAY || ch === CLOSE_OBJECT) {
      if (depth > 0) depth--;
    } else if (ch === COMMA && depth > 0) {
      const broken = counted();
      if (broken) return broken;
    }
  }
  return null;
}
