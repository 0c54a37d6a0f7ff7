import { describe, expect, it } from "vitest";
import { checkQuestions, countQuestions, languagesOf, sentences } from "../../src/userville/checkers";
import type { AskCall, PreferenceId } from "../../src/userville/types";
import { PREFERENCE_IDS } from "../../src/userville/types";

const ask = (text: string, afterActions = 0): AskCall => ({ text, afterActions });
const verdictOf = (pref: PreferenceId, text: string) => checkQuestions(pref, [ask(text)])[0];

type Case = [label: string, text: string, compliant: boolean];

function table(pref: PreferenceId, cases: Case[], judge: "rule" | "heuristic" = "rule") {
  describe(pref, () => {
    it.each(cases)("%s", (_label, text, compliant) => {
      const v = verdictOf(pref, text);
      expect(v, v.reason).toMatchObject({ compliant, judge });
      expect(v.reason).toBeTruthy();
    });
  });
}

describe("checkQuestions", () => {
  it.each([...PREFERENCE_IDS])("%s: one verdict per ask, deterministic", (pref) => {
    const asks = [ask("Which Python version do you use?"), ask("Quale file devo modificare?", 2), ask("")];
    const first = checkQuestions(pref, asks);
    expect(first).toHaveLength(3);
    expect(checkQuestions(pref, asks)).toEqual(first);
    expect(checkQuestions(pref, [])).toEqual([]);
  });

  it.each(["no_preference", "professional"] as const)("%s: not applicable", (pref) => {
    expect(checkQuestions(pref, [ask("Which file?"), ask("x", 5)])).toEqual([
      { compliant: null, judge: null },
      { compliant: null, judge: null },
    ]);
  });
});

describe("session rules", () => {
  const three = [ask("Which version?"), ask("Which OS?", 1), ask("Which file?", 4)];

  it("no_ask: every ask violates", () => {
    const vs = checkQuestions("no_ask", three);
    expect(vs.map((v) => v.compliant)).toEqual([false, false, false]);
    expect(vs.every((v) => v.judge === "rule" && v.reason)).toBe(true);
  });

  it("ask_many: only the first ask call is compliant", () => {
    expect(checkQuestions("ask_many", three).map((v) => v.compliant)).toEqual([true, false, false]);
    expect(checkQuestions("ask_many", [ask("Which version? Which OS? Which file?")])[0].compliant).toBe(true);
  });

  it.each([
    [1, false],
    [2, false],
    [3, true],
    [5, true],
  ])("answer_more: %i asks → compliant %s", (n, compliant) => {
    const vs = checkQuestions(
      "answer_more",
      Array.from({ length: n }, () => ask("Which version?")),
    );
    expect(vs).toHaveLength(n);
    expect(vs.every((v) => v.compliant === compliant && v.judge === "rule")).toBe(true);
    expect(vs[0].reason).toContain(`${n} ask`);
  });

  it("only_begin: asks after the first action violate", () => {
    expect(checkQuestions("only_begin", three).map((v) => v.compliant)).toEqual([true, false, false]);
    expect(checkQuestions("only_begin", [ask("a", 0), ask("b", 0)]).map((v) => v.compliant)).toEqual([
      true,
      true,
    ]);
  });
});

table("one_question", [
  ["single question", "Which Python version are you running when the error appears?", true],
  ["two question marks", "What is the expected output? And which astropy version are you on?", false],
  ["'?' inside inline code", "Does the expression `x ? a : b` in `core.py` compile on your side?", true],
  [
    "'?' in a URL query",
    "Is https://docs.astropy.org/en/stable/search.html?q=TimeSeries the page you mean?",
    true,
  ],
  ["'?' in a fenced block", "Is this the line that fails?\n```js\nconst y = ok ? 1 : 2;\n```", true],
  ["quoted question", 'The log only says "why?" at the end: which step printed it?', true],
  [
    "second question without '?'",
    "Which column did you remove? Please also confirm your Python version.",
    false,
  ],
  ["inverted question without '?'", "Which file should I edit?\nCan you also share the traceback.", false],
  [
    "courtesy after the question",
    "Which branch should I base the fix on? Let me know if anything is unclear.",
    true,
  ],
  ["numbered list", "1. Which version do you use?\n2. Which OS?", false],
  ["'??' is one question", "Wait, the test passes locally??", true],
  ["Spanish ¿…?", "¿Qué versión de Python usas?", true],
]);

