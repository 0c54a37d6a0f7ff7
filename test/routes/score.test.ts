import { describe, expect, it } from "vitest";
import { expectedAdvantages } from "../advantages";
import { messagesBody, researchTask, scoreBody, sweTask } from "../fixtures";
import { call, expectError, insertTask, newAccount } from "../helpers";

describe("POST /v1/score", () => {
  it("scores the spec's worked example: reward 0.1 from 0.8 / -0.2 / -0.5 (code profile)", async () => {
    const res = await call("POST", "/v1/score", {
      body: { ...scoreBody, prediction: undefined, task_score: 0.8 },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.productivity).toBeCloseTo(0.8, 12);
    expect(res.json.proactivity).toBeCloseTo(-0.2, 12);
    expect(res.json.personalization).toBeCloseTo(-0.5, 12);
    expect(res.json.reward).toBeCloseTo(0.1, 12);
    expect(res.json.profile).toBe("code");
    expect(res.json.engine).toBe("rules");
    expect(res.json.metrics).toEqual({
      proactive: false,
      personalized: false,
      asked: true,
      questions: 2,
      effort: "medium",
    });
    expect(res.json.questions).toEqual([
      expect.objectContaining({
        tier: "precise",
        effort: "low",
        effort_source: "client",
        compliant: true,
        judge: "rule",
      }),
      expect.objectContaining({
        tier: "idk",
        effort: "medium",
        effort_source: "client",
        compliant: false,
        judge: "rule",
      }),
    ]);
  });

  it("applies weights only to the total", async () => {
    const res = await call("POST", "/v1/score", {
      body: { ...scoreBody, task_score: 0.8, weights: { proactivity: 0, personalization: 0 } },
    });
    expect(res.status).toBe(200);
    expect(res.json.reward).toBeCloseTo(0.8, 12);
    expect(res.json.personalization).toBeCloseTo(-0.5, 12);
  });

  it("computes productivity as function F1 with path normalisation", async () => {
    const res = await call("POST", "/v1/score", {
      body: {
        ...scoreBody,
        preference: "no_preference",
        prediction:
          "/testbed/astropy/timeseries/core.py::BaseTimeSeries._check_required_columns\nastropy/x.py::f",
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.productivity).toBeCloseTo(2 / 3, 12);
  });

  it("reads OpenAI messages: asks, [Cost] tags, later steps", async () => {
    const res = await call("POST", "/v1/score", {
      body: {
        ...messagesBody,
        preference: "only_begin",
        messages: [
          ...messagesBody.messages,
          {
            role: "assistant",
            tool_calls: [
              { id: "call_3", function: { name: "ask_user", arguments: '{"query":"Which file?"}' } },
            ],
          },
          { role: "tool", tool_call_id: "call_3", content: "Try astropy/timeseries/core.py [Cost 4]" },
        ],
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.questions.map((q: any) => [q.text, q.tier, q.compliant])).toEqual([
      ["What error do you see?", "precise", true],
      ["Which file?", "file", false],
    ]);
    expect(res.json.personalization).toBe(-1);
    expect(res.json.metrics.effort).toBe("high");
  });

  it("labels unlabelled questions with the rules engine", async () => {
    const res = await call("POST", "/v1/score", {
      body: {
        ...scoreBody,
        preference: "no_preference",
        questions: [{ text: "Which file should I change?" }],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.questions[0].effort_source).toBe("rules");
    expect(["precise", "hint", "idk", "file", "function"]).toContain(res.json.questions[0].tier);
  });

  it("scores a stored task by id, and another account's task is a 404", async () => {
    const owner = await newAccount("owner");
    const other = await newAccount("other");
    const taskId = await insertTask(owner.account_id, researchTask);
    const body = { task_id: taskId, preference: "no_preference", prediction: "genoa cfc", questions: [] };
    const mine = await call("POST", "/v1/score", { key: owner.key, body });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.json.productivity).toBe(1);
    expectError(await call("POST", "/v1/score", { key: other.key, body }), 404, "not_found");
    expectError(
      await call("POST", "/v1/score", { key: owner.key, body: { ...body, task_id: "task_nope" } }),
      404,
      "not_found",
    );
  });

  it("never shows the task's hidden fields", async () => {
    const res = await call("POST", "/v1/score", { body: scoreBody });
    expect(res.status).toBe(200);
    for (const secret of [sweTask.hint, sweTask.files[0], sweTask.functions[0], sweTask.prompt]) {
      expect(res.text).not.toContain(secret);
    }
  });

  it.each([
    ["unknown preference", { ...scoreBody, preference: "likes_cats" }],
    ["unknown profile", { ...scoreBody, profile: "paperish" }],
    ["task_score out of range", { ...scoreBody, task_score: 1.5 }],
    ["task_score not a number", { ...scoreBody, task_score: "NaN" }],
    ["both task and task_id", { ...scoreBody, task_id: "task_x" }],
    ["no task", { ...scoreBody, task: undefined }],
    ["questions and messages", { ...scoreBody, messages: messagesBody.messages }],
    ["empty question", { ...scoreBody, questions: [{ text: "   " }] }],
    ["question over 4000 characters", { ...scoreBody, questions: [{ text: "a".repeat(4001) }] }],
    [
      "tier not of the family",
      { ...scoreBody, task: researchTask, questions: [{ text: "Which file?", tier: "file" }] },
    ],
    ["unknown field", { ...scoreBody, colour: "blue" }],
    ["negative weight", { ...scoreBody, weights: { proactivity: -1, personalization: 1 } }],
    [
      "ask arguments not JSON",
      {
        ...messagesBody,
        messages: [
          {
            role: "assistant",
            tool_calls: [{ id: "c", function: { name: "ask_question", arguments: "{oops" } }],
          },
        ],
      },
    ],
  ])("%s → 400", async (_name, body) => {
    expectError(await call("POST", "/v1/score", { body }), 400, "invalid_request");
  });

  it("an oversized body → 413", async () => {
    const big = { ...scoreBody, prediction: "x".repeat(1024 * 1024 + 10) };
    expectError(await call("POST", "/v1/score", { body: big }), 413, "payload_too_large");
  });

  it("no key → 401", async () => {
    expectError(await call("POST", "/v1/score", { key: null, body: scoreBody }), 401, "unauthorized");
  });
});

describe("POST /v1/score/batch", () => {
  const step = (n: number, perGroup: number) =>
    Array.from({ length: n }, (_, i) => ({
      ...scoreBody,
      task_score: (i % 4) / 3,
      group: `g${Math.floor(i / perGroup)}`,
    }));

  it("scores one paper training step (512 items) with GRPO advantages", async () => {
    const items = step(512, 8);
    const res = await call("POST", "/v1/score/batch", { body: { items } });
    expect(res.status, res.text.slice(0, 500)).toBe(200);
    expect(res.json.results).toHaveLength(512);
    expect(res.json.summary.advantage).toBe("grpo");
    expect(res.json.summary.count).toBe(512);
    const group = res.json.results.slice(0, 8);
    const sum = group.reduce((a: number, r: any) => a + r.advantage, 0);
    expect(Math.abs(sum)).toBeLessThan(1e-9);
    expect(group[0].group).toBe("g0");
    const rewards = res.json.results.map((r: any) => r.reward);
    const groups = res.json.results.map((r: any) => r.group);
    expect(groups).toEqual(items.map((it) => it.group));
    const expected = expectedAdvantages(rewards, groups, "grpo");
    res.json.results.forEach((r: any, i: number) => {
      expect(r.advantage).toBeCloseTo(expected[i], 8);
    });
    expect(new Set(expected.map((a) => a.toFixed(6))).size).toBeGreaterThan(1);
  });

  it("dr_grpo subtracts the group mean only", async () => {
    const items = [
      { ...scoreBody, preference: "no_preference", task_score: 1, group: "a" },
      { ...scoreBody, preference: "no_preference", task_score: 0, questions: [], group: "a" },
    ];
    const res = await call("POST", "/v1/score/batch", { body: { items, advantage: "dr_grpo" } });
    expect(res.status).toBe(200);
    const [a, b] = res.json.results.map((r: any) => r.reward);
    expect(res.json.results[0].advantage).toBeCloseTo(a - (a + b) / 2, 12);
    expect(res.json.results[1].advantage).toBeCloseTo(b - (a + b) / 2, 12);
  });

  it("without groups the advantage is none", async () => {
    const res = await call("POST", "/v1/score/batch", { body: { items: [scoreBody, messagesBody] } });
    expect(res.status).toBe(200);
    expect(res.json.summary.advantage).toBe("none");
    expect(res.json.results.map((r: any) => r.advantage)).toEqual([null, null]);
  });

  it("one bad item rejects the batch and names its index", async () => {
    const items = [
      scoreBody,
      { ...scoreBody, task: researchTask, questions: [{ text: "x?", tier: "hint" }] },
    ];
    const res = await call("POST", "/v1/score/batch", { body: { items } });
    expectError(res, 400, "invalid_request");
    expect(JSON.stringify(res.json.error.details)).toContain("items.1.questions.0.tier");
  });

  it.each([
    ["empty items", { items: [] }],
    ["too many items", { items: Array.from({ length: 1025 }, () => scoreBody) }],
    ["unknown advantage", { items: [scoreBody], advantage: "ppo" }],
    ["items not an array", { items: scoreBody }],
  ])("%s → 400", async (_name, body) => {
    expectError(await call("POST", "/v1/score/batch", { body }), 400, "invalid_request");
  });

  it("no key → 401", async () => {
    expectError(
      await call("POST", "/v1/score/batch", { key: null, body: { items: [scoreBody] } }),
      401,
      "unauthorized",
    );
  });
});
