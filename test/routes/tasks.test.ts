import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { researchTask, sweTask } from "../fixtures";
import { call, expectError, newAccount } from "../helpers";

describe("tasks", () => {
  it("creates a task, vaguenizes it, and returns only the public view", async () => {
    const { key } = await newAccount();
    const { vague_prompt: _given, ...precise } = sweTask;
    const res = await call("POST", "/v1/tasks", {
      key,
      body: { ...precise, title: "TimeSeries: misleading exception" },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.id).toMatch(/^task_/);
    expect(res.json.vaguenized_by).toBe("rules");
    expect(res.json.vague_prompt.split(/\s+/).length).toBeLessThan(20);
    expect(Object.keys(res.json).sort()).toEqual([
      "created_at",
      "family",
      "id",
      "vague_prompt",
      "vaguenized_by",
    ]);
    for (const secret of [sweTask.hint, sweTask.files[0], sweTask.functions[0], "_check_required_columns"]) {
      expect(res.text).not.toContain(secret);
    }
    const got = await call("GET", `/v1/tasks/${res.json.id}`, { key });
    expect(got.status).toBe(200);
    expect(got.json).toEqual({
      id: res.json.id,
      family: "swe",
      vague_prompt: res.json.vague_prompt,
      created_at: res.json.created_at,
    });
  });

  it("keeps a given vague prompt", async () => {
    const { key } = await newAccount();
    const res = await call("POST", "/v1/tasks", { key, body: researchTask });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      vague_prompt: researchTask.vague_prompt,
      vaguenized_by: "client",
      family: "research",
    });
  });

  it("lists tasks newest first with a cursor, only the account's own", async () => {
    const mine = await newAccount();
    const other = await newAccount();
    for (let i = 0; i < 3; i++)
      await call("POST", "/v1/tasks", { key: mine.key, body: { ...researchTask, vague_prompt: `v${i}` } });
    await call("POST", "/v1/tasks", { key: other.key, body: researchTask });
    const first = await call("GET", "/v1/tasks?limit=2", { key: mine.key });
    expect(first.status).toBe(200);
    expect(first.json.data).toHaveLength(2);
    const second = await call("GET", `/v1/tasks?limit=2&cursor=${first.json.next_cursor}`, { key: mine.key });
    expect(second.json.data).toHaveLength(1);
    expect(second.json.next_cursor).toBeNull();
    const all = [...first.json.data, ...second.json.data];
    expect(all.map((t: any) => t.vague_prompt).sort()).toEqual(["v0", "v1", "v2"]);
    const times = all.map((t: any) => Date.parse(t.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expectError(await call("GET", "/v1/tasks?cursor=%%%", { key: mine.key }), 400, "invalid_request");
    expectError(await call("GET", "/v1/tasks?limit=0", { key: mine.key }), 400, "invalid_request");
  });

  it("another account's task is a 404", async () => {
    const owner = await newAccount();
    const other = await newAccount();
    const created = await call("POST", "/v1/tasks", { key: owner.key, body: researchTask });
    expectError(await call("GET", `/v1/tasks/${created.json.id}`, { key: other.key }), 404, "not_found");
    expectError(await call("GET", "/v1/tasks/task_nope", { key: owner.key }), 404, "not_found");
  });

  it.each([
    ["no family", { prompt: "x" }],
    ["unknown family", { family: "chat", prompt: "x" }],
    ["empty prompt", { family: "swe", prompt: "  " }],
    ["files not strings", { family: "swe", prompt: "x", files: [1] }],
    ["unknown field", { family: "swe", prompt: "x", secret: true }],
  ])("%s → 400, nothing stored", async (_name, body) => {
    const { key, account_id } = await newAccount();
    expectError(await call("POST", "/v1/tasks", { key, body }), 400, "invalid_request");
    const n = await env.DB.prepare("select count(*) as n from tasks where account_id = ?")
      .bind(account_id)
      .first<{ n: number }>();
    expect(n?.n).toBe(0);
  });

  it("needs a key", async () => {
    expectError(await call("POST", "/v1/tasks", { key: null, body: researchTask }), 401, "unauthorized");
    expectError(await call("GET", "/v1/tasks", { key: null }), 401, "unauthorized");
  });
});

describe("POST /v1/vaguenize", () => {
  it("shortens a prompt and never returns a hidden value", async () => {
    const res = await call("POST", "/v1/vaguenize", {
      body: { prompt: sweTask.prompt, family: "swe", hidden: [...sweTask.files, ...sweTask.functions] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.engine).toBe("rules");
    expect(res.json.vague_prompt.split(/\s+/).length).toBeLessThan(sweTask.prompt.split(/\s+/).length / 3);
    expect(res.text).not.toContain("_check_required_columns");
    expect(res.text).not.toContain("core.py");
  });

  it.each([
    ["empty", {}],
    ["blank prompt", { prompt: " " }],
    ["bad family", { prompt: "x", family: "poetry" }],
    ["too long", { prompt: "x".repeat(50_001) }],
  ])("%s → 400", async (_name, body) => {
    expectError(await call("POST", "/v1/vaguenize", { body }), 400, "invalid_request");
  });

  it("needs a key", async () => {
    expectError(
      await call("POST", "/v1/vaguenize", { key: null, body: { prompt: "x" } }),
      401,
      "unauthorized",
    );
  });
});
