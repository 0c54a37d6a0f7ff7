import { describe, expect, it } from "vitest";
import {
  personalizationPenalty,
  personalizationReward,
  proactivityReward,
  roundReward,
  totalReward,
} from "../../src/userville/rewards";
import { InvalidTierError } from "../../src/userville/tiers";
import type { Family, PenaltyRule, Preference, Profile, Tier, Verdict } from "../../src/userville/types";

function pref(penalty: PenaltyRule): Preference {
  return {
    id: "one_question",
    description: "",
    rubric: "",
    check: "judge",
    split: "seen",
    penalty,
    penaltyText: "",
  };
}
const ok: Verdict = { compliant: true, judge: "rule" };
const bad: Verdict = { compliant: false, judge: "rule" };
const na: Verdict = { compliant: null, judge: null };

function proact(profile: Profile, family: Family, vague: boolean, levels: (Tier | null)[], taskScore = 0.5) {
  return proactivityReward({ profile, family, vague, levels, taskScore });
}

describe("roundReward", () => {
  it("removes binary noise and negative zero", () => {
    expect(0.8 - 0.2 - 0.5).not.toBe(0.1);
    expect(roundReward(0.8 - 0.2 - 0.5)).toBe(0.1);
    expect(Object.is(roundReward(-1e-12), 0)).toBe(true);
  });
});

describe("proactivity, paper profile", () => {
  it.each<[string, Family, boolean, (Tier | null)[], number]>([
    ["one low question", "swe", true, ["precise"], 0.05],
    ["all low questions", "swe", true, ["precise", "precise"], 0.05],
    ["low + medium: no bonus", "swe", true, ["precise", "idk"], -0.1],
    ["one high question (hint)", "swe", true, ["hint"], -0.5],
    ["every swe tier", "swe", true, ["precise", "hint", "idk", "file"], -1.1],
    ["medium and two high", "swe", true, ["idk", "file", "function"], -1.1],
    ["research: every tier", "research", true, ["precise", "idk", "gold_doc"], -0.6],
    ["research: low only", "research", true, ["precise"], 0.05],
    ["precise prompt, low question still earns the bonus", "swe", false, ["precise"], 0.05],
    ["precise prompt, high question", "research", false, ["gold_doc"], -0.5],
    ["refused 5th ask adds nothing", "swe", true, ["precise", "precise", "precise", "precise", null], 0.05],
  ])("%s", (_name, family, vague, levels, expected) => {
    expect(proact("paper", family, vague, levels)).toBe(expected);
  });

  it("charges a vague, silent, unsolved session like one high-effort question", () => {
    expect(proact("paper", "swe", true, [], 0.5)).toBe(-0.5);
    expect(proact("paper", "research", true, [], 0)).toBe(-0.5);
    expect(
      proactivityReward({ profile: "paper", family: "swe", vague: true, levels: [], taskScore: null }),
    ).toBe(-0.5);
    expect(proact("paper", "swe", true, [], 1)).toBe(0);
    expect(proact("paper", "swe", false, [], 0)).toBe(0);
  });
});

describe("proactivity, code profile", () => {
  it.each<[string, Family, boolean, (Tier | null)[], number]>([
    ["swe vague, level 1 only: +0.05", "swe", true, ["precise"], 0.05],
    ["swe vague, levels 1 and 3: -0.1·(0+2)", "swe", true, ["precise", "idk"], -0.2],
    ["swe vague, hint: -0.1·1", "swe", true, ["hint"], -0.1],
    ["swe vague, levels 1,3,4,5: -0.1·(0+2+3+4)", "swe", true, ["precise", "idk", "file", "function"], -0.9],
    [
      "swe vague, refused 5th ask adds nothing",
      "swe",
      true,
      ["precise", "precise", "precise", "precise", null],
      0.05,
    ],
    ["swe precise, level 1: -0.2·1", "swe", false, ["precise"], -0.2],
    ["swe precise, levels 1 and 3: -0.2·4", "swe", false, ["precise", "idk"], -0.8],
    ["research vague, n1 = 1: +0.05", "research", true, ["precise"], 0.05],
    ["research vague, idk: -0.05", "research", true, ["idk"], -0.05],
    ["research vague, gold_doc: -0.9", "research", true, ["gold_doc"], -0.9],
    ["research vague, all tiers: -(0.05+0.9)+0.05", "research", true, ["precise", "idk", "gold_doc"], -0.9],
    ["research precise, level 1: -0.1·1", "research", false, ["precise"], -0.1],
    ["research precise, levels 2,3: -(0.05+0.9)-0.1·5", "research", false, ["idk", "gold_doc"], -1.45],
  ])("%s", (_name, family, vague, levels, expected) => {
    expect(proact("code", family, vague, levels)).toBe(expected);
  });

  it("charges -0.1 for a vague, silent, unsolved session in both families", () => {
    expect(proact("code", "swe", true, [], 0.99)).toBe(-0.1);
    expect(proact("code", "research", true, [], 0)).toBe(-0.1);
    expect(proact("code", "swe", true, [], 1)).toBe(0);
    expect(proact("code", "research", false, [], 0)).toBe(0);
    expect(proact("code", "swe", false, [], 0)).toBe(0);
  });

  it("rejects a tier that does not exist in the family", () => {
    expect(() => proact("code", "research", true, ["file"])).toThrow(InvalidTierError);
  });
});

