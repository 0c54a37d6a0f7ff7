/**
 * Research prompts that describe one entity over several sentences ("Which vessel am I thinking of? It was a
 * passenger ferry ... It ran aground in fog ..."). Their ask alone says nothing ("Which vessel?"), so it
 * borrows one or two of the entity's own predicates, generalised: "Which vessel was a passenger ferry ...?"
 * Only clauses whose subject is the entity (it, she, this person, the vessel, its title) are borrowed; the
 * others are about something else and would need their own subject.
 */
import { words } from "./common-words";
import { generalize } from "./generalise";
import { bareWord, countWords, cutAtBoundary, dropFillers, hardCut, trimEnds } from "./text";

const MAX_WORDS = 22;
const MIN_WORDS = 12;

interface Frame {
  /** The ask before the borrowed predicates: "Which vessel", "In which town is the observatory", "Who". */
  before: string;
  /** The last word of the entity's noun ("vessel", "observatory"); "" for "Who". */
  noun: string;
  /** The predicates attach through "that" ("the observatory that was founded ..."). */
  relative: boolean;
  /** The ask's own predicate ("Which species was first described ..."), kept first. */
  own?: Predicate;
}

interface Predicate {
  /** "was a passenger ferry ...", or after a possessive subject the rest of it: "title refers to ...". */
  text: string;
  /** The possessive that opened the clause ("its", "her"): the predicate is about a part of the entity. */
  owner?: string;
  /** The subject was a bare pronoun, which may point at whatever an earlier clause was about. */
  pronoun: boolean;
  /** The clause has no subject and continues the previous one: "..., was shot in black and white". */
  continued: boolean;
}

const NOUN = "((?:[\\p{L}'-]+\\s+){0,3}?[\\p{L}'-]+)";
const NOT_IN_NOUN = words(`
  is was are were am be been do does did has have had i you we it he she they this that these those of to in
  on at by for with from and or but which what who whom whose a an the name title called
`);
const WH_FILLER =
  "(?:am i|are we|is|was|do i|did i)\\s+(?:thinking of|describing|talking about|looking for|referring to|meant|being described|described(?: here)?|this|it|that)";
