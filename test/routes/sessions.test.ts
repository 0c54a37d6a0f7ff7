import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { researchTask, sweTask } from "../fixtures";
import { call, expectError, newAccount } from "../helpers";
import { apiWith } from "../training-helpers";

async function setup(task: object = sweTask, preference = "no_preference", extra: object = {}) {
  const account = await newAccount();
  const created = await call("POST", "/v1/tasks", { key: account.key, body: task });
  expect(created.status, created.text).toBe(201);
  const session = await call("POST", "/v1/sessions", {
    key: account.key,
    body: { task_id: created.json.id, preference, ...extra },
  });
  expect(session.status, session.text).toBe(201);
  return { ...account, taskId: created.json.id, session: session.json };
}

/**
 * The test D1, except that a batch writing a session question waits until `parties` such batches are
 * waiting (at most 5 s), then all go ahead at once.
 */
function questionWriteGate(parties: number) {
  const sqlOf = new WeakMap<object, string>();
  let waiting: (() => void)[] = [];
  let met = false;
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "prepare")
        return (query: string) => {
          const statement = target.prepare(query);
          const bind = statement.bind.bind(statement);
          statement.bind = (...values: unknown[]) => {
            const bound = bind(...values);
            sqlOf.set(bound, query);
            return bound;
          };
          sqlOf.set(statement, query);
          return statement;
        };
      if (prop === "batch")
        return async (statements: D1PreparedStatement[]) => {
          if (statements.some((s) => /^insert into "session_questions"/i.test(sqlOf.get(s) ?? ""))) {
            await new Promise<void>((resolve) => {
              waiting.push(resolve);
              if (waiting.length >= parties) {
                met = true;
                for (const go of waiting) go();
                waiting = [];
              } else setTimeout(resolve, 5000);
            });
          }
          return target.batch(statements);
        };
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, met: () => met };
}

const ask = (key: string, id: string, question: string) =>
  call("POST", `/v1/sessions/${id}/questions`, { key, body: { question } });

