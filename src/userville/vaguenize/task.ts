/** SWE / general: the issue title, else the first sentence that states the problem or goal. */
import { generalize } from "./generalise";
import { proseParagraphs, splitSentences, stripGreeting } from "./prompt-reading";
import { countWords, cutAtBoundary, dropFillers, hardCut, splitSegments, tidy, trimEnds } from "./text";
import type { VaguenizeFamily } from "./types";

// Paper §4.1: SWE-bench ~194 → ~11 words.
const TASK_MAX_WORDS = 16;
const MIN_CUT_WORDS = 5;

const GOAL_CUE =
  /\b(?:errors?|exceptions?|fail(?:s|ed|ing|ure)?|crash(?:es|ed)?|bugs?|wrong|incorrect(?:ly)?|unexpected(?:ly)?|misleading|confusing|broken|breaks|doesn'?t|does not|don'?t|do not|isn'?t|is not|aren'?t|not work|cannot|can'?t|could not|couldn'?t|unable|should(?:n'?t)?|would be|would like|i'?d like|wants?|expected|rais(?:e|es|ed|ing)|throws?|thrown|returns?|missing|ignor(?:e|es|ed|ing)|problem|issue|regression|support|allow|add|deprecat\w*|instead|inconsistent|slow|hangs?|leaks?|warn(?:s|ing)?|invalid|impossible|no longer|anymore|needs?|improve|feature|propose)\b/i;
export const PLEASANTRY =
  /^(?:thanks|thank you|cheers|regards|best|kind regards|sorry|apologies|first of all|first off|i hope|hope you|great (?:work|library|project|package)|love (?:this|the)|this is my first)\b/i;
const LEAD_IN =
  /^(?:so,?\s+|basically,?\s+|currently,?\s+|unfortunately,?\s+|apparently,?\s+|recently,?\s+|it (?:seems|looks|appears)(?: like| that| as if)?\s+|i(?:'ve| have)? (?:just )?(?:noticed|found|discovered|realized|realised|observed|encountered|come across|ran into|run into|stumbled (?:on|upon|across))(?: that)?\s+|i think(?: that)?\s+|i believe(?: that)?\s+|i(?:'d| would) like to\s+|it would be (?:nice|great|good|useful|helpful|cool) (?:to|if)\s+|please\s+|there (?:is|seems to be|appears to be) (?:a|an) (?:bug|issue|problem) (?:where|when|in which)\s+)/i;
const TITLE_TAG =
  /^\s*(?:\[[^\]]*\]\s*)+|^\s*(?:BUG|ENH|DOC|MAINT|TST|BLD|API|DEP|PERF|CLN|TYP|CI|FIX|FEAT|REF|STY|bug|feat|fix|docs|chore)(?:\([^)]*\))?\s*:\s*/;
const SUBORDINATE = /^(?:when|whenever|if|after|while|once|since|because|although|though)\b/i;
const RELATIVE_TAIL = /\s+(?:that|which|who|whose|where)\b.*$/i;

function stripLeadIns(text: string): string {
  let s = text;
  for (let previous = ""; previous !== s; ) {
    previous = s;
    s = s.replace(LEAD_IN, "");
  }
  return s;
}

function goalSentence(prompt: string, family: VaguenizeFamily): string | null {
  const paragraphs = proseParagraphs(prompt);
  const ordered = [...paragraphs.filter((p) => !p.detail), ...paragraphs.filter((p) => p.detail)];
  let fallback: string | null = null;
  for (const paragraph of ordered) {
    for (const raw of splitSentences(paragraph.text)) {
      const sentence = stripLeadIns(stripGreeting(raw));
      if (!sentence || PLEASANTRY.test(sentence)) continue;
      const cue = GOAL_CUE.test(sentence);
      if (!cue && fallback !== null) continue;
      const general = generalize(sentence, family);
      if (countWords(general) < 3) continue;
      if (cue) return general;
      fallback = general;
    }
  }
  return fallback;
}

function joinSegments(segments: string[]): string {
  return segments.join(", ");
}

/** Fits a task sentence into the SWE budget, keeping the first segment (topic) and the problem segment. */
function compressTask(text: string): string {
  let s = tidy(text);
  if (countWords(s) <= TASK_MAX_WORDS) return s;
  s = dropFillers(s);
  if (countWords(s) <= TASK_MAX_WORDS) return s;
  let segments = splitSegments(s).map((seg) => (GOAL_CUE.test(seg) ? seg : seg.replace(RELATIVE_TAIL, "")));
  for (let i = segments.length - 1; i > 0 && countWords(joinSegments(segments)) > TASK_MAX_WORDS; i--) {
    if (!GOAL_CUE.test(segments[i])) segments.splice(i, 1);
  }
  const problem = segments.findIndex((seg) => GOAL_CUE.test(seg));
  if (
    countWords(joinSegments(segments)) > TASK_MAX_WORDS &&
    problem > 0 &&
    countWords(segments[problem]) >= 4
  ) {
    // "When X, Y fails" → "Y fails when X", so that a cut keeps the problem and loses the circumstances.
    const circumstance = SUBORDINATE.test(segments[0])
      ? ` ${segments[0].replace(/^\p{Lu}/u, (c) => c.toLowerCase())}`
      : "";
    segments = [`${trimEnds(segments.slice(problem).join(", "))}${circumstance}`];
  }
  s = joinSegments(segments);
  return cutAtBoundary(s, TASK_MAX_WORDS, MIN_CUT_WORDS) ?? hardCut(s, TASK_MAX_WORDS);
}

export function taskDraft(prompt: string, title: string | null | undefined, family: VaguenizeFamily): string {
  if (title) {
    const general = generalize(stripLeadIns(title.replace(TITLE_TAG, "")), family);
    if (countWords(general) >= 3) return compressTask(general);
  }
  return compressTask(goalSentence(prompt, family) ?? "");
}