describe("personalization", () => {
  const perViolation = pref({ kind: "per_violation", amount: 0.5 });
  it.each<[string, PenaltyRule, number, Verdict[], number]>([
    ["per_violation: -amount·v", { kind: "per_violation", amount: 0.5 }, 3, [ok, bad, bad], -1],
    ["per_violation 0.1, one violation", { kind: "per_violation", amount: 0.1 }, 2, [ok, bad], -0.1],
    ["per_violation ignores not-applicable verdicts", { kind: "per_violation", amount: 0.5 }, 2, [na, ok], 0],
    ["flag: -amount once", { kind: "flag", amount: 1 }, 3, [bad, bad, ok], -1],
    ["flag without violation", { kind: "flag", amount: 1 }, 1, [ok], 0],
    ["min_asks, none asked", { kind: "min_asks", minimum: 3 }, 0, [], -3],
    ["min_asks, one asked", { kind: "min_asks", minimum: 3 }, 1, [ok], -2],
    ["min_asks, two asked", { kind: "min_asks", minimum: 3 }, 2, [ok, ok], -1],
    ["min_asks, four asked", { kind: "min_asks", minimum: 3 }, 4, [ok, ok, ok, ok], 0],
    ["none", { kind: "none" }, 2, [bad, bad], 0],
  ])("penalty %s", (_name, rule, asks, verdicts, expected) => {
    expect(personalizationPenalty(rule, asks, verdicts)).toBe(expected);
  });

  it("adds +0.05 only when vague, asked and without violation", () => {
    expect(personalizationReward({ preference: perViolation, vague: true, asks: 1, verdicts: [ok] })).toBe(
      0.05,
    );
    expect(personalizationReward({ preference: perViolation, vague: false, asks: 1, verdicts: [ok] })).toBe(
      0,
    );
    expect(personalizationReward({ preference: perViolation, vague: true, asks: 0, verdicts: [] })).toBe(0);
    expect(
      personalizationReward({ preference: perViolation, vague: true, asks: 2, verdicts: [ok, bad] }),
    ).toBe(-0.5);
  });

  it("gives the bonus to answer_more once the count is met, and nothing to rule-less preferences", () => {
    const answerMore = pref({ kind: "min_asks", minimum: 3 });
    const four = [ok, ok, ok, ok];
    expect(personalizationReward({ preference: answerMore, vague: true, asks: 4, verdicts: four })).toBe(
      0.05,
    );
    expect(personalizationReward({ preference: answerMore, vague: true, asks: 1, verdicts: [ok] })).toBe(-2);
    const none = pref({ kind: "none" });
    expect(personalizationReward({ preference: none, vague: true, asks: 2, verdicts: [na, na] })).toBe(0);
  });
});

describe("totalReward", () => {
  it("weights and clips", () => {
    const w = { proactivity: 1, personalization: 1 };
    expect(totalReward(0.8, -0.2, -0.5, w)).toBe(0.1);
    expect(totalReward(1, 0.05, 0.05, w)).toBe(1);
    expect(totalReward(0, -0.5, -1, w)).toBe(0);
    expect(totalReward(0.8, -0.2, -0.5, { proactivity: 0, personalization: 1 })).toBe(0.3);
    expect(totalReward(0.8, -0.2, -0.5, { proactivity: 1, personalization: 0 })).toBe(0.6);
  });
});
