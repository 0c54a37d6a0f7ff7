/** Research: the core ask of the question (wh-phrase, main noun, first predicate), most constraints dropped. */
import { words } from "./common-words";
import { describedEntityAsk } from "./described-entity";
import { generalize } from "./generalise";
import { proseParagraphs, splitSentences, stripGreeting } from "./prompt-reading";
import { PLEASANTRY } from "./task";
import {
  bareWord,
  capitalize,
  countWords,
  cutAtBoundary,
  dropFillers,
  hardCut,
  splitSegments,
  trimEnds,
} from "./text";

// Paper §4.1: BrowseComp ~97 → ~18 words.
const RESEARCH_RATIO = 18 / 97;
const RESEARCH_MIN_TARGET = 10;
const RESEARCH_MAX_TARGET = 18;
const RESEARCH_MAX_WORDS = 25;

const ASK_CUE =
  /^(?:please\s+)?(?:(?:can|could|would)\s+you\s+(?:please\s+)?)?(?:which|what|who|whom|whose|where|when|why|how|identify|name|find|determine|tell me|give me|provide|list|i(?:'m| am) (?:looking for|trying to (?:find|identify|remember))|i want to know|i(?:'d| would) like to know)\b/i;
const IMPERATIVE =
  /^(?:please\s+)?(?:(?:can|could|would)\s+you\s+(?:please\s+)?)?(?:identify|name|find|determine|tell me|give me|provide|find out|figure out|i(?:'m| am) (?:looking for|trying to (?:find|identify|remember))|i want to know|i(?:'d| would) like to know)\s+(.*)$/i;
/** A sentence that asks rather than describes, in a prompt that describes its entity over several. */
const ASK_SENTENCE =
  /^(?:please\s+)?(?:identify|name|find|determine|give|tell me|i need|i want|i(?:'m| am) (?:trying to (?:identify|find|remember)|looking for|thinking of))\b/i;
const QUESTION_START =
  /^(?:in |at |on |for |from |by |of |to )?(?:which|what|who|whom|whose|where|when|why|how|is|are|was|were|do|does|did|can|could|should|would|will|has|have|had)\b/i;
const INSERTION_OPENERS = words(`
  born founded established located based known situated formed created built released published written
  directed produced named nicknamed originally also once formerly later who whom which whose where when
  while although though despite in on at with without from between during after before since by for as
  like having being a an the and or but not including especially particularly possibly perhaps probably
  if whereas according approximately around about near along among this that these those its their his
  her some
`);

function asQuestion(sentence: string): { text: string; question: boolean } {
  const text = sentence.trim();
  const imperative = IMPERATIVE.exec(text);
  if (imperative) {
    const rest = imperative[1];
    const nameOf = /^the name of\s+(.*)$/i.exec(rest);
    if (nameOf) return { text: `What is the name of ${nameOf[1]}`, question: true };
    // "identify the X who did Y" → "Which X did Y"
    const relative = /^(?:the|a|an)\s+([^,]+?)\s+(?:who|that|which)\s+(.*)$/i.exec(rest);
    if (relative) return { text: `Which ${relative[1]} ${relative[2]}`, question: true };
    const article = /^(?:the|a|an)\s+(.*)$/i.exec(rest);
    if (article) return { text: `Which ${article[1]}`, question: true };
    if (QUESTION_START.test(rest)) return { text: rest, question: true };
  }
  return { text, question: /\?["')\]]*$/.test(text) || QUESTION_START.test(text) };
}

function isInsertion(segment: string): boolean {
  const first = bareWord(segment.split(/\s+/)[0] ?? "");
  return (
    INSERTION_OPENERS.has(first) ||
    /^\p{L}+(?:ed|en|wn)\s+(?:in|by|on|at|from|during|between|after|before|as|for|with|under|to|near|into)\b/iu.test(
      segment,
    )
  );
}

function coreAsk(question: string, target: number): string {
  const segments = splitSegments(question.replace(/[?.!\s]+$/, ""));
  if (segments.length === 0) return "";
  let out = segments[0];
  let lastKept = 0;
  let predicate = false;
  // A head that is a whole question on its own stays whole up to the largest target.
  let limit = Math.max(target, Math.min(RESEARCH_MAX_TARGET, countWords(out)));
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    const lastChance = i === segments.length - 1 && !predicate && !/^(?:and|or|but)\b/i.test(segment);
    if (isInsertion(segment) && !lastChance) continue;
    const joined = `${out}${lastKept === i - 1 ? "," : ""} ${segment}`;
    // A bare head ("Which football club") needs its predicate whatever the budget says.
    const needsPredicate = !predicate && countWords(segments[0]) < 6;
    predicate = true;
    if (!needsPredicate && countWords(joined) > target) break;
    out = joined;
    lastKept = i;
    if (needsPredicate) limit = Math.max(target, Math.min(RESEARCH_MAX_TARGET, countWords(out)));
  }
  if (countWords(out) > limit) out = dropFillers(out);
  if (countWords(out) <= limit) return trimEnds(out);
  const cut = cutAtBoundary(out, limit, 6);
  if (cut) return cut;
  if (countWords(out) <= RESEARCH_MAX_WORDS) return trimEnds(out);
  return cutAtBoundary(out, RESEARCH_MAX_WORDS, 6) ?? hardCut(out, RESEARCH_MAX_WORDS);
}

export function researchDraft(prompt: string): { text: string; question: boolean } {
  const sentences = proseParagraphs(prompt)
    .flatMap((p) => splitSentences(p.text))
    .map(stripGreeting)
    .filter((s) => s && !PLEASANTRY.test(s));
  if (sentences.length === 0) return { text: "", question: false };
  const asks = sentences.flatMap((s, i) => (/\?["')\]]*$/.test(s) || ASK_SENTENCE.test(s) ? [i] : []));
  const described =
    asks.length < sentences.length &&
    describedEntityAsk(sentences, asks, Math.round(countWords(sentences.join(" ")) * RESEARCH_RATIO));
  if (described) return { text: described, question: true };
  let askIndex = sentences.findIndex((s) => /\?["')\]]*$/.test(s));
  if (askIndex < 0) askIndex = sentences.findIndex((s) => ASK_CUE.test(s));
  if (askIndex < 0) askIndex = sentences.length - 1;
  const ask = asQuestion(sentences[askIndex]);
  const target = Math.min(
    RESEARCH_MAX_TARGET,
    Math.max(RESEARCH_MIN_TARGET, Math.round(countWords(sentences.join(" ")) * RESEARCH_RATIO)),
  );
  let text = coreAsk(generalize(ask.text, "research"), target);
  const room = RESEARCH_MAX_TARGET - countWords(text);
  const contextIndex = sentences.findIndex((_, i) => i !== askIndex && !asks.includes(i));
  if (contextIndex >= 0 && countWords(text) < RESEARCH_MIN_TARGET && room >= 4) {
    // A short ask leans on the description ("... What is the title of their second novel?").
    const context = splitSegments(generalize(sentences[contextIndex], "research"))[0] ?? "";
    const fitted = cutAtBoundary(context, room, 4) ?? hardCut(context, room);
    if (countWords(fitted) >= 4) text = `${capitalize(trimEnds(fitted))}. ${capitalize(text)}`;
  }
  return { text, question: ask.question };
}
