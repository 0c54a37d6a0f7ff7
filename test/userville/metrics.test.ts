import { describe, expect, it } from "vitest";
import { sessionEffort, sessionMetrics } from "../../src/userville/metrics";
import type { Effort, PenaltyRule } from "../../src/userville/types";

const perViolation: PenaltyRule = { kind: "per_violation", amount: 0.5 };

function metrics(over: Partial<Parameters<typeof sessionMetrics>[0]>) {
  return sessionMetrics({
    profile: "paper",
    vague: true,
    efforts: [],
    taskScore: 0.5,
    proactivity: 0,
    penaltyRule: perViolation,
    penalty: 0,
    ...over,
  });
}

describe("sessionEffort", () => {
  it.each<[(Effort | null)[], Effort | null]>([
    [["low"], "low"],
    [["low", "medium"], "medium"],
    [["medium", "high", "low"], "high"],
    [["low", "low", "low", "low", null], "low"],
  ])("highest of %j is %s", (efforts, expected) => {
    expect(sessionEffort({ vague: true, efforts, taskScore: 0 })).toBe(expected);
  });

  it("is high for a vague, silent, unsolved session and null otherwise", () => {
    expect(sessionEffort({ vague: true, efforts: [], taskScore: 0.5 })).toBe("high");
    expect(sessionEffort({ vague: true, efforts: [], taskScore: null })).toBe("high");
    expect(sessionEffort({ vague: true, efforts: [], taskScore: 1 })).toBeNull();
    expect(sessionEffort({ vague: false, efforts: [], taskScore: 0 })).toBeNull();
  });
});

describe("sessionMetrics", () => {
  it("paper: proactive when the session is low effort or effortless", () => {
    expect(metrics({ efforts: ["low"] }).proactive).toBe(true);
    expect(metrics({ efforts: ["low", "medium"] }).proactive).toBe(false);
    expect(metrics({ efforts: [], vague: false }).proactive).toBe(true);
    expect(metrics({ efforts: [], taskScore: 1 }).proactive).toBe(true);
    expect(metrics({ efforts: [], taskScore: 0 }).proactive).toBe(false);
  });

  it("code: proactive when the proactivity reward is not negative", () => {
    expect(metrics({ profile: "code", efforts: ["high"], proactivity: 0 }).proactive).toBe(true);
    expect(metrics({ profile: "code", efforts: ["low"], proactivity: 0.05 }).proactive).toBe(true);
    expect(metrics({ profile: "code", efforts: ["low", "medium"], proactivity: -0.2 }).proactive).toBe(false);
  });

  it("counts asks, including refused ones", () => {
    const m = metrics({ efforts: ["low", "low", "low", "low", null] });
    expect(m).toMatchObject({ asked: true, questions: 5, effort: "low" });
    expect(metrics({ efforts: [] })).toMatchObject({ asked: false, questions: 0, effort: "high" });
  });

  it("personalized: counted only with questions or a fired count rule", () => {
    expect(metrics({ efforts: ["low"], penalty: 0 }).personalized).toBe(true);
    expect(metrics({ efforts: ["low"], penalty: -0.5 }).personalized).toBe(false);
    expect(metrics({ efforts: [], penalty: 0 }).personalized).toBeNull();
    const answerMore: PenaltyRule = { kind: "min_asks", minimum: 3 };
    expect(metrics({ efforts: [], penaltyRule: answerMore, penalty: -3 }).personalized).toBe(false);
    const noAsk: PenaltyRule = { kind: "flag", amount: 1 };
    expect(metrics({ efforts: [], penaltyRule: noAsk, penalty: 0 }).personalized).toBeNull();
    expect(metrics({ efforts: ["low"], penaltyRule: { kind: "none" }, penalty: 0 }).personalized).toBeNull();
  });
});
