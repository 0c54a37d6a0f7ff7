import { describe, expect, it } from "vitest";
import { type ScoredAsk, type ScoreInput, scoreTrajectory } from "../../src/userville/score";
import { InvalidTierError } from "../../src/userville/tiers";
import type {
  AskCall,
  PenaltyRule,
  Preference,
  Profile,
  TaskHidden,
  Verdict,
} from "../../src/userville/types";

const sweTask: TaskHidden = {
  family: "swe",
  prompt:
    "TimeSeries: misleading exception when required column check fails. Removing a required column raises " +
    "ValueError: TimeSeries object is invalid - expected 'time' as the first columns but found 'time'. " +
    "Steps: ts._required_columns = ['time', 'flux']; ts.remove_column('flux'). astropy 5.0.3, Python 3.9.10.",
  hint: "The required-columns check only compares the first few column names with the required ones.",
  files: ["astropy/timeseries/core.py"],
  functions: [
    "astropy/timeseries/core.py::BaseTimeSeries._check_required_columns",
    "astropy/timeseries/core.py::BaseTimeSeries._check_time_column",
  ],
};

function pref(id: Preference["id"], penalty: PenaltyRule): Preference {
  return { id, description: "", rubric: "", check: "judge", split: "seen", penalty, penaltyText: "" };
}
const oneQuestion = pref("one_question", { kind: "per_violation", amount: 0.5 });
const ok: Verdict = { compliant: true, judge: "heuristic" };
const bad: Verdict = { compliant: false, judge: "heuristic" };
const ask = (text: string, extra: Partial<ScoredAsk> = {}): ScoredAsk => ({
  text,
  afterActions: 0,
  ...extra,
});

function score(over: Partial<ScoreInput>) {
  return scoreTrajectory({
    task: sweTask,
    preference: oneQuestion,
    vague: true,
    profile: "code",
    weights: { proactivity: 1, personalization: 1 },
    asks: [],
    verdicts: [],
    engine: "rules",
    ...over,
  });
}

describe("scoreTrajectory", () => {
  it("reproduces the spec's worked example exactly (reward 0.1)", () => {
    // F1 0.8: three predicted, two gold, two hits (p = 2/3, r = 1); paths need normalising.
    const prediction = [
      "/testbed/astropy/timeseries/core.py::BaseTimeSeries._check_required_columns",
      "astropy/timeseries/./core.py::BaseTimeSeries._check_time_column",
      "astropy/timeseries/sampled.py::TimeSeries.remove_column",
    ];
    const result = score({
      asks: [
        ask("What error do you get?", { tier: "precise" }),
        ask("Is it only flux? And which OS are you on?", { tier: "idk" }),
      ],
      verdicts: [ok, bad],
      prediction,
    });
    expect(result.productivity).toBeCloseTo(0.8, 12);
    expect(result.proactivity).toBe(-0.2);
    expect(result.personalization).toBe(-0.5);
    expect(result.reward).toBe(0.1);
    expect(result.metrics).toEqual({
      proactive: false,
      personalized: false,
      asked: true,
      questions: 2,
      effort: "medium",
    });
    expect(result.questions).toEqual([
      {
        text: "What error do you get?",
        effort: "low",
        tier: "precise",
        effort_source: "client",
        compliant: true,
        judge: "heuristic",
      },
      {
        text: "Is it only flux? And which OS are you on?",
        effort: "medium",
        tier: "idk",
        effort_source: "client",
        compliant: false,
        judge: "heuristic",
      },
    ]);
    expect(result).toMatchObject({ profile: "code", engine: "rules" });
  });

  it("gives no tier to the 5th and later asks", () => {
    const asks = [1, 2, 3, 4, 5, 6].map((i) => ask(`What error do you get? (${i})`, { tier: "precise" }));
    const result = score({ asks, verdicts: asks.map(() => ok), taskScore: 1 });
    expect(result.questions.map((q) => q.tier)).toEqual([
      "precise",
      "precise",
      "precise",
      "precise",
      null,
      null,
    ]);
    expect(result.questions[5]).toMatchObject({ effort: null, effort_source: null, compliant: true });
    expect(result.metrics.questions).toBe(6);
    expect(result.proactivity).toBe(0.05);
  });

  it("labels unlabelled questions with the rules and keeps label sources", () => {
    const result = score({
      asks: [ask("Which function should I change?"), ask("q", { effort: "low", labelSource: "llm" })],
      verdicts: [ok, ok],
      taskScore: 1,
    });
    expect(result.questions.map((q) => [q.tier, q.effort_source])).toEqual([
      ["function", "rules"],
      ["precise", "llm"],
    ]);
  });

  it("never classifies into file or function tiers for an amateur user", () => {
    const amateur = pref("amateur", { kind: "per_violation", amount: 0.1 });
    const result = score({
      preference: amateur,
      asks: [ask("Which function should I change?")],
      verdicts: [ok],
    });
    expect(result.questions[0].tier).toBe("idk");
  });

  it("scores unknown productivity as 0 and a silent vague session as high effort", () => {
    const result = score({ profile: "paper" });
    expect(result).toMatchObject({ productivity: 0, proactivity: -0.5, personalization: 0, reward: 0 });
    expect(result.metrics).toEqual({
      proactive: false,
      personalized: null,
      asked: false,
      questions: 0,
      effort: "high",
    });
  });

  it("rejects an invalid tier and a verdict count mismatch", () => {
    const research: TaskHidden = { family: "research", prompt: "q", answer: "a" };
    expect(() => score({ task: research, asks: [ask("q", { tier: "file" })], verdicts: [ok] })).toThrow(
      InvalidTierError,
    );
    expect(() => score({ asks: [ask("q")], verdicts: [] })).toThrow(RangeError);
  });
});

