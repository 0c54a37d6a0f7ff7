/** Tidying and cutting of generalised text. */
import { words } from "./common-words";

const FILLERS = words(`
  actually basically mistakenly accidentally currently apparently unfortunately simply really just probably
  possibly obviously clearly certainly definitely essentially generally usually typically recently
  previously sometimes occasionally suddenly randomly seemingly somehow eventually initially originally
  additionally also even still quite very rather somewhat slightly totally completely entirely heavily
  extremely
`);
export const DANGLING = words(`
  a an the of to in on at by for with from and or but that which who whose when where while as like via if
  than then so because since into onto about over under between is are was were be been this these those
  its their his her our my your see e.g i.e such using
`);
const LEADING_DROP = words("and but or so also then because however");
const BOUNDARY_WORDS = words(`
  and but who whom whose which that where when while with in on at for from between during after before since
  by as whereas although though including despite because if without
`);

export function countWords(text: string): number {
  let n = 0;
  for (const token of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(token)) n++;
  return n;
}

function startsWithVowelSound(word: string): boolean {
  if (/^(?:uni|use|usu|uti|eu|one|once|ubi|ur[aei])/i.test(word)) return false;
  if (/^(?:hour|honest|honou?r|heir)/i.test(word)) return true;
  return /^[aeiou]/i.test(word);
}

export function tidy(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/\(\s*\)|\[\s*\]|""|''|“”/g, " ")
    .replace(/\s+([,.;:!?])/g, "$1")
    .replace(/([,;:])(?:\s*[,;:])+/g, "$1")
    .replace(/^[\s,.;:!?)\]—–-]+/, "")
    .replace(/\b(\p{L}+)\s+\1\b/giu, "$1")
    .replace(/\b(?:a|an|the|some)\s+(?=(?:some|a few|a|an)\s)/gi, "")
    .replace(
      /(^|[^\p{L}])(a|an|A|An)\s+(\p{L}[\p{L}'-]*)/gu,
      (m, lead: string, article: string, next: string) => {
        if (/^[A-Z]/.test(article) && lead !== "") return m;
        if (/^[A-Z]{2,}/.test(next)) return m;
        const an = startsWithVowelSound(next);
        const fixed = /^[Aa]$/.test(article) ? (an ? `${article}n` : article) : an ? article : article[0];
        return `${lead}${fixed} ${next}`;
      },
    )
    .replace(/\s+/g, " ")
    .trim();
}

export function bareWord(token: string): string {
  return token
    .toLowerCase()
    .replace(/[^\p{L}'.]/gu, "")
    .replace(/\.$/, "");
}

export function trimEnds(text: string): string {
  const tokens = text.split(/\s+/).filter(Boolean);
  while (tokens.length > 0) {
    const bare = bareWord(tokens[tokens.length - 1]);
    if (bare === "" || DANGLING.has(bare)) tokens.pop();
    else break;
  }
  while (tokens.length > 0 && LEADING_DROP.has(bareWord(tokens[0]))) tokens.shift();
  return tokens.join(" ").replace(/[\s,;:.!?…—–-]+$/, "");
}

export function dropFillers(text: string): string {
  return tidy(
    text
      .split(/\s+/)
      .filter((token) => !FILLERS.has(bareWord(token)))
      .join(" "),
  );
}

/** The longest prefix of at most `limit` words that ends before a clause boundary, or null. */
export function cutAtBoundary(text: string, limit: number, minWords: number): string | null {
  if (countWords(text) <= limit) return text;
  const tokens = text.split(/\s+/).filter(Boolean);
  let best = -1;
  for (let i = minWords; i < tokens.length && i <= limit; i++) {
    if (BOUNDARY_WORDS.has(bareWord(tokens[i])) || /[,;:]$/.test(tokens[i - 1])) best = i;
  }
  return best < 0 ? null : trimEnds(tokens.slice(0, best).join(" "));
}

export function hardCut(text: string, limit: number): string {
  return trimEnds(text.split(/\s+/).filter(Boolean).slice(0, limit).join(" "));
}

export function splitSegments(text: string): string[] {
  return text
    .split(/\s*[;,]\s+|\s+[—–]\s+|\s+-{1,2}\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function capitalize(text: string): string {
  return text.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
}
