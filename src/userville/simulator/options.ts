/** Multiple-choice questions for the do_selection user: which lettered options a question offers. */
import { checkDoSelection } from "../checkers/questions";
import { proseOf } from "../checkers/text";

export interface Option {
  letter: string;
  text: string;
}

// The marker forms the do_selection checker accepts: "A) …", "(A) …", "[A] …", "A. …", "A: …", "a) …".
const MARKER = /(?<=^|[\s(*_>])(?:\(([A-Za-z])\)|\[([A-Za-z])\]|([A-Z])[.):\]]|([a-z])\))(?=[\s*_]|$)/gmu;

/**
 * The lettered options of a question, in order, each with its text up to the next marker; the last one
 * stops at the end of its line or question mark. Empty when the checker sees no A/B choice.
 */
export function lettersOffered(question: string): Option[] {
  if (!checkDoSelection(question).compliant) return [];
  const prose = proseOf(question);
  const markers = [...prose.matchAll(MARKER)].map((m) => ({
    letter: (m[1] ?? m[2] ?? m[3] ?? m[4]).toUpperCase(),
    start: m.index,
    end: m.index + m[0].length,
  }));
  const seen = new Set<string>();
  const options: Option[] = [];
  markers.forEach((marker, i) => {
    if (seen.has(marker.letter)) return;
    seen.add(marker.letter);
    let text = prose.slice(marker.end, markers[i + 1]?.start ?? prose.length);
    if (i === markers.length - 1) text = text.split(/[?\n]/)[0];
    text = text
      .replace(/\*\*|^[*_\s]+|[*_\s]+$/g, "")
      .replace(/[\s,;]*(?:\bor\b)?[\s,;]*$/i, "")
      .trim();
    if (text) options.push({ letter: marker.letter, text });
  });
  return options;
}
