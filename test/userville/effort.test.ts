import { describe, expect, it } from "vitest";
import { classifyTier, resolveTier, TierIndex, tierIndexCache } from "../../src/userville/effort";
import {
  InvalidTierError,
  labelError,
  tierEffort,
  tierForEffort,
  tierLevel,
} from "../../src/userville/tiers";
import type { Tier } from "../../src/userville/types";
import { researchTask, sweTask } from "./tasks";

type Case = [Tier, string, string?];

const sweCases: Case[] = [
  ["precise", "What exact error message do you get when you remove the column?"],
  ["precise", "Which astropy and Python versions are you using?"],
  ["precise", "What format is the time in?"],
  ["precise", "Can you describe the problem in more detail?"],
  [
    "precise",
    "What happens?",
    "It raises a ValueError saying it expected 'time' as the first column but found 'time'.",
  ],
  ["precise", "Which line of the reproduction triggers it?", 'The ts.remove_column("flux") call.'],
  ["hint", "Does the check only compare the first few column names?"],
  ["hint", "How should I fix it?"],
  [
    "hint",
    "Why does it say time?",
    "Because the check only compares the first few column names with the required ones.",
  ],
  ["idk", "What's your favourite color?"],
  ["idk", "Do you use conda or pip?"],
  ["idk", "Which file should I edit?", "I don’t know, sorry."],
  ["file", "Which file should I edit?"],
  ["file", "Where is the code for the required-column check?"],
  ["file", "Is the bug in the timeseries core module?"],
  ["file", "Where should I look?", "Look in astropy/timeseries/core.py."],
  ["function", "Which function should I change?"],
  ["function", "What method raises the misleading error?"],
  ["function", "Is BaseTimeSeries the class I should patch?"],
  ["function", "Where should I look?", "Probably _check_required_columns in core.py."],
];

const researchCases: Case[] = [
  ["precise", "When was the club founded?"],
  ["precise", "What year was the stadium renovated?"],
  ["precise", "Was the coach born in a fishing town?"],
  ["precise", "Could you clarify what you're looking for?"],
  ["gold_doc", "What's the seating capacity of the stadium?"],
  ["gold_doc", "Is the stadium in Matosinhos, Portugal?"],
  ["gold_doc", "Which website or document mentions the renovation?"],
  ["gold_doc", "Where was the club founded?", "In Matosinhos."],
  ["idk", "What's your favourite team?"],
  ["idk", "Does the stadium have a roof?"],
  ["idk", "Any other constraints?", "Not sure, sorry."],
];

describe("TierIndex.classify", () => {
  const swe = new TierIndex(sweTask);
  it.each(sweCases)("swe → %s: %s %s", (tier, text, answer) => {
    expect(swe.classify({ text, answer, afterActions: 0 })).toBe(tier);
  });

  const research = new TierIndex(researchTask);
  it.each(researchCases)("research → %s: %s %s", (tier, text, answer) => {
    expect(research.classify({ text, answer, afterActions: 0 })).toBe(tier);
  });

  it("prefers a hint that names the gold function over the function tier", () => {
    const task = {
      ...sweTask,
      hint: "Look at BaseTimeSeries._check_required_columns: it only checks the first names.",
    };
    expect(classifyTier(task, { text: "Which function should I change?", afterActions: 0 })).toBe("hint");
  });

  it("does not count a gold name the precise prompt already states as a leak", () => {
    const task = { ...sweTask, functions: ["astropy/timeseries/sampled.py::TimeSeries.remove_column"] };
    const ask = {
      text: "How do you trigger it?",
      answer: "I call ts.remove_column on flux.",
      afterActions: 0,
    };
    expect(classifyTier(task, ask)).toBe("precise");
  });

  it("answers idk for file questions when the task has no gold files", () => {
    const task = { ...sweTask, files: [], functions: [] };
    expect(classifyTier(task, { text: "Which file should I edit?", afterActions: 0 })).toBe("idk");
  });
});

describe("resolveTier", () => {
  const index = new TierIndex(sweTask);
  it("uses a supplied tier as given", () => {
    expect(resolveTier("swe", { text: "q", tier: "file", afterActions: 0 }, index)).toEqual({
      tier: "file",
      effort: "high",
      source: "client",
    });
  });

  it("maps an effort alone to the least sensitive tier of its class", () => {
    const high = resolveTier("swe", { text: "q", effort: "high", afterActions: 0 }, index);
    expect(high).toEqual({ tier: "hint", effort: "high", source: "client" });
    const research = new TierIndex(researchTask);
    expect(resolveTier("research", { text: "q", effort: "high", afterActions: 0 }, research).tier).toBe(
      "gold_doc",
    );
  });

  it("classifies unlabelled questions with the rules", () => {
    const resolved = resolveTier("swe", { text: "Which function should I change?", afterActions: 0 }, index);
    expect(resolved).toEqual({ tier: "function", effort: "high", source: "rules" });
  });

  it("rejects a tier outside the family", () => {
    const research = new TierIndex(researchTask);
    expect(() => resolveTier("research", { text: "q", tier: "file", afterActions: 0 }, research)).toThrow(
      InvalidTierError,
    );
  });

  it("shares one index between equal inline tasks", () => {
    const cache = tierIndexCache();
    expect(cache({ ...sweTask })).toBe(cache({ ...sweTask }));
    expect(cache({ ...sweTask })).not.toBe(cache(researchTask));
  });
});

describe("tier tables", () => {
  it("levels, efforts and effort-only tiers follow the spec", () => {
    expect(["precise", "hint", "idk", "file", "function"].map((t) => tierLevel("swe", t as Tier))).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(["precise", "idk", "gold_doc"].map((t) => tierLevel("research", t as Tier))).toEqual([1, 2, 3]);
    expect(
      ["precise", "idk", "hint", "file", "function", "gold_doc"].map((t) => tierEffort(t as Tier)),
    ).toEqual(["low", "medium", "high", "high", "high", "high"]);
    expect(tierForEffort("swe", "low")).toBe("precise");
    expect(tierForEffort("swe", "medium")).toBe("idk");
    expect(tierForEffort("research", "medium")).toBe("idk");
  });

  it("explains invalid labels for the HTTP layer", () => {
    expect(labelError("research", "file")).toMatch(/does not exist/);
    expect(labelError("swe", "gold_doc")).toMatch(/does not exist/);
    expect(labelError("swe", "precise", "high")).toMatch(/contradicts/);
    expect(labelError("swe", "hint", "high")).toBeNull();
    expect(labelError("swe", null, "low")).toBeNull();
    expect(() => tierLevel("research", "hint")).toThrow(InvalidTierError);
  });
});
