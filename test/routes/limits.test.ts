import { describe, expect, it } from "vitest";
import { LIMITS } from "../../src/config";
import { jsonShapeViolation } from "../../src/lib/json-shape";
import { researchTask, scoreBody, sweTask } from "../fixtures";
import { call, expectError, newAccount } from "../helpers";

/** 200,000 one-digit elements: about 400 KB, under every body limit (issue #14, item 5). */
const huge = () => Array.from({ length: 200_000 }, () => 1);
const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
const SHAPE = { depth: LIMITS.jsonDepth, arrayItems: LIMITS.jsonArrayItems, values: LIMITS.jsonValues };

/** Each route that took a huge array to a 500, with the array placed where its schema bounds one. */
const CASES: [string, (a: unknown) => unknown][] = [
  ["/v1/score", (a) => ({ ...scoreBody, questions: a })],
  ["/v1/score", (a) => ({ ...scoreBody, prediction: a })],
  ["/v1/score/batch", (a) => ({ items: a })],
  ["/v1/score/batch", (a) => ({ items: [{ ...scoreBody, questions: undefined, messages: a }] })],
  ["/v1/tasks", (a) => ({ ...sweTask, files: a })],
  ["/v1/tasks", (a) => ({ ...researchTask, documents: a })],
  ["/v1/vaguenize", (a) => ({ prompt: sweTask.prompt, family: "swe", hidden: a })],
  ["/v1/training/jobs", (a) => ({ items: a })],
  ["/v1/training/jobs", (a) => ({ config: { task_ids: a } })],
  ["/v1/benchmarks", (a) => ({ name: "huge", task_ids: a, preferences: ["json"] })],
];

describe("request structure limits", () => {
  for (const [path, body] of CASES) {
    it(`${path}: a 200,000-element array is a 400 and charges nothing (${JSON.stringify(body([])).slice(0, 40)})`, async () => {
      const { key } = await newAccount("huge", 1000);
      const res = await call("POST", path, { key, body: body(huge()) });
      expectError(res, 400, "invalid_request");
      expect(res.json.error.message).toContain(`more than ${LIMITS.jsonArrayItems} elements`);
      const usage = await call("GET", "/v1/usage", { key });
      expect(usage.json.credits_remaining).toBe(1000);
    });

    it(`${path}: 100,000 levels of nesting is a 400`, async () => {
      const res = await call("POST", path, { rawBody: `{"x":${deep(100_000)}}` });
      expectError(res, 400, "invalid_request");
      expect(res.json.error.message).toContain(`deeper than ${LIMITS.jsonDepth} levels`);
    });
  }

  it("deep nesting where a schema accepts any value (extra message keys) is a 400", async () => {
    const body = JSON.stringify({
      ...scoreBody,
      questions: undefined,
      messages: [{ role: "user", content: "x" }],
    });
    const res = await call("POST", "/v1/score", {
      rawBody: body.replace('"content":"x"', `"content":"x","extra":${deep(50_000)}`),
    });
    expectError(res, 400, "invalid_request");
  });

  it("many invalid values in bounded arrays is a 400 with at most 50 details", async () => {
    // 200 items × 500 invalid messages: every array is in bounds, 100,200 values in all.
    const items = Array.from({ length: 200 }, () => ({
      ...scoreBody,
      questions: undefined,
      messages: Array.from({ length: 500 }, () => 1),
    }));
    const res = await call("POST", "/v1/score/batch", { body: { items } });
    expectError(res, 400, "invalid_request");
    expect(res.json.error.message).toContain(`more than ${LIMITS.jsonValues} values`);
    // Under the value limit, the issues are counted and only the first ones listed.
    const fewer = items.slice(0, 100);
    const listed = await call("POST", "/v1/score/batch", { body: { items: fewer } });
    expectError(listed, 400, "invalid_request");
    expect(listed.json.error.details).toHaveLength(LIMITS.errorDetails);
    expect(listed.json.error.message).toContain("of 50000");
  });

  it("a runner callback with deep nesting is a 400 before its signature is checked", async () => {
    const res = await call("POST", "/v1/training/jobs/job_x/events", {
      key: null,
      rawBody: `{"type":"progress","result":${deep(10_000).replace("[]", "{}")}}`,
    });
    expectError(res, 400, "invalid_request");
  });

  it("bodies at the limits still pass", async () => {
    const items = Array.from({ length: 1024 }, () => ({ ...scoreBody, group: "g" }));
    const res = await call("POST", "/v1/score/batch", { body: { items } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.results).toHaveLength(1024);
  });
});

describe("jsonShapeViolation", () => {
  it("counts array elements, members and depth, ignoring brackets and commas in strings", () => {
    const limits = { depth: 3, arrayItems: 3, values: 10 };
    expect(jsonShapeViolation("[1,2,3]", limits)).toBeNull();
    expect(jsonShapeViolation("[1,2,3,4]", limits)).toContain("more than 3 elements");
    expect(jsonShapeViolation('["[,,,[[[", "a,b,c,\\"[[["]', limits)).toBeNull();
    expect(jsonShapeViolation("[[[]]]", limits)).toBeNull();
    expect(jsonShapeViolation("[[[[]]]]", limits)).toContain("deeper than 3");
    // Objects may have more members than an array may have elements; members count toward values.
    expect(jsonShapeViolation('{"a":1,"b":2,"c":3,"d":4}', limits)).toBeNull();
    // 3 members + 7 elements, then 3 + 8.
    expect(jsonShapeViolation(JSON.stringify({ a: [1, 2, 3], b: [1, 2, 3], c: [1] }), limits)).toBeNull();
    expect(jsonShapeViolation(JSON.stringify({ a: [1, 2, 3], b: [1, 2, 3], c: [1, 2] }), limits)).toContain(
      "more than 10 values",
    );
    expect(jsonShapeViolation("[ ]", limits)).toBeNull();
    expect(jsonShapeViolation("[ [ ] , [ ] , { } ]", limits)).toBeNull();
    expect(jsonShapeViolation('"just a string"', limits)).toBeNull();
  });

  it("agrees with a parsed count on the shared fixtures", () => {
    const count = (v: unknown): number =>
      Array.isArray(v)
        ? v.length + v.reduce((n: number, x) => n + count(x), 0)
        : v && typeof v === "object"
          ? Object.values(v).reduce((n: number, x) => n + 1 + count(x), 0)
          : 0;
    for (const value of [scoreBody, sweTask, researchTask, { items: [scoreBody, scoreBody] }]) {
      const n = count(value);
      expect(jsonShapeViolation(JSON.stringify(value), { ...SHAPE, values: n })).toBeNull();
      expect(jsonShapeViolation(JSON.stringify(value), { ...SHAPE, values: n - 1 })).toContain("values");
    }
  });
});
