/** Proper names (research questions): capitalised sequences not at sentence start become a general noun. */
import { words } from "./common-words";
import { DETERMINERS, ph } from "./placeholders";

export const NAME_SEQUENCE =
  /(?<![\p{L}\p{N}_'’])(?:(?:[A-Z]\.){1,3}|[A-Z][\p{L}’'-]*)(?:\s+(?:(?:of|the|de|da|del|della|di|du|van|von|der|den|la|le|y)\s+)*(?:(?:[A-Z]\.){1,3}|[A-Z][\p{L}’'-]*))*/gu;
export const NOT_NAMES = words(`
  I A The In On At Of For From By With Which What Who Whom Whose Where When Why How Is Are Was Were Did Do
  Does Can Could Should Would Will Has Have Had Name Identify Find Please This That These Those It Its He She
  They Their His Her After Before During Between Since Until And Or But If As An To
`);
export const NON_PLACE_WORDS = words(`
  English French Spanish German Italian Portuguese Russian Chinese Japanese Korean Arabic Latin Greek Dutch
  Swedish Norwegian Danish Finnish Polish Hindi Hebrew Turkish Persian Irish Welsh Scottish Monday Tuesday
  Wednesday Thursday Friday Saturday Sunday
`);
const PLACE_PREPOSITIONS = words(
  "in at near from across outside inside around into towards toward through within",
);
const NAME_MODIFIED_NOUNS = words(`
  club clubs team teams player players league film films movie movies song songs album albums band book books
  novel novels series show shows university city town station river award prize company season seasons final
  finals match game games tournament cup stadium party church school district region province state country
  language festival magazine newspaper character characters episode episodes actor actress singer author
  writer director politician president captain manager coach champion championship record label edition
  painting building museum airport line army war battle dynasty era
`);

const QUANTIFIERS = words("few several many some both all two three four five six seven eight nine ten");

function plural(noun: string): string {
  if (noun === "person") return "people";
  return noun.endsWith("y") ? `${noun.slice(0, -1)}ies` : `${noun}s`;
}

export function guessNameNoun(tokens: string[], previous: string): string {
  const joined = ` ${tokens.join(" ")} `;
  if (/ (?:FC|AFC|CF|SC|United|Rovers|Athletic|Wanderers|Albion|Hotspur|Rangers|Celtic|Club) /.test(joined)) {
    return "club";
  }
  if (/ (?:University|College|Institute) /.test(joined)) return "university";
  if (/ (?:School|Academy) /.test(joined)) return "school";
  if (
    / (?:Inc|Ltd|LLC|Corp|Corporation|Company|Group|Records|Studios|Press|Airlines|Bank|Motors|Pictures) /.test(
      joined,
    )
  ) {
    return "company";
  }
  if (/ (?:Awards?|Prizes?|Medals?|Troph(?:y|ies)) /.test(joined)) return "award";
  if (/ (?:Cup|League|Championships?|Olympics|Games|Open|Tournament) /.test(joined)) return "competition";
  if (/ (?:Festival|Conference|Expo|War|Battle|Revolution) /.test(joined)) return "event";
  if (/ (?:Kingdom|Republic|Empire|Federation) /.test(joined)) return "country";
  if (PLACE_PREPOSITIONS.has(previous)) return "place";
  if (
    / (?:River|Lake|Mount|Mountains?|Islands?|Sea|Ocean|Bay|Valley|Park|Street|Road|Avenue|Square|Bridge|Stadium|Arena|Castle|Palace|Cathedral|Church|Museum|Tower|County|Province|City|District) /.test(
      joined,
    )
  ) {
    return "place";
  }
  if (tokens.length <= 3 && tokens.every((t) => /^(?:[A-Z][a-z’'-]+|(?:[A-Z]\.)+)$/.test(t))) return "person";
  return "thing";
}

export function generalizeNames(text: string): string {
  return text.replace(NAME_SEQUENCE, (match: string, offset: number, whole: string) => {
    const tokens = match.split(/\s+/);
    let previous = /(\S+)\s*$/.exec(whole.slice(0, offset))?.[1] ?? "";
    const atStart = previous === "" || /[.!?:"“]$/.test(previous);
    let leading = "";
    while (tokens.length > 0 && NOT_NAMES.has(tokens[0])) {
      previous = tokens[0];
      leading += `${tokens.shift()} `;
    }
    // A capitalised word that opens the sentence may be any word: leave it.
    if (tokens.length === 0 || (atStart && leading === "")) return match;
    const possessive = /['’]s$/.test(tokens[tokens.length - 1]);
    if (possessive) tokens[tokens.length - 1] = tokens[tokens.length - 1].replace(/['’]s$/, "");
    const before = previous.toLowerCase();
    const next = (/^\s*([\p{L}']+)/u.exec(whole.slice(offset + match.length))?.[1] ?? "").toLowerCase();
    if (DETERMINERS.has(before) && (NAME_MODIFIED_NOUNS.has(next) || /^(?:which|what|whose)$/.test(before))) {
      return ` ${leading}`;
    }
    const capitalised = tokens.filter((t) => /^[A-Z]/.test(t));
    if (capitalised.length === 1) {
      const single = capitalised[0];
      if (!PLACE_PREPOSITIONS.has(before) || NON_PLACE_WORDS.has(single) || /(?:ish|ese)$/.test(single))
        return match;
    }
    const noun = guessNameNoun(tokens, before);
    // "a few Nobel Prizes" → "a few awards", not "a few an award".
    if (QUANTIFIERS.has(before)) return ` ${leading}${plural(noun)} `;
    return ` ${leading}${ph(noun).trim()}${possessive ? "'s" : ""} `;
  });
}