describe("personalization through scoreTrajectory, both profiles", () => {
  const profiles: Profile[] = ["paper", "code"];
  const low = (n: number) =>
    Array.from({ length: n }, (_, i) => ask(`What error do you get? ${i}`, { tier: "precise" }));
  const cases: [string, Preference, AskCall[], Verdict[], number, boolean | null][] = [
    ["per_violation, two violations", oneQuestion, low(3), [bad, ok, bad], -1, false],
    ["per_violation, compliant: +0.05", oneQuestion, low(2), [ok, ok], 0.05, true],
    ["flag, one violation", pref("no_ask", { kind: "flag", amount: 1 }), low(2), [bad, bad], -1, false],
    ["flag, no question: not counted", pref("no_ask", { kind: "flag", amount: 1 }), [], [], 0, null],
    [
      "min_asks, one question",
      pref("answer_more", { kind: "min_asks", minimum: 3 }),
      low(1),
      [ok],
      -2,
      false,
    ],
    ["min_asks, no question", pref("answer_more", { kind: "min_asks", minimum: 3 }), [], [], -3, false],
    [
      "min_asks, met: +0.05",
      pref("answer_more", { kind: "min_asks", minimum: 3 }),
      low(3),
      [ok, ok, ok],
      0.05,
      true,
    ],
    [
      "none: 0, no bonus",
      pref("professional", { kind: "none" }),
      low(1),
      [{ compliant: null, judge: null }],
      0,
      null,
    ],
  ];
  for (const profile of profiles) {
    it.each(cases)(`${profile}: %s`, (_name, preference, asks, verdicts, expected, personalized) => {
      const result = score({ profile, preference, asks, verdicts, taskScore: 1 });
      expect(result.personalization).toBe(expected);
      expect(result.metrics.personalized).toBe(personalized);
    });
  }

  it("no bonus on a precise prompt", () => {
    const result = score({ vague: false, asks: low(1), verdicts: [ok], taskScore: 1 });
    expect(result.personalization).toBe(0);
  });
});