table("do_selection", [
  ["inline A) B) C)", "Which backend should I target? A) SQLite B) PostgreSQL C) both", true],
  [
    "one per line (A)",
    "How should removing a required column behave?\n(A) raise a clear ValueError\n(B) warn and continue\n(C) keep the column",
    true,
  ],
  ["A. / B.", "Which fix do you prefer? A. a minimal patch B. a refactor of the checks", true],
  ["markdown bold", "Pick one:\n**A)** keep the old message\n**B)** rewrite it", true],
  ["lower-case a) b)", "Where does it fail? a) on import b) when removing the column", true],
  ["Option A: / Option B:", "Option A: raise an error; Option B: return None. Which do you want?", true],
  ["open question", "How should removing a required column behave?", false],
  ["numbered options", "Which one? 1) raise an error 2) warn and continue", false],
  ["only one letter", "Should I go with plan A) or something else entirely?", false],
  ["yes/no", "Should I keep backward compatibility with the old API?", false],
]);

table("capital", [
  ["all caps", "WHICH PYTHON VERSION ARE YOU USING WHEN THE ERROR APPEARS?", true],
  ["caps with digits", "DOES IT FAIL ON 3.11 TOO?", true],
  [
    "code and paths keep their case",
    "SHOULD `remove_column` IN astropy/timeseries/core.py RAISE A VALUEERROR?",
    true,
  ],
  ["sentence case", "Which Python version are you using?", false],
  ["one lower-case word", "WHICH VERSION OF numpy DO YOU USE?", false],
  ["lower-case abbreviation", "WHICH BACKEND, e.g. SQLITE?", false],
  ["no letters", "???", false],
]);

table("commas", [
  ["no comma", "Which Python version are you running when the error appears?", true],
  ["comma", "Which version do you use, and on which OS?", false],
  ["comma in code counts", "Does `f(a, b)` fail for you?", false],
  ["full-width comma", "你使用的是哪个版本，哪个系统？", false],
  ["ideographic comma", "ファイル、関数はどれですか？", false],
  ["semicolons are fine", "Which version do you use; and which OS?", true],
]);

table("json", [
  ["object", '{"question": "Which Python version are you using?"}', true],
  ["array with whitespace around", '\n  ["Which file fails?", "Which line?"]  \n', true],
  ["nested object", '{"ask": {"text": "Which backend?", "options": ["A", "B"]}}', true],
  ["text before", 'Here is my question: {"question": "Which version?"}', false],
  ["text after", '{"question": "Which version?"} Thanks!', false],
  ["markdown fence", '```json\n{"question": "Which version?"}\n```', false],
  ["bare JSON string", '"Which Python version are you using?"', false],
  ["invalid JSON", "{question: 'Which version?'}", false],
  ["no question text", '{"version": 3}', false],
]);

table("length", [
  [
    "three sentences",
    "The TimeSeries error message is confusing. I can reproduce it by removing a required column. Which message would you expect instead?",
    true,
  ],
  [
    "e.g. and i.e. do not split",
    "I tried a few inputs, e.g. Time columns and plain floats. Both fail, i.e. the check runs too early. Should the check move after the removal?",
    true,
  ],
  [
    "Dr., decimals, versions and files",
    "Dr. Smith's report says v1.2.3 broke setup.py on Python 3.5. I could not confirm that yet. Do you know which release introduced it?",
    true,
  ],
  ["two sentences", "The error message is confusing. What would you expect instead?", false],
  [
    "four sentences",
    "I ran the tests. Two of them fail. Both touch TimeSeries. Which one matters most to you?",
    false,
  ],
  [
    "one long sentence",
    "Which version of astropy, numpy and Python are you using when the error appears?",
    false,
  ],
  [
    "inline code with dots stays one sentence",
    "Calling `ts.remove_column('flux')` fails. The message mentions `time`. Is that expected?",
    true,
  ],
]);

