import { describe, expect, it } from "vitest";
import { canonicalJson, hmacSha256Hex, hmacSha256Verify } from "../../src/lib/signing";
import { expandItems } from "../../src/userville/benchmark-items";
import { aggregateRun, passHatK, type RunSession, seedOf } from "../../src/userville/leaderboard";

const base = { taskId: "t1", vague: true } as const;
const solvedSilently: RunSession = {
  ...base,
  preference: "no_preference",
  productivity: 1,
  proactive: true,
  personalized: null,
  asked: false,
  reward: 1,
};
/** Item A (seen): solved twice without a question. Item B (unseen): one full success, one failure that violated. */
const tiny: RunSession[] = [
  solvedSilently,
  solvedSilently,
  {
    ...base,
    preference: "capital",
    productivity: 1,
    proactive: true,
    personalized: true,
    asked: true,
    reward: 1,
  },
  {
    ...base,
    preference: "capital",
    productivity: 0,
    proactive: false,
    personalized: false,
    asked: true,
    reward: 0,
  },
];

describe("leaderboard aggregates", () => {
  it("hand-checked on a tiny run", () => {
    const s = aggregateRun(tiny, { seed: 7 });
    expect(s.productivity.mean).toBe(0.75);
    expect(s.proactivity.mean).toBe(0.75);
    expect(s.personalization).toMatchObject({ mean: 0.5, n: 2 });
    expect(s.avg.mean).toBe(0.666667);
    expect(s.ask_ratio).toBe(0.5);
    expect(s).toMatchObject({ sessions: 4, items: 2, trials: 2 });
    // pass^1 = mean(2/2, 1/2); pass^2 = mean(C(2,2)/C(2,2), C(1,2)/C(2,2)) = mean(1, 0).
    expect(s.pass_k).toEqual({ "1": 0.75, "2": 0.5 });
    // Two items: resamples are AA (1), AB/BA (0.75) or BB (0.5), a quarter each at the ends.
    expect(s.productivity.ci).toEqual([0.5, 1]);
    expect(s.personalization.ci).toEqual([0.5, 0.5]);
    expect(s.avg.ci).toEqual([0.5, 1]);

    expect(s.splits.seen).toMatchObject({
      productivity: { mean: 1, ci: null },
      personalization: { mean: null, n: 0 },
      avg: { mean: 1 },
      items: 1,
    });
    expect(s.splits.unseen).toMatchObject({
      productivity: { mean: 0.5 },
      proactivity: { mean: 0.5 },
      personalization: { mean: 0.5 },
      avg: { mean: 0.5 },
      ask_ratio: 1,
    });
    expect(s.splits.vague?.sessions).toBe(4);
    expect(s.splits.precise).toBeNull();
    expect(s.by_preference).toEqual({
      capital: {
        split: "unseen",
        sessions: 2,
        productivity: 0.5,
        proactivity: 0.5,
        personalization: 0.5,
        avg: 0.5,
        ask_ratio: 1,
      },
      no_preference: {
        split: "seen",
        sessions: 2,
        productivity: 1,
        proactivity: 1,
        personalization: null,
        avg: 1,
        ask_ratio: 0,
      },
    });
    expect(s.bootstrap).toEqual({
      method: "percentile",
      unit: "item",
      resamples: 1000,
      level: 0.95,
      seed: 7,
    });
  });

  it("the bootstrap is seeded: same sessions (in any order) give the same intervals", () => {
    const sessions: RunSession[] = Array.from({ length: 60 }, (_, i) => ({
      taskId: `t${i % 15}`,
      preference: i % 2 ? "json" : "no_preference",
      vague: i % 3 !== 0,
      productivity: (i * 7) % 5 === 0 ? 1 : (i % 4) / 4,
      proactive: i % 3 === 0,
      personalized: i % 5 === 0 ? null : i % 2 === 0,
      asked: i % 5 !== 0,
      reward: i % 4 === 0 ? 1 : 0.5,
    }));
    const seed = seedOf("bench_demo");
    const first = aggregateRun(sessions, { seed });
    expect(aggregateRun(sessions, { seed })).toEqual(first);
    expect(aggregateRun([...sessions].reverse(), { seed })).toEqual(first);
    const other = aggregateRun(sessions, { seed: seed + 1 });
    expect(other.productivity.mean).toBe(first.productivity.mean);
    expect(other.productivity.ci).not.toEqual(first.productivity.ci);
    for (const d of ["productivity", "proactivity", "personalization", "avg"] as const) {
      const { mean, ci } = first[d];
      expect(ci?.[0]).toBeLessThanOrEqual(mean as number);
      expect(ci?.[1]).toBeGreaterThanOrEqual(mean as number);
    }
    expect(first.splits.precise?.sessions).toBe(20);
  });

  it("pass^k follows τ-bench: C(c, k) / C(n, k)", () => {
    expect(passHatK(4, 4, 4)).toBe(1);
    expect(passHatK(4, 2, 1)).toBe(0.5);
    expect(passHatK(4, 2, 2)).toBeCloseTo(1 / 6, 12);
    expect(passHatK(4, 1, 2)).toBe(0);
    expect(passHatK(4, 0, 1)).toBe(0);
  });

  it("refuses an empty run; seeds are stable 32-bit values", () => {
    expect(() => aggregateRun([], { seed: 1 })).toThrow(RangeError);
    expect(seedOf("bench_demo")).toBe(seedOf("bench_demo"));
    expect(seedOf("bench_demo")).not.toBe(seedOf("bench_demp"));
    expect(seedOf("")).toBe(0x811c9dc5);
  });
});

describe("benchmark items", () => {
  it("cross and round_robin", () => {
    const args = {
      taskIds: ["a", "b", "c"],
      preferences: ["json", "capital"] as const,
      prompts: ["vague"] as const,
    };
    expect(
      expandItems({
        ...args,
        preferences: [...args.preferences],
        prompts: [...args.prompts],
        assignment: "cross",
      }),
    ).toHaveLength(6);
    expect(
      expandItems({
        ...args,
        preferences: [...args.preferences],
        prompts: ["vague", "precise"],
        assignment: "round_robin",
      }).map((i) => `${i.taskId}:${i.preference}:${i.vague}`),
    ).toEqual([
      "a:json:true",
      "a:json:false",
      "b:capital:true",
      "b:capital:false",
      "c:json:true",
      "c:json:false",
    ]);
  });
});

describe("signing", () => {
  it("canonical JSON sorts keys at every depth and drops whitespace and undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: "é" }], c: undefined }, "": true })).toBe(
      '{"":true,"a":{"d":[3,{"y":"é","z":null}]},"b":1}',
    );
    expect(canonicalJson([undefined, 0.1, -0, 1e21])).toBe("[null,0.1,0,1e+21]");
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(RangeError);
  });

  it("HMAC-SHA256 matches RFC 4231 test case 2 and verifies only the right signature", async () => {
    const sig = await hmacSha256Hex("Jefe", "what do ya want for nothing?");
    expect(sig).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    expect(await hmacSha256Verify("Jefe", "what do ya want for nothing?", sig)).toBe(true);
    expect(await hmacSha256Verify("Jefe", "what do ya want for nothing!", sig)).toBe(false);
    expect(await hmacSha256Verify("jefe", "what do ya want for nothing?", sig)).toBe(false);
    expect(await hmacSha256Verify("Jefe", "what do ya want for nothing?", "zz")).toBe(false);
  });
});
