import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sweTask } from "../fixtures";
import { call, expectError, newAccount } from "../helpers";
import { entryOf, newBenchmark, play, playAll, startRun } from "./leaderboard-helpers";

/** Moves a run's deadline into the past, as time passing would. */
const expireRun = (runId: string) =>
  env.DB.prepare("update runs set deadline_at = ? where id = ?")
    .bind(Date.now() - 1, runId)
    .run();

const LABELS = ["tier", "effort", "effort_source", "compliant", "judge", "notes"];

/** Everything an agent can read about one of its run's sessions, while the run is open: no score, no label. */
async function expectConcealed(key: string, sessionId: string) {
  const view = await call("GET", `/v1/sessions/${sessionId}`, { key });
  expect(view.status, view.text).toBe(200);
  expect(view.json.score).toBeNull();
  expect(view.json.usage).toBeNull();
  for (const q of view.json.questions) {
    for (const label of LABELS) expect(q).not.toHaveProperty(label);
  }
  for (const word of ["reward", "productivity", "proactivity", "personalization", "verdict"])
    expect(view.text).not.toContain(word);
  return view.json;
}

describe("a run reveals nothing until it has ended", () => {
  it("finish answers only the state; transcript, run and board show no score while the run is open", async () => {
    const bench = await newBenchmark({ trials: 2 });
    const { key } = await newAccount();
    const run = await startRun(key, bench.id);
    const [first, second] = run.sessions;

    // A high-effort ask (file and function), the answer that carries the gold: answers are fine, labels are not.
    const asked = await call("POST", `/v1/sessions/${first.id}/questions`, {
      key,
      body: { question: "Which file should I look at? And which function?" },
    });
    expect(asked.status, asked.text).toBe(200);
    expect(Object.keys(asked.json).sort()).toEqual(["answer", "position", "remaining"]);
    const finished = await call("POST", `/v1/sessions/${first.id}/finish`, {
      key,
      body: { prediction: sweTask.functions },
    });
    expect(finished.status, finished.text).toBe(200);
    expect(finished.json).toEqual({ state: "finished" });

    const view = await expectConcealed(key, first.id);
    expect(view.state).toBe("finished");
    expect(view.questions).toHaveLength(1);
    expect(view.questions[0].answer).toBe(asked.json.answer);
    const open = await call("GET", `/v1/runs/${run.id}`, { key });
    expect(open.json).toMatchObject({ state: "open", entry_id: null, progress: { finished: 1, total: 2 } });
    expect(open.text).not.toContain("score");
    const board = await call("GET", `/v1/leaderboards/${bench.id}`, { key });
    expect(board.json.entries).toEqual([]);
    expectError(await call("POST", `/v1/runs/${run.id}/submit`, { key }), 409, "conflict");

    // The last finish ends the run: the transcript with its labels and score becomes readable.
    await play(key, second.id, { ask: false });
    const entry = await entryOf(key, run.id);
    expect(entry.scores.sessions).toBe(2);
    const revealed = await call("GET", `/v1/sessions/${first.id}`, { key });
    expect(revealed.json.score).toMatchObject({ productivity: 1, metrics: { asked: true } });
    expect(revealed.json.questions[0]).toMatchObject({ tier: expect.any(String), effort: "high" });
    expect(revealed.json.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0 });
  });

  it("a session that is not a run's shows its score at finish, as before", async () => {
    const task = await call("POST", "/v1/tasks", { body: sweTask });
    const ses = await call("POST", "/v1/sessions", { body: { task_id: task.json.id, preference: "json" } });
    const done = await call("POST", `/v1/sessions/${ses.json.id}/finish`, {
      body: { prediction: sweTask.functions },
    });
    expect(done.json).toMatchObject({ productivity: 1, metrics: { asked: false } });
    const view = await call("GET", `/v1/sessions/${ses.json.id}`);
    expect(view.json.score).toMatchObject({ productivity: 1 });
  });
});

