/** Reading the prompt: prose paragraphs without code, traces, environment dumps or section labels. */
import { words } from "./common-words";
import { countWords } from "./text";

// Bounds what the regexes see, so that a pathological prompt cannot make them slow.
const MAX_PROMPT_CHARS = 20_000;

interface Paragraph {
  text: string;
  /** Under a heading such as "Steps to reproduce" or "System details": read only when nothing else is. */
  detail: boolean;
}

const TRACEBACK_START = /^(?:Traceback \(most recent call last\)|Stack ?trace|Exception in thread)/i;
const EXCEPTION_LINE = /^(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt)\b(?::|$)/;
const DETAIL_SECTION =
  /\b(?:system|versions?|environment|platform|traceback|stack|output|logs?|reproduc|steps|code|example|snippet|setup|install|config|actual|expected|workaround|additional|details|screenshots?)/i;
const CODE_LINE: RegExp[] = [
  /^(?:>>>|\.\.\.\s|\$\s|%\s|In \[\d*\]|Out\[\d*\])/,
  /^File ".*", line \d+/,
  EXCEPTION_LINE,
  /^(?:import\s+[\w.]+|from\s+[\w.]+\s+import\b|def\s+\w+\s*\(|async\s+def\b|class\s+\w+\s*[(:]|return\b|raise\s+\w|assert\s|print\s*\(|@\w+|if __name__|elif\b|else:|try:|except\b|finally:|lambda\b)/,
  /^(?:with|for|while|if)\s.+:$/,
  /^[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*[-+*/|&]?=(?!=)\s*\S/,
  /^[\w.]+\(.*\)\s*;?$/,
  /^(?:pip3?|conda|python3?|npm|npx|yarn|pnpm|git|cd|ls|pytest|tox|sudo|export|echo|curl|wget|docker|brew|apt(?:-get)?|mkdir|rm|cargo|poetry|uv)\s+\S/,
  /[{;]$|^[}\])]|^(?:\/\/|\/\*|\*\/|<\?)/,
  /^(?:os|platform|python|version|versions|system|machine|release|processor|architecture|arch|kernel|browser|node|database|db|numpy|scipy|pandas|django|astropy|sympy|matplotlib|sphinx|pytest|requests|flask|xarray|sklearn|scikit-learn|pylint)\b[\w .-]{0,20}:/i,
];

function isCodeLine(line: string): boolean {
  if (/^(?: {4,}|\t)/.test(line)) return true;
  const t = line.trim();
  if (CODE_LINE.some((re) => re.test(t))) return true;
  if (
    /^[A-Za-z][\w .()/+-]{0,40}?[:=]?\s*v?\d+(?:\.\d+)+\S*/.test(t) &&
    (countWords(t) <= 6 || t.includes("|"))
  ) {
    return true;
  }
  if (!/\s/.test(t) && t.length > 12 && /[._/\\:=-]/.test(t)) return true;
  const symbols = (t.match(/[(){}[\]=<>;*\\|]/g) ?? []).length;
  return t.length >= 6 && symbols / t.length > 0.12;
}

function headingText(t: string): string | null {
  const hashes = /^#{1,6}\s+(.*?)\s*#*$/.exec(t);
  if (hashes) return hashes[1];
  const bold = /^(?:\*\*|__)([^*_]+)(?:\*\*|__):?$/.exec(t);
  if (bold) return bold[1];
  if (/^[A-Z][\w /()&-]{0,40}:$/.test(t) && countWords(t) <= 5) return t.slice(0, -1);
  if (
    /^(?:description|summary|details|problem|environment|versions?|traceback|steps to reproduce|expected (?:behaviou?r|results?|output)|actual (?:behaviou?r|results?|output)|reproduction|minimal example|example|output)$/i.test(
      t,
    )
  ) {
    return t;
  }
  return null;
}

// Case is spelled out: a case-insensitive addressee class would swallow "Hi I noticed ...".
const GREETING = new RegExp(
  "^(?:[Dd]ear\\b[^,.!\\n]{0,40}[,.!:]\\s*|" +
    "(?:[Hh]i|[Hh]ello|[Hh]ey|[Hh]iya|[Hh]owdy|[Gg]reetings|[Gg]ood (?:morning|afternoon|evening))\\b" +
    "(?:\\s+(?:all|team|everyone|everybody|there|folks|guys|y'all|maintainers|devs|developers|friends|again|@[\\w-]+|(?!I\\b)[A-Z][a-z][\\w-]*))*" +
    "(?:\\s*[,!.:;\\u2014\\u2013-]+\\s*|\\s*$|\\s+(?=(?:I|I'm|I've|we|We|my|My|our|Our|when|When|it|It)\\b)))",
);

export function stripGreeting(text: string): string {
  return text.replace(GREETING, "").trim();
}

export function proseParagraphs(prompt: string): Paragraph[] {
  const text = prompt
    .slice(0, MAX_PROMPT_CHARS)
    .replace(/\r\n?/g, "\n")
    .replace(/<!--[\s\S]*?(?:-->|$)/g, "");
  const out: Paragraph[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let inTrace = false;
  let detail = false;
  const flush = () => {
    if (current.length > 0) out.push({ text: current.join(" "), detail });
    current = [];
  };
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    const fenceMark = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = null;
      continue;
    }
    if (fenceMark) {
      flush();
      fence = fenceMark;
      continue;
    }
    if (!trimmed) {
      flush();
      inTrace = false;
      continue;
    }
    if (TRACEBACK_START.test(trimmed)) {
      flush();
      inTrace = true;
      continue;
    }
    if (inTrace) {
      if (EXCEPTION_LINE.test(trimmed)) inTrace = false;
      continue;
    }
    const heading = headingText(trimmed);
    if (heading !== null) {
      flush();
      detail = DETAIL_SECTION.test(heading);
      continue;
    }
    if (isCodeLine(line) || /^[>|]/.test(trimmed) || stripGreeting(trimmed) === "") {
      flush();
      continue;
    }
    const item = /^(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$/.exec(trimmed);
    if (item) {
      flush();
      current.push(item[1]);
      flush();
      continue;
    }
    current.push(trimmed);
  }
  flush();
  return out;
}

const ABBREVIATIONS = words(`
  e.g i.e etc vs mr mrs ms dr st jr sr fig approx u.s u.k inc ltd co corp cf al prof gen mt ft ca a.k.a
`);

export function splitSentences(paragraph: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const m of paragraph.matchAll(/[.!?]+["')\]]*(?=\s+["'([`*_]?[A-Z0-9]|\s*$)/g)) {
    const index = m.index ?? 0;
    const lastWord = /(\S+)$/.exec(paragraph.slice(start, index))?.[1] ?? "";
    if (m[0].startsWith(".") && (ABBREVIATIONS.has(lastWord.toLowerCase()) || /^[A-Z]$/.test(lastWord)))
      continue;
    const end = index + m[0].length;
    const sentence = paragraph.slice(start, end).trim();
    if (sentence) out.push(sentence);
    start = end;
  }
  const rest = paragraph.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}
