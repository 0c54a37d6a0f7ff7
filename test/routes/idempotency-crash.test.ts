import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { requestFingerprint } from "../../src/middleware/idempotency";
import { DEFAULT_PRICES } from "../../src/services/billing";
import { scoreBody, sweTask } from "../fixtures";
import { call, expectError, newAccount } from "../helpers";
import { newBenchmark } from "./leaderboard-helpers";

/**
 * A request that dies mid-way (isolate killed, connection lost) leaves D1 as it was at that instant: its
 * Idempotency-Key `running`, and whatever it had already written. These tests write those rows directly, then
 * retry through the API with the same key.
 */

const ASK_PRICE = DEFAULT_PRICES.session_question;
const QUESTION = { question: "What error message do you see?" };

const deadAttempt = () => `req_dead${crypto.randomUUID().replaceAll("-", "")}`;

const balance = async (accountId: string) =>
  (
    await env.DB.prepare("select credits from accounts where id = ?")
      .bind(accountId)
      .first<{ credits: number }>()
  )?.credits;

interface LedgerRow {
  id: string;
  kind: string;
  route: string;
  cost: number;
  request_id: string | null;
}
const ledgerOf = async (accountId: string) =>
  (
    await env.DB.prepare(
      "select id, kind, route, cost, request_id from ledger where account_id = ? order by id",
    )
      .bind(accountId)
      .all<LedgerRow>()
  ).results;

const keyRow = (accountId: string, key: string) =>
  env.DB.prepare(
    "select state, status, lease_until, attempts from idempotency_keys where account_id = ? and key = ?",
  )
    .bind(accountId, key)
    .first<{ state: string; status: number | null; lease_until: number | null; attempts: string }>();

/** The key as its dead holder left it: running, held by `attempts` (the last one), its lease ending at `leaseUntil`. */
async function leaveRunningKey(
  accountId: string,
  key: string,
  request: { path: string; query?: string; body: unknown },
  attempts: string[],
  leaseUntil: number,
) {
  const hash = await requestFingerprint(
    "POST",
    request.path,
    request.query ?? "",
    JSON.stringify(request.body),
  );
  await env.DB.prepare(
    "insert into idempotency_keys (account_id, key, request_hash, state, lease_until, attempts, created_at) " +
      "values (?, ?, ?, 'running', ?, ?, ?)",
  )
    .bind(accountId, key, hash, leaseUntil, JSON.stringify(attempts), Date.now())
    .run();
}

/** A kept answer turned back into a running key: the attempt stored its effect, then died before answering. */
const loseResponse = (accountId: string, key: string, leaseUntil: number) =>
  env.DB.prepare(
    "update idempotency_keys set state = 'running', status = null, body = null, lease_until = ? " +
      "where account_id = ? and key = ?",
  )
    .bind(leaseUntil, accountId, key)
    .run();

/** A charge the dead attempt reserved (ledger row and balance in one batch, as `charge` writes them). */
async function leaveCharge(accountId: string, attempt: string, route: string, cost: number) {
  const id = `led_dead${crypto.randomUUID().replaceAll("-", "")}`;
  await env.DB.batch([
    env.DB.prepare(
      "insert into ledger (id, account_id, kind, route, units, cost, request_id) values (?, ?, 'charge', ?, 1, ?, ?)",
    ).bind(id, accountId, route, cost, attempt),
    env.DB.prepare("update accounts set credits = credits - ? where id = ?").bind(cost, accountId),
  ]);
  return id;
}

/** An account with one open session (sessions cost nothing to create). */
async function accountWithSession(credits = 100) {
  const account = await newAccount("crash", credits);
  const task = await call("POST", "/v1/tasks", { key: account.key, body: sweTask });
  expect(task.status, task.text).toBe(201);
  const session = await call("POST", "/v1/sessions", {
    key: account.key,
    body: { task_id: task.json.id, preference: "no_preference" },
  });
  expect(session.status, session.text).toBe(201);
  return { ...account, taskId: task.json.id as string, sessionId: session.json.id as string };
}

const questionCount = async (sessionId: string) =>
  (
    await env.DB.prepare("select question_count as n from sessions where id = ?")
      .bind(sessionId)
      .first<{ n: number }>()
  )?.n;
const questionRows = async (sessionId: string) =>
  (
    await env.DB.prepare("select position, answer, request_id from session_questions where session_id = ?")
      .bind(sessionId)
      .all<{ position: number; answer: string; request_id: string }>()
  ).results;