describe("runs cannot be abandoned or cherry-picked", () => {
  it("a learning run left unfinished expires into an entry; the second run's entry shows runs_started 2", async () => {
    const bench = await newBenchmark({ trials: 2 }, 2);
    const { key } = await newAccount("learner");
    const learning = await startRun(key, bench.id, "learner");
    // It plays one session, learns the answer, and walks away from the rest.
    await play(key, learning.sessions[0].id);
    const replay = await startRun(key, bench.id, "learner");
    await playAll(key, replay, { ask: false });

    // Only the ended run is listed while the learning run is still within its deadline.
    let board = await call("GET", `/v1/leaderboards/${bench.id}`, { key });
    expect(board.json.entries.map((e: any) => e.runs_started)).toEqual([2]);
    await expectConcealed(key, learning.sessions[0].id);

    // Past its deadline, the next read of the board ends it: unfinished sessions score 0, and it is an entry.
    await expireRun(learning.id);
    board = await call("GET", `/v1/leaderboards/${bench.id}`, { key });
    expect(board.status, board.text).toBe(200);
    expect(board.json.hidden).toBe(0);
    expect(board.json.entries).toHaveLength(2);
    const [best, expired] = board.json.entries;
    expect(best).toMatchObject({
      runs_started: 2,
      ended_by: "finished",
      scores: { productivity: { mean: 1 } },
    });
    expect(expired).toMatchObject({ runs_started: 2, ended_by: "expired", rank: 2 });
    expect(expired.scores.productivity.mean).toBe(0.25);
    expect(expired.scores.sessions).toBe(4);

    const run = await call("GET", `/v1/runs/${learning.id}`, { key });
    expect(run.json).toMatchObject({ state: "ended", ended_by: "expired", entry_id: expired.id });
    const zero = await call("GET", `/v1/sessions/${learning.sessions[1].id}`, { key });
    expect(zero.json).toMatchObject({
      state: "finished",
      score: { reward: 0, productivity: 0, expired: true },
    });
    for (const id of [best.id, expired.id]) {
      const verified = await call("GET", `/v1/leaderboards/${bench.id}/entries/${id}/verify`, { key });
      expect(verified.json).toEqual({ valid: true, checks: { signature: true, sessions: true } });
    }
    // Its sessions take no more calls.
    const late = await call("POST", `/v1/sessions/${learning.sessions[1].id}/finish`, {
      key,
      body: { prediction: sweTask.functions },
    });
    expectError(late, 409, "conflict");
  });

  it("a call to a session past its run's deadline is refused and ends the run", async () => {
    const bench = await newBenchmark({ trials: 2 });
    const { key } = await newAccount();
    const run = await startRun(key, bench.id);
    await expireRun(run.id);
    for (const [path, body] of [
      ["questions", { question: "Which function?" }],
      ["actions", {}],
      ["finish", { prediction: sweTask.functions }],
    ] as const) {
      const res = await call("POST", `/v1/sessions/${run.sessions[0].id}/${path}`, { key, body });
      expectError(res, 409, "conflict");
      expect(res.json.error.details).toMatchObject({ run_id: run.id, ended_by: "expired" });
    }
    const entry = await entryOf(key, run.id);
    expect(entry).toMatchObject({ ended_by: "expired", scores: { avg: { mean: 0 }, sessions: 2 } });
  });

  it("racing last finishes end the run once, with one entry", async () => {
    const bench = await newBenchmark({ trials: 4 });
    const { key } = await newAccount();
    const run = await startRun(key, bench.id);
    const results = await Promise.all(
      run.sessions.map((s) =>
        call("POST", `/v1/sessions/${s.id}/finish`, { key, body: { prediction: sweTask.functions } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const entries = await env.DB.prepare("select count(*) as n from leaderboard_entries where run_id = ?")
      .bind(run.id)
      .first<{ n: number }>();
    expect(entries?.n).toBe(1);
    expect((await entryOf(key, run.id)).scores.sessions).toBe(4);
  });
});

describe("a lifetime limit of runs per account", () => {
  it("holds under concurrent starts: 403 past max_runs, nothing written, other accounts unaffected", async () => {
    const bench = await newBenchmark({ max_runs: 2, daily_run_quota: 10 });
    const { key, account_id } = await newAccount();
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        call("POST", `/v1/benchmarks/${bench.id}/runs`, { key, body: { agent: "n" } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    for (const r of results.filter((x) => x.status !== 201)) {
      expectError(r, 403, "forbidden");
      expect(r.json.error.details).toEqual({ max_runs: 2, runs_started: 2 });
    }
    const counts = await env.DB.prepare(
      "select (select count(*) from runs where account_id = ?1) as runs, (select count(*) from sessions where account_id = ?1) as sessions",
    )
      .bind(account_id)
      .first<{ runs: number; sessions: number }>();
    expect(counts).toEqual({ runs: 2, sessions: 2 });
    const started = results.find((r) => r.status === 201)?.json;
    expect(started).toMatchObject({ runs_started: expect.any(Number), max_runs: 2 });
    await startRun((await newAccount()).key, bench.id);
  });
});

describe("the board lists only entries that verify", () => {
  it("an entry edited in storage is hidden from the JSON and the page, which say how many", async () => {
    const bench = await newBenchmark();
    const ids: string[] = [];
    for (const agent of ["honest", "edited"]) {
      const { key } = await newAccount();
      const run = await startRun(key, bench.id, agent);
      await playAll(key, run, { ask: false, right: () => agent === "honest" });
      ids.push((await entryOf(key, run.id)).id);
    }
    await env.DB.prepare(
      "update leaderboard_entries set scores = json_set(scores, '$.avg.mean', 1, '$.productivity.mean', 1) where id = ?",
    )
      .bind(ids[1])
      .run();
    const board = await call("GET", `/v1/leaderboards/${bench.id}`);
    expect(board.json.entries.map((e: any) => e.id)).toEqual([ids[0]]);
    expect(board.json.hidden).toBe(1);
    expectError(await call("GET", `/v1/leaderboards/${bench.id}/entries/${ids[1]}`), 404, "not_found");
    const page = await call("GET", `/leaderboard/${bench.id}`, { key: null });
    expect([...page.text.matchAll(/data-entry-id="([^"]+)"/g)].map((m) => m[1])).toEqual([ids[0]]);
    expect(page.text).toContain('data-hidden="1"');
    expect(page.text).toMatch(/1 entry is hidden/);
    expect((await call("GET", `/leaderboard/${bench.id}/entries/${ids[1]}`, { key: null })).status).toBe(404);
    const index = await call("GET", "/leaderboard", { key: null });
    expect(index.status).toBe(200);
  });
});
