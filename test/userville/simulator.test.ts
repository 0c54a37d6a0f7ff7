import { describe, expect, it } from "vitest";
import { TierIndex } from "../../src/userville/effort";
import { MAX_ANSWERS, REFUSAL, simulateAnswer } from "../../src/userville/simulator";
import { MAX_ANSWERED_QUESTIONS } from "../../src/userville/tiers";
import type { PreferenceId, Tier } from "../../src/userville/types";
import { researchTask, sweTask } from "./tasks";

const swe = new TierIndex(sweTask);
const research = new TierIndex(researchTask);
const GOLD_NAMES = /core\.py|timeseries\.core|_check_required_columns|BaseTimeSeries/;

const ask = (question: string, preference: PreferenceId = "no_preference", answered = 0) =>
  simulateAnswer({ task: sweTask, preference, question, answered, index: swe });
const askResearch = (question: string, preference: PreferenceId = "no_preference") =>
  simulateAnswer({ task: researchTask, preference, question, answered: 0, index: research });

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

type Case = [Tier, string, RegExp];

const sweCases: Case[] = [
  ["precise", "What exact error message do you get when you remove the column?", /expected 'time'/],
  ["precise", "Which astropy and Python versions are you using?", /Python 3\.9\.10/],
  ["precise", "What format is the time in?", /snippet/],
  ["hint", "Does the check only compare the first few column names?", /first few column names/],
  ["hint", "How should I fix it?", /required/],
  ["file", "Which file should I edit?", /astropy\/timeseries\/core\.py/],
  ["file", "Where is the code for the required-column check?", /astropy\/timeseries\/core\.py/],
  ["function", "Which function should I change?", /BaseTimeSeries\._check_required_columns/],
  ["function", "What method raises the misleading error?", /BaseTimeSeries\._check_required_columns/],
  ["idk", "What's your favourite color?", /^I don't know/],
  ["idk", "Do you use conda or pip?", /^I don't know/],
];

const researchCases: Case[] = [
  ["precise", "When was the club founded?", /founded in 1907/],
  ["precise", "Could you clarify what you're looking for?", /football stadium/],
  ["gold_doc", "What's the seating capacity of the stadium?", /16,035 seats/],
  ["gold_doc", "Is the stadium in Matosinhos, Portugal?", /Matosinhos/],
  ["idk", "Does the stadium have a roof?", /^I don't know/],
];

/** One plain sentence: no markdown, no code, short. */
function expectPlain(answer: string) {
  expect(answer).not.toMatch(/[`*#]|\n|\[DOC/);
  expect(words(answer)).toBeLessThanOrEqual(32);
}

describe("simulateAnswer", () => {
  it.each(sweCases)("swe → %s: %s", (tier, question, expected) => {
    const reply = ask(question);
    expect(reply.tier).toBe(tier);
    expect(reply.answer).toMatch(expected);
    expect(reply.refused).toBe(false);
    expectPlain(reply.answer);
  });

  it.each(researchCases)("research → %s: %s", (tier, question, expected) => {
    const reply = askResearch(question);
    expect(reply.tier).toBe(tier);
    expect(reply.answer).toMatch(expected);
    expectPlain(reply.answer);
  });

  it("labels each answer with its tier's effort", () => {
    expect(ask("Which astropy and Python versions are you using?").effort).toBe("low");
    expect(ask("What's your favourite color?").effort).toBe("medium");
    expect(ask("Which function should I change?").effort).toBe("high");
  });

  it("quotes words of the precise prompt for a precise question", () => {
    const reply = ask("What exact error message do you get when you remove the column?");
    expect(sweTask.prompt).toContain(reply.answer.replace(/^I think |, I think\.$|\.$/g, ""));
  });

  it("refuses the fifth and later questions with no tier", () => {
    expect(MAX_ANSWERS).toBe(MAX_ANSWERED_QUESTIONS);
    expect(ask("Which file should I edit?", "no_preference", MAX_ANSWERS - 1).refused).toBe(false);
    for (const answered of [4, 5, 9]) {
      expect(ask("Which file should I edit?", "no_preference", answered)).toEqual({
        answer: REFUSAL,
        tier: null,
        effort: null,
        refused: true,
      });
    }
    expect(REFUSAL).toBe("I cannot answer more. Do it yourself.");
  });

  it("is deterministic", () => {
    const questions = [...sweCases.map((c) => c[1]), "Is it A) a bug or B) a feature?"];
    for (const preference of ["no_preference", "lang_ita", "amateur", "do_selection"] as const) {
      for (const q of questions) expect(ask(q, preference)).toEqual(ask(q, preference));
    }
  });

  it("never says the research answer from the precise tier", () => {
    const questions = [
      ...researchCases.map((c) => c[1]),
      "What's the name of the stadium?",
      "What's the stadium called?",
      "What year was the stadium renovated?",
      "Which club plays there?",
    ];
    for (const q of questions) {
      const reply = askResearch(q);
      if (reply.tier !== "gold_doc") expect(reply.answer).not.toContain("Estádio do Mar");
    }
  });

  it("adds a light touch for a user who dislikes questions", () => {
    expect(ask("Which file should I edit?", "no_ask").answer).toMatch(
      /^Please don't ask me questions\. .*core\.py/,
    );
  });
});

describe("do_selection", () => {
  const select: [string, string, Tier][] = [
    ["Which file? A) astropy/timeseries/core.py B) astropy/timeseries/sampled.py", "A", "file"],
    [
      "Which should change? (A) TimeSeries.remove_column (B) BaseTimeSeries._check_required_columns",
      "B",
      "function",
    ],
    [
      "Should the error A) stay as is, B) list the missing required columns, or C) be removed?",
      "B",
      "precise",
    ],
    ["Which OS?\nA. macOS\nB. Windows\nC. Linux", "B", "precise"],
  ];
  it.each(select)("%s → %s", (question, letter, tier) => {
    const reply = ask(question, "do_selection");
    expect(reply.answer).toBe(letter);
    expect(reply.tier).toBe(tier);
  });

  it("picks the option the gold documents support", () => {
    const reply = askResearch(
      "Which stadium? A) Estádio do Dragão B) Estádio do Mar C) Estádio da Luz",
      "do_selection",
    );
    expect(reply).toMatchObject({ answer: "B", tier: "gold_doc" });
  });

  it.each([
    "Which file should I edit?",
    "Is it core.py or sampled.py?",
    "Which colour? A) red B) blue",
  ])("answers I don't know without a usable option: %s", (question) => {
    expect(ask(question, "do_selection")).toMatchObject({ answer: "I don't know.", tier: "idk" });
  });
});

describe("amateur", () => {
  const technical = [
    "Which file should I edit?",
    "Which function should I change?",
    "What method raises the misleading error?",
    "Where is the code for the required-column check?",
    "Is the bug in astropy/timeseries/core.py?",
    "Should I patch `BaseTimeSeries._check_required_columns`?",
    "Can you paste the stack trace?",
    "Which module defines the required-columns check?",
  ];
  it.each(technical)("answers I don't know to a technical question: %s", (question) => {
    expect(ask(question, "amateur")).toMatchObject({ tier: "idk", effort: "medium" });
    expect(ask(question, "amateur").answer).toMatch(/^I don't know/);
  });

  it("still answers plain questions from the prompt and hint", () => {
    expect(ask("Does the check only compare the first few column names?", "amateur").tier).toBe("hint");
    expect(ask("When was the club founded?", "amateur").tier).toBe("idk");
  });

  it("never reveals a gold file or function name", () => {
    const hinted = {
      ...sweTask,
      hint: `${sweTask.hint} The check lives in BaseTimeSeries._check_required_columns.`,
    };
    const index = new TierIndex(hinted);
    const questions = [
      ...sweCases.map((c) => c[1]),
      ...technical,
      "Where does it go wrong?",
      "Where should I look?",
      "What does the check compare?",
      "Why does the message mention time?",
      "What did the maintainers suggest?",
      "Which part checks the required columns?",
      "What happens when you remove the column?",
    ];
    for (const question of questions) {
      const reply = simulateAnswer({ task: hinted, preference: "amateur", question, answered: 0, index });
      expect(reply.answer).not.toMatch(GOLD_NAMES);
      expect(reply.tier).not.toMatch(/^(?:file|function)$/);
    }
  });
});

describe("lang_ita", () => {
  it.each([
    ["Which file should I edit?", "file"],
    ["Which function should I change?", "function"],
    ["Does the check only compare the first few column names?", "hint"],
    ["Which astropy and Python versions are you using?", "precise"],
    ["What's your favourite color?", "idk"],
  ] as const)("replies with an Italian template: %s", (question, tier) => {
    const reply = ask(question, "lang_ita");
    expect(reply.tier).toBe(tier);
    expect(reply.answer).toMatch(/^(?:Credo|Penso|Mi pare|Non lo so|È)\b/);
  });

  it("says Non lo so for what it does not know", () => {
    expect(ask("Do you use conda or pip?", "lang_ita").answer).toMatch(/^Non lo so/);
  });
});

describe("TierIndex passage retrieval", () => {
  it("finds the best passage of a tier, outside code blocks", () => {
    expect(swe.bestPassage("Does the check only compare the first few column names?", "hint")).toMatch(
      /^The required-columns check only compares/,
    );
    expect(swe.bestPassage("What format is the time in?", "precise")).not.toMatch(/format='jd'/);
    expect(swe.rankedPassages("What format is the time in?", "precise")[0]).toMatchObject({ code: true });
    expect(swe.bestPassage("What's your favourite colour?", "hint")).toBeNull();
    expect(research.bestPassage("seating capacity", "gold_doc")).toMatch(/16,035 seats/);
  });

  it("ranks the hint passage naming the gold function first for a function question", () => {
    const hinted = {
      ...sweTask,
      hint: `${sweTask.hint} The check lives in BaseTimeSeries._check_required_columns.`,
    };
    const index = new TierIndex(hinted);
    expect(index.classify({ text: "Which function should I change?", afterActions: 0 })).toBe("hint");
    expect(index.bestPassage("Which function should I change?", "hint")).toMatch(/_check_required_columns/);
  });

  it("matches statements against the task, flagging unstated gold names", () => {
    expect(swe.match("BaseTimeSeries._check_required_columns")).toMatchObject({
      tier: "function",
      namesGold: true,
    });
    expect(swe.match("TimeSeries.remove_column")).toMatchObject({ tier: "precise", namesGold: false });
    expect(swe.match("a purple elephant").tier).toBe("idk");
    expect(swe.mentionsGoldName("see core.py")).toBe(true);
    expect(swe.withoutGoldNames().mentionsGoldName("see core.py")).toBe(false);
  });
});