const askPath = (sessionId: string) => `/v1/sessions/${sessionId}/questions`;
const ask = (key: string, sessionId: string, idempotencyKey: string) =>
  call("POST", askPath(sessionId), { key, body: QUESTION, headers: { "Idempotency-Key": idempotencyKey } });

describe("a retry of a crashed idempotent request", () => {
  it("a key whose lease has not ended: the retry waits 5 s, then 409 with Retry-After; nothing runs", async () => {
    const s = await accountWithSession();
    const dead = deadAttempt();
    const leaseUntil = Date.now() + 30_000;
    await leaveRunningKey(
      s.account_id,
      "live",
      { path: askPath(s.sessionId), body: QUESTION },
      [dead],
      leaseUntil,
    );

    const started = Date.now();
    const res = await ask(s.key, s.sessionId, "live");
    const answered = Date.now();
    expectError(res, 409, "conflict");
    expect(answered - started).toBeGreaterThanOrEqual(5_000);
    const retryAfter = Number(res.headers.get("Retry-After"));
    // The seconds left on the lease when the wait ended, rounded up.
    expect(retryAfter).toBeGreaterThanOrEqual(Math.ceil((leaseUntil - answered) / 1000));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((leaseUntil - started - 5_000) / 1000));
    expect(await keyRow(s.account_id, "live")).toEqual({
      state: "running",
      status: null,
      lease_until: leaseUntil,
      attempts: JSON.stringify([dead]),
    });
    expect(await questionCount(s.sessionId)).toBe(0);
    expect(await balance(s.account_id)).toBe(100);
  });

  it("a dead attempt that charged and did nothing: the retry refunds it once, runs afresh, charges once", async () => {
    const s = await accountWithSession(100);
    const dead = deadAttempt();
    const deadCharge = await leaveCharge(s.account_id, dead, "session_question", ASK_PRICE);
    await leaveRunningKey(
      s.account_id,
      "ask-1",
      { path: askPath(s.sessionId), body: QUESTION },
      [dead],
      Date.now() - 1,
    );
    expect(await balance(s.account_id)).toBe(100 - ASK_PRICE);

    const retry = await ask(s.key, s.sessionId, "ask-1");
    expect(retry.status, retry.text).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    expect(retry.json).toMatchObject({ position: 1, remaining: 3 });
    expect(await questionCount(s.sessionId)).toBe(1);

    const held = await keyRow(s.account_id, "ask-1");
    expect(held).toMatchObject({ state: "done", status: 200, lease_until: null });
    const attempts = JSON.parse(held?.attempts ?? "[]") as string[];
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toBe(dead);
    const retryAttempt = attempts[1];
    expect(retryAttempt).toMatch(/^req_/);
    expect((await questionRows(s.sessionId)).map((q) => q.request_id)).toEqual([retryAttempt]);

    const expectOneNetCharge = async () => {
      expect(await balance(s.account_id)).toBe(100 - ASK_PRICE);
      const rows = (await ledgerOf(s.account_id)).filter((r) => r.kind !== "grant");
      expect(rows).toHaveLength(3);
      expect(rows).toEqual(
        expect.arrayContaining([
          { id: deadCharge, kind: "charge", route: "session_question", cost: ASK_PRICE, request_id: dead },
          {
            id: `led_rf_${deadCharge}`,
            kind: "refund",
            route: "session_question",
            cost: -ASK_PRICE,
            request_id: retryAttempt,
          },
          expect.objectContaining({
            kind: "charge",
            route: "session_question",
            cost: ASK_PRICE,
            request_id: retryAttempt,
          }),
        ]),
      );
      expect(100 - rows.reduce((sum, r) => sum + r.cost, 0)).toBe(await balance(s.account_id));
    };
    await expectOneNetCharge();

    const replay = await ask(s.key, s.sessionId, "ask-1");
    expect(replay.status).toBe(200);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.text).toBe(retry.text);
    await expectOneNetCharge();
    expect(await questionCount(s.sessionId)).toBe(1);
  });

  it("a dead attempt that asked the question: the retry answers it as stored; one question, one net charge", async () => {
    const s = await accountWithSession(100);
    const first = await ask(s.key, s.sessionId, "ask-2");
    expect(first.status, first.text).toBe(200);
    // It stored the question and its charge, then died before answering.
    await loseResponse(s.account_id, "ask-2", Date.now() - 1);
    const [dead] = JSON.parse((await keyRow(s.account_id, "ask-2"))?.attempts ?? "[]") as string[];
    const [deadCharge] = (await ledgerOf(s.account_id)).filter((r) => r.kind === "charge");
    expect(deadCharge.request_id).toBe(dead);

    const retry = await ask(s.key, s.sessionId, "ask-2");
    expect(retry.status, retry.text).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    expect(retry.json).toEqual(first.json);
    expect(await questionCount(s.sessionId)).toBe(1);
    expect(await questionRows(s.sessionId)).toEqual([
      { position: 0, answer: first.json.answer, request_id: dead },
    ]);

    expect(await balance(s.account_id)).toBe(100 - ASK_PRICE);
    const rows = (await ledgerOf(s.account_id)).filter((r) => r.kind !== "grant");
    expect(rows.filter((r) => r.kind === "refund")).toEqual([
      expect.objectContaining({ id: `led_rf_${deadCharge.id}`, cost: -ASK_PRICE }),
    ]);
    expect(rows.filter((r) => r.kind === "charge")).toHaveLength(2);
    expect(100 - rows.reduce((sum, r) => sum + r.cost, 0)).toBe(await balance(s.account_id));

    // The next question goes to the next position.
    const next = await ask(s.key, s.sessionId, "ask-3");
    expect(next.json).toMatchObject({ position: 2, remaining: 2 });
  });

  it("a dead attempt that created the session: the retry answers with that session; no second one", async () => {
    const s = await accountWithSession();
    const body = { task_id: s.taskId, preference: "one_question" };
    const headers = { "Idempotency-Key": "create-1" };
    const first = await call("POST", "/v1/sessions", { key: s.key, body, headers });
    expect(first.status, first.text).toBe(201);
    await loseResponse(s.account_id, "create-1", Date.now() - 1);

    const retry = await call("POST", "/v1/sessions", { key: s.key, body, headers });
    expect(retry.status, retry.text).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    expect(retry.json).toEqual(first.json);
    const { n } = (await env.DB.prepare("select count(*) as n from sessions where account_id = ?")
      .bind(s.account_id)
      .first<{ n: number }>()) as { n: number };
    expect(n).toBe(2); // accountWithSession's, and this one
    expect(JSON.parse((await keyRow(s.account_id, "create-1"))?.attempts ?? "[]")).toHaveLength(2);
  });

  it("three racing retries of one expired lease: one takes over, the others replay it or get 409", async () => {
    const s = await accountWithSession(100);
    const dead = deadAttempt();
    const deadCharge = await leaveCharge(s.account_id, dead, "session_question", ASK_PRICE);
    await leaveRunningKey(
      s.account_id,
      "race",
      { path: askPath(s.sessionId), body: QUESTION },
      [dead],
      Date.now() - 1,
    );

    const results = await Promise.all([1, 2, 3].map(() => ask(s.key, s.sessionId, "race")));
    const fresh = results.filter((r) => r.status === 200 && r.headers.get("Idempotent-Replayed") === null);
    expect(fresh).toHaveLength(1);
    for (const r of results.filter((x) => x !== fresh[0])) {
      if (r.status === 200) {
        expect(r.headers.get("Idempotent-Replayed")).toBe("true");
        expect(r.text).toBe(fresh[0].text);
      } else expectError(r, 409, "conflict");
    }
    expect(JSON.parse((await keyRow(s.account_id, "race"))?.attempts ?? "[]")).toHaveLength(2);
    expect(await questionCount(s.sessionId)).toBe(1);
    expect(await balance(s.account_id)).toBe(100 - ASK_PRICE);
    const rows = (await ledgerOf(s.account_id)).filter((r) => r.kind !== "grant");
    expect(rows.filter((r) => r.kind === "refund").map((r) => r.id)).toEqual([`led_rf_${deadCharge}`]);
    expect(rows.filter((r) => r.kind === "charge")).toHaveLength(2);
    expect(100 - rows.reduce((sum, r) => sum + r.cost, 0)).toBe(100 - ASK_PRICE);
  });
});

