import { describe, expect, it } from "vitest";
import { GRPO_EPSILON, groupAdvantages } from "../../src/userville/grpo";

describe("groupAdvantages", () => {
  // One group [1, 0, 0.5, 0.5]: mean 0.5; unbiased std = sqrt((0.25 + 0.25 + 0 + 0) / 3) = sqrt(1/6) ≈ 0.408248.
  const rewards = [1, 0, 0.5, 0.5];
  const groups = ["g", "g", "g", "g"];

  it("grpo: (R − mean) / (std + ε)", () => {
    const std = Math.sqrt(1 / 6);
    expect(std).toBeCloseTo(0.408248, 6);
    const advantages = groupAdvantages(rewards, groups, "grpo") as number[];
    // 0.5 / (0.408248290 + 0.000001) = 1.224741871
    expect(advantages[0]).toBeCloseTo(1.224741871, 9);
    expect(advantages[1]).toBeCloseTo(-1.224741871, 9);
    expect(advantages[2]).toBe(0);
    expect(advantages[3]).toBe(0);
    expect(advantages[0]).toBeCloseTo(0.5 / (std + GRPO_EPSILON), 9);
  });

  it("dr_grpo: R − mean", () => {
    expect(groupAdvantages(rewards, groups, "dr_grpo")).toEqual([0.5, -0.5, 0, 0]);
  });

  it("a group of one uses mean 0 and std 1, as does an item without a group", () => {
    // 0.7 / (1 + 1e-6) = 0.6999993
    expect(groupAdvantages([0.7], ["solo"], "grpo")).toEqual([0.6999993]);
    expect(groupAdvantages([0.7], [null], "grpo")).toEqual([0.6999993]);
    expect(groupAdvantages([0.7, 0.3], [null, null], "dr_grpo")).toEqual([0.7, 0.3]);
  });

  it("keeps groups apart", () => {
    // group a: [0.2, 0.9] → mean 0.55, std = 0.35·√2 ≈ 0.494975 → ∓0.35 / 0.494976 = ∓0.707105353
    const advantages = groupAdvantages([0.2, 1, 0.9, 0], ["a", "b", "a", "b"], "grpo") as number[];
    expect(advantages[0]).toBeCloseTo(-0.707105353, 9);
    expect(advantages[2]).toBeCloseTo(0.707105353, 9);
    // group b: [1, 0] → mean 0.5, std = √0.5 → ±0.5 / 0.707107781 = ±0.707105781
    expect(advantages[1]).toBeCloseTo(0.707105781, 9);
    expect(advantages[3]).toBeCloseTo(-0.707105781, 9);
  });

  it("clips rewards to [0, 1] first", () => {
    expect(groupAdvantages([1.4, -0.3], ["g", "g"], "dr_grpo")).toEqual([0.5, -0.5]);
  });

  it("gives exactly 0 to a group of equal rewards", () => {
    expect(groupAdvantages([0.1, 0.1, 0.1], ["g", "g", "g"], "grpo")).toEqual([0, 0, 0]);
  });

  it("returns null for mode none and rejects mismatched lengths", () => {
    expect(groupAdvantages([1, 0], ["g", "g"], "none")).toBeNull();
    expect(() => groupAdvantages([1, 0], ["g"], "grpo")).toThrow(RangeError);
  });
});
