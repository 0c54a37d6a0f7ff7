import { describe, expect, it } from "vitest";
import { getPreference, isPreferenceId, PREFERENCES } from "../../src/userville/preferences";
import { type PenaltyRule, PREFERENCE_IDS, type PreferenceId } from "../../src/userville/types";

// Spec §3 penalty column, restated independently of preferences.ts.
const SPEC_PENALTIES: Record<PreferenceId, PenaltyRule> = {
  no_preference: { kind: "none" },
  concise_question: { kind: "per_violation", amount: 0.1 },
  detail_question: { kind: "per_violation", amount: 0.1 },
  answer_more: { kind: "min_asks", minimum: 3 },
  only_begin: { kind: "flag", amount: 1 },
  no_ask: { kind: "flag", amount: 1 },
  do_selection: { kind: "per_violation", amount: 0.5 },
  professional: { kind: "none" },
  amateur: { kind: "per_violation", amount: 0.1 },
  ask_many: { kind: "flag", amount: 1 },
  one_question: { kind: "per_violation", amount: 0.5 },
  first_try: { kind: "per_violation", amount: 0.1 },
  lang_ita: { kind: "per_violation", amount: 0.5 },
  lang_multi: { kind: "per_violation", amount: 0.5 },
  capital: { kind: "per_violation", amount: 0.5 },
  commas: { kind: "per_violation", amount: 0.5 },
  json: { kind: "per_violation", amount: 0.5 },
  joke: { kind: "per_violation", amount: 0.5 },
  snippet: { kind: "per_violation", amount: 0.5 },
  length: { kind: "per_violation", amount: 0.5 },
};

const JUDGED = ["detail_question", "amateur", "first_try", "joke"];
const UNCHECKED = ["no_preference", "professional"];

describe("PREFERENCES", () => {
  it("has the 20 ids in the spec's order", () => {
    expect(PREFERENCES.map((p) => p.id)).toEqual([...PREFERENCE_IDS]);
  });

  it("splits 12 seen (1-12) and 8 unseen (13-20)", () => {
    expect(PREFERENCES.slice(0, 12).every((p) => p.split === "seen")).toBe(true);
    expect(PREFERENCES.slice(12).every((p) => p.split === "unseen")).toBe(true);
    expect(PREFERENCES.slice(12)).toHaveLength(8);
  });

  it.each(PREFERENCES.map((p) => [p.id, p] as const))("%s: penalty as in the spec", (id, p) => {
    expect(p.penalty).toEqual(SPEC_PENALTIES[id]);
    expect(p.penaltyText.length).toBeGreaterThan(0);
  });

  it.each(PREFERENCES.map((p) => [p.id, p] as const))("%s: check kind and texts", (id, p) => {
    const kind = UNCHECKED.includes(id) ? "none" : JUDGED.includes(id) ? "judge" : "rule";
    expect(p.check).toBe(kind);
    expect(p.description).toMatch(/\S.*[.!]$/);
    expect(p.rubric).toMatch(/\S.*[.!]$/);
    expect(p.description.split(/(?<=[.!?])\s+/).length).toBeLessThanOrEqual(2);
  });
});

describe("getPreference / isPreferenceId", () => {
  it("finds every id", () => {
    for (const id of PREFERENCE_IDS) expect(getPreference(id).id).toBe(id);
  });

  it.each([
    ["lang_ita", true],
    ["no_preference", true],
    ["LANG_ITA", false],
    ["", false],
    ["toString", false],
  ])("isPreferenceId(%j) = %s", (x, expected) => {
    expect(isPreferenceId(x)).toBe(expected);
  });
});