describe("a retry of a crashed run start", () => {
  const runBody = { agent: "crash-agent", version: "1" };

  it("finds the run the dead attempt started: same run and sessions, counted once against the limits", async () => {
    const bench = await newBenchmark({ trials: 2, daily_run_quota: 2 });
    const { key, account_id } = await newAccount("run-crash");
    const path = `/v1/benchmarks/${bench.id}/runs`;
    const headers = { "Idempotency-Key": "run-1" };
    const first = await call("POST", path, { key, body: runBody, headers });
    expect(first.status, first.text).toBe(201);
    expect(first.json.runs_started).toBe(1);
    expect(first.json.sessions).toHaveLength(2);
    const [dead] = JSON.parse((await keyRow(account_id, "run-1"))?.attempts ?? "[]") as string[];
    const stored = await env.DB.prepare("select request_id from runs where id = ?")
      .bind(first.json.id)
      .first<{ request_id: string }>();
    expect(stored?.request_id).toBe(dead);
    await loseResponse(account_id, "run-1", Date.now() - 1);

    const retry = await call("POST", path, { key, body: runBody, headers });
    expect(retry.status, retry.text).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    expect(retry.json).toEqual(first.json);
    const runsOf = async () =>
      (
        await env.DB.prepare("select id from runs where account_id = ? order by created_at")
          .bind(account_id)
          .all<{ id: string }>()
      ).results.map((r) => r.id);
    expect(await runsOf()).toEqual([first.json.id]);
    const { n } = (await env.DB.prepare("select count(*) as n from sessions where account_id = ?")
      .bind(account_id)
      .first<{ n: number }>()) as { n: number };
    expect(n).toBe(2);

    const replay = await call("POST", path, { key, body: runBody, headers });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.json.id).toBe(first.json.id);

    // The quota of two counted the adopted run once: one more start passes, the third is refused.
    const second = await call("POST", path, { key, body: runBody });
    expect(second.status, second.text).toBe(201);
    expect(second.json.runs_started).toBe(2);
    expectError(await call("POST", path, { key, body: runBody }), 429, "rate_limited");
    expect(await runsOf()).toEqual([first.json.id, second.json.id]);
  });

  it("a dead attempt that started nothing: the retry starts the run, stored as its own", async () => {
    const bench = await newBenchmark({ trials: 1 });
    const { key, account_id } = await newAccount("run-crash-empty");
    const path = `/v1/benchmarks/${bench.id}/runs`;
    const dead = deadAttempt();
    await leaveRunningKey(account_id, "run-2", { path, body: runBody }, [dead], Date.now() - 1);

    const retry = await call("POST", path, { key, body: runBody, headers: { "Idempotency-Key": "run-2" } });
    expect(retry.status, retry.text).toBe(201);
    expect(retry.json.runs_started).toBe(1);
    const attempts = JSON.parse((await keyRow(account_id, "run-2"))?.attempts ?? "[]") as string[];
    expect(attempts[0]).toBe(dead);
    const stored = await env.DB.prepare("select request_id from runs where account_id = ?")
      .bind(account_id)
      .all<{ request_id: string }>();
    expect(stored.results).toEqual([{ request_id: attempts[1] }]);
  });
});