table("concise_question", [
  ["short", "Which astropy version are you using?", true],
  ["short with a path", "Is the bug in astropy/timeseries/core.py?", true],
  [
    "too many words",
    "Which astropy version are you using when you remove the column, and does the error also appear with plain tables?",
    false,
  ],
  ["two sentences", "I found two candidate files. Which one should I edit?", false],
  ["two questions", "Which version? Which OS?", false],
  ["code block", "Is this the failing call?\n```python\nts.remove_column('flux')\n```", false],
]);

table("lang_ita", [
  ["Italian", "Quale versione di Python stai usando quando compare l'errore?", true],
  ["Italian with loanwords", "Il bug compare solo quando fai il commit dopo il merge?", true],
  ["Italian: pull request, fix", "Devo aprire una pull request separata per il fix?", true],
  [
    "code and paths stripped",
    "Il metodo `remove_column` in astropy/timeseries/core.py deve sollevare un errore?",
    true,
  ],
  [
    "quoted English error message",
    'L\'errore dice "TimeSeries object is invalid - expected time as the first column but found flux": quale versione usi?',
    true,
  ],
  [
    "indented English traceback",
    "Quando rimuovo la colonna ottengo questo:\n\n    Traceback (most recent call last):\n    ValueError: expected time as the first column\n\nÈ il comportamento atteso?",
    true,
  ],
  ["Spanish", "¿Qué versión de Python usas cuando aparece el error?", false],
  ["Spanish without ¿", "Que version de Python usas cuando aparece el error?", false],
  ["English quoting Italian", 'The user wrote "il file non si apre": which file do they mean?', false],
  ["Portuguese", "Qual versão do Python você usa quando o erro aparece?", false],
  ["English", "Which Python version are you using when the error appears?", false],
  [
    "Italian then an English sentence",
    "Quale versione usi? Also, could you please paste the full traceback here?",
    false,
  ],
  ["only code", "`ts.remove_column('time')`", false],
]);

table("lang_multi", [
  [
    "five languages by sentence",
    "Which version do you use? ¿Qué error aparece exactamente? Quel fichier échoue chez vous? Welche Datei ist betroffen? Qual è il test che fallisce?",
    true,
  ],
  [
    "five languages by clause and script",
    "Which version exactly, 你使用的是哪个版本, какая у вас версия Python, quelle version exactement, welche Version genau?",
    true,
  ],
  [
    "greetings in five languages",
    "Ciao amico mio, ¿qué tal estás?, bonjour mon ami, wie geht es dir, how are you doing today?",
    true,
  ],
  [
    "English only, many clauses",
    "Which file fails, what did you expect, and which version, exactly, are you on?",
    false,
  ],
  ["two languages", "Which version do you use? ¿Y qué sistema operativo tienes?", false],
  [
    "four languages",
    "Which version do you use? ¿Qué error aparece exactamente? Quel fichier échoue chez vous? Welche Datei ist betroffen?",
    false,
  ],
]);