const WH_BARE = new RegExp(`^(which|what)\\s+${NOUN}(?:\\s+${WH_FILLER})?$`, "iu");
const WHO = new RegExp(`^who(?:\\s+${WH_FILLER}|\\s+(?:is|was)\\s+(?:this person|she|he))?$`, "i");
const IMPERATIVE_ASK =
  /^(?:please\s+)?(?:identify|name|find|determine|give|tell me|i need|i want|i(?:'m| am) (?:trying to (?:identify|find|remember)|looking for|thinking of))\s+(.*)$/i;
const NAME_OF = new RegExp(`^(?:the\\s+)?(?:name|title)\\s+of\\s+(?:the|a|an|this)\\s+${NOUN}$`, "iu");
const ARTICLE_NOUN = new RegExp(`^(?:the|a|an|this)\\s+${NOUN}$`, "iu");
// Greedy prefix: the last "this"/"the" starts the noun ("What is the name of this stadium").
const SLOT = /^((?:in |at |on |of )?(?:which|what|where)\b.*)\s+(this|the)\s+([\p{L}' -]+)$/iu;

const ENTITY_PRONOUN = /^(?:it|she|he)$/i;
const ENTITY_PHRASE = /^(?:this|that|the same)\s+(?:person|man|woman|one)$/i;
const PRONOUN_SUBJECT = /\b(?:it|she|he)\s+(?:is|was|has|had|\p{Ll}+ed)\b/iu;
const SUBJECT_DETERMINERS = words("the this that their his her its");
/** Adverbial openers a clause may carry before its subject: "As an adult she spent ...". */
const PREAMBLE_OPENERS = words("as in on at during by from for within throughout later then eventually");
const VERB =
  /^(?:is|was|are|were|has|had|have|can|could|will|would|became|becomes|remains|won|wrote|made|took|gave|began|ran|held|built|led|left|lost|grew|sold|spent|rose|fell|drew|saw|met|kept|brought|fought|\p{Ll}+ed)$/u;
const NOT_VERBS = words("its this his hers theirs thus perhaps always sometimes towards besides afterwards");
const BAD_PREDICATE_START = words("of to in on at by for with from and or but that which who a an the");
/**
 * A name the generaliser kept after "to" or "the" ("emigrated to Canada", "rises in the Alps"), unless it is
 * an adjective ("in the French army").
 */
const PLACE_NAME =
  /\b(in|at|near|from|across|into|through|to|towards|within|around)\s+(?:the\s+)?\p{Lu}[\p{L}'’-]*(?:\s+\p{Lu}[\p{L}'’-]*)*(?!\s+(?!(?:and|or|but|in|on|at|with|for|by|from|to|of|as|after|before|during|until|where|when|which|who|that)\b)\p{Ll})/gu;
const DATE_LEFTOVER = /\s*\b(?:at|before|after|since|until|till|by|from|through)\s+some point\b/g;

function nounOf(phrase: string): string | null {
  const tokens = phrase.trim().split(/\s+/);
  if (tokens.length === 0 || tokens.length > 4) return null;
  if (tokens.some((t) => NOT_IN_NOUN.has(t.toLowerCase()) || !/^[\p{L}'-]+$/u.test(t))) return null;
  return tokens[tokens.length - 1].toLowerCase();
}

function cleanPredicate(tokens: string[]): string {
  return trimEnds(dropFillers(tokens.join(" ").replace(DATE_LEFTOVER, "").replace(PLACE_NAME, "$1 a place")));
}

/** How the ask takes predicates, or null when it cannot ("What is the title of their second novel?"). */
function askFrame(sentence: string, goal: number): Frame | null {
  const ask = generalize(sentence, "research")
    .replace(/[?.!\s]+$/, "")
    .trim();
  if (WHO.test(ask)) return { before: "Who", noun: "", relative: false };
  const bare = WH_BARE.exec(ask);
  const bareNoun = bare && nounOf(bare[2]);
  if (bare && bareNoun) return { before: `${bare[1]} ${bare[2]}`, noun: bareNoun, relative: false };
  const imperative = IMPERATIVE_ASK.exec(ask)?.[1];
  if (imperative) {
    // "the name of the stadium", "the title of the novel": the same intent as "which stadium", "which novel".
    const phrase = NAME_OF.exec(imperative)?.[1] ?? ARTICLE_NOUN.exec(imperative)?.[1];
    const noun = phrase && nounOf(phrase);
    return phrase && noun ? { before: `Which ${phrase}`, noun, relative: false } : null;
  }
  const slot = SLOT.exec(ask);
  const slotNoun = slot && nounOf(slot[3]);
  if (slot && slotNoun && (slot[2].toLowerCase() === "this" || /\bof$/i.test(slot[1]))) {
    if (/^what is the (?:name|title) of$/i.test(slot[1]))
      return { before: `Which ${slot[3]}`, noun: slotNoun, relative: false };
    return { before: `${slot[1]} the ${slot[3]}`, noun: slotNoun, relative: true };
  }
  // "Which species was first described ...": a short ask with its own predicate takes one more.
  const own = /^(which|what)\s+(.+)$/i.exec(ask);
  if (own && countWords(ask) <= goal - 3) {
    const tokens = own[2].split(/\s+/);
    const verb = tokens.findIndex((t, i) => i > 0 && VERB.test(t));
    const noun = verb > 0 ? nounOf(tokens.slice(0, verb).join(" ")) : null;
    if (noun) {
      const predicate = checked({
        text: cleanPredicate(tokens.slice(verb)),
        pronoun: false,
        continued: false,
      });
      if (predicate)
        return {
          before: `${own[1]} ${tokens.slice(0, verb).join(" ")}`,
          noun,
          relative: false,
          own: predicate,
        };
    }
  }
  return null;
}

/** The clause's predicate about the entity ("was a passenger ferry ..."), or null when it is about another. */
function entityPredicate(clause: string, noun: string): Predicate | null {
  const tokens = clause.split(/\s+/).filter(Boolean);
  while (tokens.length > 0 && /^(?:and|but|so|then)$/i.test(tokens[0])) tokens.shift();
  const opener = tokens[0] ?? "";
  if (VERB.test(opener) || (/^\p{Ll}{3,}s$/u.test(opener) && !NOT_VERBS.has(opener))) {
    return checked({ text: cleanPredicate(tokens), pronoun: false, continued: true });
  }
  const starts = PREAMBLE_OPENERS.has(tokens[0]?.toLowerCase() ?? "") ? [0, 1, 2, 3, 4] : [0];
  for (const i of starts) {
    const word = tokens[i]?.toLowerCase() ?? "";
    let rest: string[] | null = null;
    let owner: string | undefined;
    if (ENTITY_PRONOUN.test(word)) rest = tokens.slice(i + 1);
    else if (ENTITY_PHRASE.test(tokens.slice(i, i + 3).join(" "))) rest = tokens.slice(i + 3);
    else if (ENTITY_PHRASE.test(tokens.slice(i, i + 2).join(" "))) rest = tokens.slice(i + 2);
    else if (SUBJECT_DETERMINERS.has(word)) {
      const head = noun ? tokens.slice(i + 1, i + 5).findIndex((t) => bareWord(t) === noun) : -1;
      if (head >= 0) rest = tokens.slice(i + head + 2);
      else if (/^(?:its|her|his)$/.test(word) && startsWithPossessed(tokens.slice(i + 1))) {
        rest = tokens.slice(i + 1);
        owner = word;
      }
    }
    if (rest === null) continue;
    return checked({
      text: cleanPredicate(rest),
      owner,
      pronoun: ENTITY_PRONOUN.test(word),
      continued: false,
    });
  }
  return null;
}

function checked(predicate: Predicate): Predicate | null {
  const first = bareWord(predicate.text.split(" ")[0] ?? "");
  return countWords(predicate.text) < 2 || BAD_PREDICATE_START.has(first) ? null : predicate;
}

/** "title refers to X", "main instrument is a refractor": one to three nouns, then a verb. */
function startsWithPossessed(tokens: string[]): boolean {
  for (let j = 1; j <= 3 && j < tokens.length; j++) {
    if (VERB.test(tokens[j]) || (/^\p{Ll}+s$/u.test(tokens[j]) && !/ed$/.test(tokens[j - 1]))) return true;
  }
  return false;
}

/**
 * The entity's predicates in one sentence. A bare "it" counts only in the first clause or after a clause
 * about the entity: in "The club that plays there was founded ..., and it won its cup", "it" is the club.
 * A clause without a subject counts only right after one about the entity.
 */
function sentencePredicates(sentence: string, noun: string): Predicate[] {
  const out: Predicate[] = [];
  let aboutEntity = false;
  let previousKept = false;
  const clauses = generalize(sentence, "research")
    .replace(/[?.!\s]+$/, "")
    .split(/\s*[;:]\s+|,\s+|\s+[—–]\s+|\s+-{1,2}\s+/)
    .filter((c) => c.trim() !== "");
  for (const [index, clause] of clauses.entries()) {
    const found = entityPredicate(clause, noun);
    const kept: boolean =
      found !== null && (found.continued ? previousKept : !found.pronoun || index === 0 || aboutEntity);
    if (found && kept) out.push(found);
    previousKept = kept;
    aboutEntity ||= kept || PRONOUN_SUBJECT.test(clause);
  }
  return out;
}

/** A long predicate also offers its first half: "has some arches and was completed ..." → "has some arches". */
function withShortened(predicate: Predicate): Predicate[] {
  const cut = predicate.owner ? undefined : /^(.+?)\s+and\s+\S/.exec(predicate.text)?.[1];
  return cut && countWords(cut) >= 3 ? [predicate, { ...predicate, text: trimEnds(cut) }] : [predicate];
}

/** "Which album" + "was recorded ...", "its title refers to ..." → "Which album was recorded ..., and its ...". */
function join(frame: Frame, predicates: Predicate[]): string | null {
  const [first, second] = predicates;
  let body: string;
  if (first.owner) {
    if (!frame.relative) return null;
    body = `whose ${first.text}`;
  } else body = `${frame.relative ? "that " : ""}${first.text}`;
  if (second) {
    const comma = second.owner || /\band\b/.test(first.text) ? "," : "";
    body += `${comma} and ${second.owner ? `${second.owner} ` : ""}${second.text}`;
  }
  return `${frame.before} ${body}`;
}

/** The first usable predicate cut at a clause boundary to fit `limit`, else the shortest way to fit at all. */
function fitted(frame: Frame, options: Predicate[], limit: number): Predicate | undefined {
  const plain = options.find((p) => !p.owner || frame.relative);
  if (plain === undefined) return undefined;
  const overhead = countWords(join(frame, [{ ...plain, text: "" }]) ?? "");
  const cut = cutAtBoundary(plain.text, limit - overhead, 3);
  if (cut) return { ...plain, text: cut };
  const whole = options.find((p) => countWords(join(frame, [p]) ?? "") <= MAX_WORDS);
  return whole ?? { ...plain, text: hardCut(plain.text, MAX_WORDS - overhead) };
}

/**
 * The ask with one or two of the entity's predicates, or null when no ask takes predicates or no clause is
 * about the entity. `asks` are the indices of the asking sentences, first preferred; `target` the word count
 * the paper's ratio gives for the prompt.
 */
export function describedEntityAsk(sentences: string[], asks: number[], target: number): string | null {
  const goal = Math.min(MAX_WORDS - 4, Math.max(MIN_WORDS, target));
  let found: Frame | null = null;
  for (const i of asks) {
    found = askFrame(sentences[i], goal);
    if (found) break;
  }
  if (!found) return null;
  const frame = found;
  const candidates = sentences
    .flatMap((sentence, i) => (asks.includes(i) ? [] : sentencePredicates(sentence, frame.noun)))
    // A proper name the generaliser kept ("emigrated to Canada") makes a predicate the last choice.
    .sort((a, b) => Number(/\s\p{Lu}/u.test(` ${a.text}`)) - Number(/\s\p{Lu}/u.test(` ${b.text}`)));
  if (candidates.length === 0) return null;
  const size = (predicates: Predicate[]) => countWords(join(frame, predicates) ?? "x ".repeat(99));
  const options = candidates.flatMap(withShortened);
  const first = frame.own ?? options.find((p) => size([p]) <= goal + 2) ?? fitted(frame, options, goal + 2);
  if (first === undefined) return null;
  // A first predicate that leaves the ask under the minimum may take a longer second one.
  const room = size([first]) < MIN_WORDS ? MAX_WORDS - 2 : goal + 2;
  const overlaps = (p: Predicate) => first.text.startsWith(p.text) || p.text.startsWith(first.text);
  const second =
    size([first]) < goal ? options.find((p) => !overlaps(p) && size([first, p]) <= room) : undefined;
  if (second) return join(frame, [first, second]);
  // Still under the minimum: the whole of a predicate that was shortened to fit.
  const whole = options.find(
    (p) => p.text.startsWith(first.text) && size([p]) > size([first]) && size([p]) <= room,
  );
  return join(frame, [size([first]) < MIN_WORDS && whole ? whole : first]);
}