describe("what a key is bound to", () => {
  it("a 402 is not kept: after a top-up the same key runs the call", async () => {
    const { key, account_id } = await newAccount("broke", 0);
    const headers = { "Idempotency-Key": "score-402" };
    expectError(
      await call("POST", "/v1/score", { key, body: scoreBody, headers }),
      402,
      "insufficient_credits",
    );
    expect(await keyRow(account_id, "score-402")).toBeNull();
    const granted = await call("POST", `/v1/accounts/${account_id}/credits`, { body: { credits: 5 } });
    expect(granted.status, granted.text).toBe(200);

    const paid = await call("POST", "/v1/score", { key, body: scoreBody, headers });
    expect(paid.status, paid.text).toBe(200);
    expect(paid.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await balance(account_id)).toBe(5 - DEFAULT_PRICES.score);
  });

  it("the query string is part of the request: the same key with another query → 409", async () => {
    const { key, account_id } = await newAccount("query", 10);
    const headers = { "Idempotency-Key": "score-q" };
    const first = await call("POST", "/v1/score?variant=a", { key, body: scoreBody, headers });
    expect(first.status, first.text).toBe(200);
    expectError(
      await call("POST", "/v1/score?variant=b", { key, body: scoreBody, headers }),
      409,
      "conflict",
    );
    expectError(await call("POST", "/v1/score", { key, body: scoreBody, headers }), 409, "conflict");
    const same = await call("POST", "/v1/score?variant=a", { key, body: scoreBody, headers });
    expect(same.headers.get("Idempotent-Replayed")).toBe("true");
    expect(same.text).toBe(first.text);
    expect(await balance(account_id)).toBe(10 - DEFAULT_PRICES.score);
  });
});