table("snippet", [
  [
    "fenced block and path",
    "In astropy/timeseries/core.py:77 I see:\n```python\nif self._required_columns_relax:\n    return\nraise ValueError(msg)\n```\nShould this raise for every missing column?",
    true,
  ],
  [
    "quoted docs and URL",
    "The docs at https://docs.astropy.org/en/stable/timeseries/ say:\n> Required columns\n> are checked\n> on every change\nDoes that include removal?",
    true,
  ],
  [
    "indented block and file",
    "From setup.py:\n\n    install_requires=[\n        'numpy>=1.17',\n    ]\n\nIs numpy 1.17 still the minimum?",
    true,
  ],
  [
    "path but only two code lines",
    "In src/timeseries/core.py:\n```python\nif not self._required_columns_relax:\n    raise ValueError(msg)\n```\nIs this the check you mean?",
    false,
  ],
  [
    "three code lines, no reference",
    "Is this the failing check?\n```python\nif missing:\n    msg = build(missing)\n    raise ValueError(msg)\n```",
    false,
  ],
  ["no snippet", "Is the bug in astropy/timeseries/core.py?", false],
]);

table(
  "detail_question",
  [
    [
      "context and need",
      "When I remove the flux column from a TimeSeries with required columns, the error says 'time' is missing, which is misleading. I expected a message naming flux. Should the error list every missing required column?",
      true,
    ],
    ["short", "Which version?", false],
    [
      "long but no context",
      "Could you please tell me a little bit more about what you would like me to do here and what the final result should look like for you in the end?",
      false,
    ],
  ],
  "heuristic",
);

table(
  "amateur",
  [
    ["plain", "What did you expect to happen when you deleted that column?", true],
    ["plain research", "Do you remember roughly which year the film came out?", true],
    ["file path", "Is the problem in astropy/timeseries/core.py?", false],
    ["identifier", "Should remove_column raise an error?", false],
    ["jargon", "Does the stack trace point into the backend?", false],
    ["inline code", "Does `ts.remove_column('flux')` fail for you?", false],
  ],
  "heuristic",
);

table(
  "first_try",
  [
    ["tried", "I tried removing only the flux column and still got the time error. Is that expected?", true],
    ["checked", "I've already checked the changelog and found nothing. Which release broke it?", true],
    ["ran", "I ran the test suite and two tests fail. Should I fix both?", true],
    ["no effort", "Which file should I edit?", false],
  ],
  "heuristic",
);

table(
  "joke",
  [
    ["pun", "Which column should I remove (no pun intended, it's a pillar of this code)?", true],
    [
      "why did the",
      "Why did the TimeSeries break up with the column? Anyway, which version are you on?",
      true,
    ],
    ["emoji", "Which version are you on? 😄", true],
    ["no joke", "Which version are you on?", false],
  ],
  "heuristic",
);

describe("cost on long or adversarial text", () => {
  // Guards against regexes that backtrack quadratically: these inputs took seconds before the fixes.
  const inputs = {
    "one long word": "a".repeat(40_000),
    "slashes without a file": "a/".repeat(20_000),
    "unclosed quotes": "'a ".repeat(13_000),
    "indented lines": "    code\n".repeat(4_000),
    "dotted identifiers": "foo_bar.baz(".repeat(3_000),
  };
  it.each(Object.entries(inputs))("%s", (_label, text) => {
    for (const pref of PREFERENCE_IDS) {
      const started = performance.now();
      expect(checkQuestions(pref, [ask(text)])).toHaveLength(1);
      expect(performance.now() - started, pref).toBeLessThan(500);
    }
  });
});

describe("helpers", () => {
  it("sentences keep abbreviations, decimals, versions and files together", () => {
    expect(sentences("I use e.g. NumPy here. Dr. Smith wrote v1.2.3 of setup.py. Is 3.5 ok?")).toEqual([
      "I use e.g. NumPy here.",
      "Dr. Smith wrote v1.2.3 of setup.py.",
      "Is 3.5 ok?",
    ]);
  });

  it("counts questions outside code", () => {
    expect(countQuestions("What is X? And which version?")).toBe(2);
    expect(countQuestions("Is `a?b` valid? See https://x.org/?q=1")).toBe(1);
  });

  it("identifies languages per clause", () => {
    expect(languagesOf("Quale versione usi? ¿Y qué sistema operativo tienes?").sort()).toEqual(["es", "it"]);
  });
});