describe("sessions (rules engine)", () => {
  it("walks a session: create, ask twice, act, finish, read the transcript", async () => {
    const { key, session } = await setup(sweTask, "one_question");
    expect(session).toMatchObject({
      prompt: sweTask.vague_prompt,
      max_questions: 4,
      engine: "rules",
      state: "open",
    });
    expect(session.preference.id).toBe("one_question");
    expect(session.id).toMatch(/^ses_/);

    const first = await ask(key, session.id, "What error message do you see?");
    expect(first.status, first.text).toBe(200);
    expect(first.json).toMatchObject({ position: 1, remaining: 3 });
    expect(first.json.answer.length).toBeGreaterThan(0);
    expect(first.json.answer).not.toMatch(/\[(Cost|Reward)/);
    expect(Object.keys(first.json).sort()).toEqual(["answer", "position", "remaining"]);

    expect((await call("POST", `/v1/sessions/${session.id}/actions`, { key, body: {} })).json).toEqual({
      actions: 1,
    });
    const second = await ask(key, session.id, "Which file should I change? And which function?");
    expect(second.json.position).toBe(2);

    const open = await call("GET", `/v1/sessions/${session.id}`, { key });
    expect(open.json.questions[0]).not.toHaveProperty("tier");
    expect(open.json.score).toBeNull();

    const finished = await call("POST", `/v1/sessions/${session.id}/finish`, {
      key,
      body: { prediction: sweTask.functions },
    });
    expect(finished.status, finished.text).toBe(200);
    expect(finished.json.productivity).toBe(1);
    expect(finished.json.metrics.questions).toBe(2);
    expect(finished.json.questions[1]).toMatchObject({
      compliant: false,
      judge: "rule",
      effort_source: "rules",
    });
    expect(finished.json.personalization).toBe(-0.5);

    const view = await call("GET", `/v1/sessions/${session.id}`, { key });
    expect(view.json.state).toBe("finished");
    expect(view.json.score.reward).toBe(finished.json.reward);
    expect(view.json.questions[1]).toMatchObject({
      after_actions: 1,
      compliant: false,
      effort_source: "rules",
    });
    expect(view.json.questions[0].tier).toBeTruthy();
    expect(view.json.prompt_versions).toEqual({ rules: "rules-v1" });
  });

  it("refuses the 5th ask and closes after finish (409)", async () => {
    const { key, session } = await setup(sweTask, "no_preference");
    for (let i = 0; i < 4; i++)
      expect((await ask(key, session.id, `Question ${i}: what fails?`)).status).toBe(200);
    const fifth = await ask(key, session.id, "And what else?");
    expect(fifth.json).toEqual({
      answer: "I cannot answer more. Do it yourself.",
      position: 5,
      remaining: 0,
    });
    const done = await call("POST", `/v1/sessions/${session.id}/finish`, {
      key,
      body: { prediction: [], task_score: 0.5 },
    });
    expect(done.status).toBe(200);
    expect(done.json.productivity).toBe(0.5);
    expect(done.json.questions[4]).toMatchObject({ tier: null, effort: null });
    expectError(await ask(key, session.id, "Still there?"), 409, "conflict");
    expectError(await call("POST", `/v1/sessions/${session.id}/actions`, { key, body: {} }), 409, "conflict");
    expectError(
      await call("POST", `/v1/sessions/${session.id}/finish`, { key, body: { prediction: [] } }),
      409,
      "conflict",
    );
  });

  it("do_selection answers with a letter only", async () => {
    const { key, session } = await setup(sweTask, "do_selection");
    const res = await ask(
      key,
      session.id,
      "Where is the problem? A) the required-columns check B) plotting C) I/O",
    );
    expect(res.json.answer).toMatch(/^[ABC]$/);
    const none = await ask(key, session.id, "Where is the problem?");
    expect(none.json.answer).toMatch(/don't know/i);
  });

  it("research: exact match scores the answer; a precise session shows the precise prompt", async () => {
    const { key, session } = await setup(researchTask, "no_preference", { vague: false });
    expect(session.prompt).toBe(researchTask.prompt);
    const done = await call("POST", `/v1/sessions/${session.id}/finish`, {
      key,
      body: { prediction: "Genoa C.F.C." },
    });
    expect(done.json.productivity).toBe(1);
  });

  it("two racing asks cannot take the same turn: exactly one gets it, the other a 409", async () => {
    const { key, account_id, session } = await setup();
    // Both asks read the session before either writes: each holds its question's batch until both have one.
    const gate = questionWriteGate(2);
    const results = await Promise.all(
      ["What fails?", "What breaks?"].map((question) =>
        apiWith({ DB: gate.db }, "POST", `/v1/sessions/${session.id}/questions`, { key, body: { question } }),
      ),
    );
    expect(gate.met()).toBe(true);
    const won = results.filter((r) => r.status === 200);
    expect(won, results.map((r) => r.text).join("\n")).toHaveLength(1);
    expect(won[0].json).toMatchObject({ position: 1, remaining: 3 });
    const lost = results.find((r) => r.status !== 200);
    expectError(lost as { status: number; json: any }, 409, "conflict");
    const rows = await env.DB.prepare("select position, text from session_questions where session_id = ?")
      .bind(session.id)
      .all();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0].position).toBe(0);
    // The loser's ask was refunded: one ask charged in all.
    const charged = await env.DB.prepare(
      "select coalesce(sum(cost), 0) as n from ledger where account_id = ? and route = 'session_question'",
    )
      .bind(account_id)
      .first<{ n: number }>();
    expect(charged?.n).toBe(2);
  });

  it("another account's session is a 404 everywhere", async () => {
    const { session } = await setup();
    const other = await newAccount();
    expectError(await ask(other.key, session.id, "Hello?"), 404, "not_found");
    expectError(await call("GET", `/v1/sessions/${session.id}`, { key: other.key }), 404, "not_found");
    expectError(
      await call("POST", `/v1/sessions/${session.id}/actions`, { key: other.key, body: {} }),
      404,
      "not_found",
    );
    expectError(
      await call("POST", `/v1/sessions/${session.id}/finish`, { key: other.key, body: { prediction: [] } }),
      404,
      "not_found",
    );
    expectError(await call("GET", "/v1/sessions/ses_nope", { key: other.key }), 404, "not_found");
  });

  it("bad input → 400 and nothing written", async () => {
    const { key, session, taskId } = await setup();
    expectError(await ask(key, session.id, ""), 400, "invalid_request");
    expectError(await ask(key, session.id, "x".repeat(4001)), 400, "invalid_request");
    expectError(
      await call("POST", `/v1/sessions/${session.id}/questions`, { key, body: { q: "x" } }),
      400,
      "invalid_request",
    );
    expectError(
      await call("POST", `/v1/sessions/${session.id}/finish`, { key, body: { prediction: 5 } }),
      400,
      "invalid_request",
    );
    expectError(
      await call("POST", `/v1/sessions/${session.id}/finish`, {
        key,
        body: { prediction: [], task_score: 2 },
      }),
      400,
      "invalid_request",
    );
    expectError(
      await call("POST", "/v1/sessions", { key, body: { task_id: taskId, preference: "nope" } }),
      400,
      "invalid_request",
    );
    expectError(
      await call("POST", "/v1/sessions", { key, body: { task_id: "task_nope", preference: "json" } }),
      404,
      "not_found",
    );
    const view = await call("GET", `/v1/sessions/${session.id}`, { key });
    expect(view.json.questions).toEqual([]);
    expect(view.json.state).toBe("open");
  });

  it("needs a key", async () => {
    expectError(await call("POST", "/v1/sessions", { key: null, body: {} }), 401, "unauthorized");
  });
});
