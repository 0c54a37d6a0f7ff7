import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sweTask } from "../fixtures";
import { call, expectError, newAccount } from "../helpers";
import { adminTask, entryOf, newBenchmark, play, startRun } from "./leaderboard-helpers";

describe("benchmarks", () => {
  it("an admin creates one from its tasks; every key lists and reads it", async () => {
    const tasks = [await adminTask(), await adminTask()];
    const created = await call("POST", "/v1/benchmarks", {
      body: {
        name: "two by two",
        task_ids: tasks,
        preferences: ["no_preference", "capital"],
        prompts: ["vague", "precise"],
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      name: "two by two",
      tasks: 2,
      items: 8,
      trials: 4,
      sessions_per_run: 32,
      preferences: ["capital", "no_preference"],
      prompts: ["vague", "precise"],
      assignment: "cross",
      profile: "paper",
      daily_run_quota: 10,
      max_runs: 5,
      deadline_minutes: 1440,
    });
    expect(created.json.id).toMatch(/^bench_/);
    const { key } = await newAccount();
    const list = await call("GET", "/v1/benchmarks", { key });
    expect(list.status).toBe(200);
    expect(list.json.data.map((b: any) => b.id)).toContain(created.json.id);
    const one = await call("GET", `/v1/benchmarks/${created.json.id}`, { key });
    expect(one.json).toEqual(created.json);
    expect(created.text).not.toContain(sweTask.functions[0]);
  });

  it("round_robin gives task i preference i mod n; an explicit id is kept and cannot be reused", async () => {
    const tasks = [await adminTask(), await adminTask(), await adminTask()];
    const id = `bench_rr_${crypto.randomUUID().slice(0, 8)}`;
    const body = {
      id,
      name: "rr",
      task_ids: tasks,
      preferences: ["json", "capital"],
      assignment: "round_robin",
    };
    const created = await call("POST", "/v1/benchmarks", { body });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ id, items: 3, tasks: 3, preferences: ["capital", "json"] });
    const items = await env.DB.prepare(
      "select task_id, preference from benchmark_items where benchmark_id = ? order by position",
    )
      .bind(id)
      .all<{ task_id: string; preference: string }>();
    expect(items.results.map((r) => r.preference)).toEqual(["json", "capital", "json"]);
    expectError(await call("POST", "/v1/benchmarks", { body }), 409, "conflict");
  });

  it("bad input → 400, nothing written", async () => {
    const task = await adminTask();
    const valid = { name: "x", task_ids: [task], preferences: ["json"] };
    for (const body of [
      {},
      { ...valid, task_ids: [] },
      { ...valid, task_ids: [task, task] },
      { ...valid, preferences: ["nope"] },
      { ...valid, preferences: ["json", "json"] },
      { ...valid, prompts: ["fuzzy"] },
      { ...valid, trials: 0 },
      { ...valid, trials: 9 },
      { ...valid, daily_run_quota: 0 },
      { ...valid, max_runs: 0 },
      { ...valid, max_runs: 1.5 },
      { ...valid, deadline_minutes: 0 },
      { ...valid, deadline_minutes: 10_081 },
      { ...valid, id: "bench-bad id" },
      { ...valid, extra: 1 },
      { ...valid, name: " " },
    ]) {
      expectError(await call("POST", "/v1/benchmarks", { body }), 400, "invalid_request");
    }
    expectError(
      await call("POST", "/v1/benchmarks", { body: { ...valid, task_ids: [task, "task_nope"] } }),
      404,
      "not_found",
    );
    const count = await env.DB.prepare("select count(*) as n from benchmarks where name = 'x'").first<{
      n: number;
    }>();
    expect(count?.n).toBe(0);
  });

  it("a benchmark larger than a run may be is refused", async () => {
    const tasks = [];
    for (let i = 0; i < 13; i++) tasks.push(await adminTask());
    const res = await call("POST", "/v1/benchmarks", {
      body: {
        name: "too big",
        task_ids: tasks,
        preferences: [
          "no_preference",
          "capital",
          "json",
          "commas",
          "joke",
          "length",
          "lang_ita",
          "snippet",
          "amateur",
          "no_ask",
        ],
        prompts: ["vague", "precise"],
        trials: 8,
      },
    });
    expectError(res, 400, "invalid_request");
    expect(res.json.error.message).toMatch(/2000 sessions/);
  });

  it("needs a key, an admin key to create, and the admin's own tasks", async () => {
    expectError(await call("GET", "/v1/benchmarks", { key: null }), 401, "unauthorized");
    expectError(await call("POST", "/v1/benchmarks", { key: null, body: {} }), 401, "unauthorized");
    const tenant = await newAccount();
    const theirs = await call("POST", "/v1/tasks", { key: tenant.key, body: sweTask });
    expectError(
      await call("POST", "/v1/benchmarks", {
        key: tenant.key,
        body: { name: "mine", task_ids: [theirs.json.id], preferences: ["json"] },
      }),
      403,
      "forbidden",
    );
    // The admin cannot build a benchmark from another account's task either: it looks missing.
    expectError(
      await call("POST", "/v1/benchmarks", {
        body: { name: "theirs", task_ids: [theirs.json.id], preferences: ["json"] },
      }),
      404,
      "not_found",
    );
    expectError(await call("GET", "/v1/benchmarks/bench_nope", { key: tenant.key }), 404, "not_found");
    expectError(await call("GET", "/v1/benchmarks/bench_nope", { key: null }), 401, "unauthorized");
  });

  it("ids past 64 characters are invalid input on every leaderboard route", async () => {
    const long = `x${"y".repeat(64)}`;
    for (const [method, path] of [
      ["GET", `/v1/benchmarks/${long}`],
      ["POST", `/v1/benchmarks/${long}/runs`],
      ["GET", `/v1/runs/${long}`],
      ["POST", `/v1/runs/${long}/submit`],
      ["GET", `/v1/leaderboards/${long}`],
      ["GET", `/v1/leaderboards/bench_demo/entries/${long}/verify`],
      ["GET", `/v1/leaderboards/bench_demo/entries/${long}`],
    ]) {
      expectError(
        await call(method, path, method === "POST" ? { body: { agent: "a" } } : {}),
        400,
        "invalid_request",
      );
    }
  });
});

describe("runs", () => {
  it("a tenant plays the admin's hidden tasks through its run's sessions; the last finish ends the run", async () => {
    const bench = await newBenchmark({ preferences: ["no_preference", "capital"], trials: 2 });
    const { key } = await newAccount("runner");
    const run = await startRun(key, bench.id);
    expect(run.id).toMatch(/^run_/);
    expect(run).toMatchObject({
      state: "open",
      engine: "rules",
      model: null,
      prompt_versions: { rules: "rules-v1" },
    });
    expect(run.sessions).toHaveLength(4);
    for (const s of run.sessions) {
      expect(s.id).toMatch(/^ses_/);
      expect(s.prompt).toBe(sweTask.vague_prompt);
    }
    const taskId = (run.sessions[0] as any).task_id;
    // The runner plays the task but cannot read or reuse it.
    expectError(await call("GET", `/v1/tasks/${taskId}`, { key }), 404, "not_found");
    expectError(
      await call("POST", "/v1/sessions", { key, body: { task_id: taskId, preference: "json" } }),
      404,
      "not_found",
    );
    // No self-reported task score on a run's session.
    expectError(
      await call("POST", `/v1/sessions/${run.sessions[0].id}/finish`, {
        key,
        body: { prediction: [], task_score: 1 },
      }),
      400,
      "invalid_request",
    );

    await play(key, run.sessions[0].id);
    const early = await call("POST", `/v1/runs/${run.id}/submit`, { key });
    expectError(early, 409, "conflict");
    expect(early.json.error.details).toMatchObject({ finished: 1, total: 4 });
    const progress = await call("GET", `/v1/runs/${run.id}`, { key });
    expect(progress.json).toMatchObject({ state: "open", entry_id: null, ended_at: null, runs_started: 1 });
    expect(progress.json.progress).toEqual({ finished: 1, total: 4 });
    expect(progress.json.sessions.filter((s: any) => s.state === "finished")).toHaveLength(1);

    for (const s of run.sessions.slice(1)) await play(key, s.id);
    const entry = await entryOf(key, run.id);
    expect(entry.id).toMatch(/^entry_/);
    expect(entry).toMatchObject({
      agent: "test-agent",
      version: "1",
      benchmark_id: bench.id,
      engine: "rules",
    });
    expect(entry.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.scores.sessions).toBe(4);
    expect(entry.scores.productivity.mean).toBe(1);
    expect(entry.scores.pass_k).toHaveProperty("2");
    expect(entry).toMatchObject({ runs_started: 1, ended_by: "finished", rank: 1 });

    // The deprecated submit only answers the entry, whatever the body says.
    const again = await call("POST", `/v1/runs/${run.id}/submit`, { key, body: { scores: { avg: 1 } } });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(entry);
    const view = await call("GET", `/v1/runs/${run.id}`, { key });
    expect(view.json).toMatchObject({
      state: "ended",
      ended_by: "finished",
      entry_id: entry.id,
      progress: { finished: 4, total: 4 },
    });

    // An ended run's sessions take nothing more.
    const ses = run.sessions[0].id;
    expectError(
      await call("POST", `/v1/sessions/${ses}/questions`, { key, body: { question: "More?" } }),
      409,
      "conflict",
    );
    expectError(await call("POST", `/v1/sessions/${ses}/actions`, { key, body: {} }), 409, "conflict");
    expectError(
      await call("POST", `/v1/sessions/${ses}/finish`, { key, body: { prediction: [] } }),
      409,
      "conflict",
    );
    // The transcript is the runner's, and shows no hidden gold.
    const transcript = await call("GET", `/v1/sessions/${ses}`, { key });
    expect(transcript.status).toBe(200);
    expect(transcript.text).not.toContain(sweTask.hint);
  });

  it("another account's run is a 404; unknown ids and bad input are refused", async () => {
    const bench = await newBenchmark();
    const owner = await newAccount();
    const other = await newAccount();
    const run = await startRun(owner.key, bench.id);
    expectError(await call("GET", `/v1/runs/${run.id}`, { key: other.key }), 404, "not_found");
    expectError(await call("POST", `/v1/runs/${run.id}/submit`, { key: other.key }), 404, "not_found");
    expectError(
      await call("POST", `/v1/sessions/${run.sessions[0].id}/questions`, {
        key: other.key,
        body: { question: "Hi?" },
      }),
      404,
      "not_found",
    );
    expectError(await call("GET", "/v1/runs/run_nope", { key: owner.key }), 404, "not_found");
    expectError(
      await call("POST", "/v1/benchmarks/bench_nope/runs", { key: owner.key, body: { agent: "a" } }),
      404,
      "not_found",
    );
    for (const body of [
      {},
      { agent: "" },
      { agent: "a", extra: 1 },
      { agent: "x".repeat(101) },
      { agent: 5 },
    ]) {
      expectError(
        await call("POST", `/v1/benchmarks/${bench.id}/runs`, { key: owner.key, body }),
        400,
        "invalid_request",
      );
    }
    expectError(await call("GET", `/v1/runs/${run.id}`, { key: null }), 401, "unauthorized");
    expectError(await call("POST", `/v1/runs/${run.id}/submit`, { key: null }), 401, "unauthorized");
    expectError(
      await call("POST", `/v1/benchmarks/${bench.id}/runs`, { key: null, body: { agent: "a" } }),
      401,
      "unauthorized",
    );
  });

  it("the daily quota holds under concurrent starts: 429 with the envelope, nothing written", async () => {
    const bench = await newBenchmark({ daily_run_quota: 2, trials: 2 });
    const { key, account_id } = await newAccount();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        call("POST", `/v1/benchmarks/${bench.id}/runs`, { key, body: { agent: "q" } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    for (const r of results.filter((x) => x.status !== 201)) {
      expectError(r, 429, "rate_limited");
      expect(Number(r.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(r.json.error.details).toMatchObject({ quota: 2 });
    }
    const counts = await env.DB.prepare(
      "select (select count(*) from runs where account_id = ?1) as runs, (select count(*) from sessions where account_id = ?1) as sessions",
    )
      .bind(account_id)
      .first<{ runs: number; sessions: number }>();
    expect(counts).toEqual({ runs: 2, sessions: 4 });
    // The quota is per account: another account still starts runs.
    const other = await newAccount();
    await startRun(other.key, bench.id);
  });

  it("a run of many sessions is written in chunks under D1's parameter limit", async () => {
    const bench = await newBenchmark(
      {
        preferences: ["no_preference", "capital", "commas", "json", "joke"],
        prompts: ["vague", "precise"],
        trials: 8,
      },
      3,
    );
    expect(bench.sessions_per_run).toBe(240);
    const { key } = await newAccount();
    const run = await startRun(key, bench.id);
    expect(run.sessions).toHaveLength(240);
    expect(new Set(run.sessions.map((s) => s.id)).size).toBe(240);
    expect(run.sessions.filter((s: any) => !s.vague).every((s) => s.prompt === sweTask.prompt)).toBe(true);
  });
});

describe("leaderboards", () => {
  async function boardWithTwoEntries() {
    const bench = await newBenchmark({ preferences: ["no_preference", "capital"], trials: 2 }, 2);
    const good = await newAccount();
    const bad = await newAccount();
    const goodRun = await startRun(good.key, bench.id, "good");
    // Solves every task without a question: full productivity and proactivity, never counted for personalization.
    for (const s of goodRun.sessions) await play(good.key, s.id, { ask: false });
    // Asks a medium-effort question in plain case (violating `capital`), solves half.
    const badRun = await startRun(bad.key, bench.id, "bad");
    for (const [i, s] of badRun.sessions.entries()) await play(bad.key, s.id, { right: i % 2 === 0 });
    const goodEntry = await entryOf(good.key, goodRun.id);
    const badEntry = await entryOf(bad.key, badRun.id);
    return { bench, goodEntry, badEntry, good, bad };
  }

  it("lists entries best first, sorts and splits; any key reads it", async () => {
    const { bench, goodEntry, badEntry } = await boardWithTwoEntries();
    const { key } = await newAccount();
    const board = await call("GET", `/v1/leaderboards/${bench.id}`, { key });
    expect(board.status, board.text).toBe(200);
    expect(board.json).toMatchObject({ sort: "avg", split: "all", benchmark: { id: bench.id } });
    expect(board.json.entries.map((e: any) => e.id)).toEqual([goodEntry.id, badEntry.id]);
    expect(board.json.entries.map((e: any) => e.rank)).toEqual([1, 2]);
    expect(board.json.entries[0].scores).toEqual(goodEntry.scores);
    expect(goodEntry.scores).toMatchObject({ avg: { mean: 1 }, pass_k: { "1": 1, "2": 1 }, ask_ratio: 0 });
    expect(goodEntry.scores.personalization).toEqual({ mean: null, ci: null, n: 0 });
    expect(badEntry.scores.productivity.mean).toBe(0.5);
    expect(badEntry.scores.pass_k).toEqual({ "1": 0, "2": 0 });
    // Sorted within the unseen split by personalization: an entry without a value there comes last.
    const byPers = await call("GET", `/v1/leaderboards/${bench.id}?sort=personalization&split=unseen`, {
      key,
    });
    expect(byPers.json.entries.map((e: any) => e.id)).toEqual([badEntry.id, goodEntry.id]);
    expect(byPers.json.entries[0].scores.splits.unseen.personalization.mean).toBe(0);
    expect(byPers.json.entries[1].scores.splits.unseen.personalization.mean).toBeNull();
    expectError(
      await call("GET", `/v1/leaderboards/${bench.id}?sort=speed`, { key }),
      400,
      "invalid_request",
    );
    expectError(
      await call("GET", `/v1/leaderboards/${bench.id}?split=maybe`, { key }),
      400,
      "invalid_request",
    );
    expectError(await call("GET", "/v1/leaderboards/bench_nope", { key }), 404, "not_found");
    expectError(await call("GET", `/v1/leaderboards/${bench.id}`, { key: null }), 401, "unauthorized");
  });

  it("verify: true as stored; false once an entry or a session is edited in D1", async () => {
    const { bench, goodEntry, badEntry } = await boardWithTwoEntries();
    const { key } = await newAccount();
    const verify = (id: string, benchmark = bench.id) =>
      call("GET", `/v1/leaderboards/${benchmark}/entries/${id}/verify`, { key });
    expect((await verify(goodEntry.id)).json).toEqual({
      valid: true,
      checks: { signature: true, sessions: true },
    });
    expect((await verify(badEntry.id)).json.valid).toBe(true);

    // Someone edits the stored numbers of an entry.
    await env.DB.prepare(
      "update leaderboard_entries set scores = json_set(scores, '$.avg.mean', 1) where id = ?",
    )
      .bind(badEntry.id)
      .run();
    expect((await verify(badEntry.id)).json).toEqual({
      valid: false,
      checks: { signature: false, sessions: false },
    });

    // Someone edits a stored session of the other entry's run.
    await env.DB.prepare(
      "update sessions set score = json_set(score, '$.productivity', 0) where id = (select s.id from sessions s join leaderboard_entries e on e.run_id = s.run_id where e.id = ? limit 1)",
    )
      .bind(goodEntry.id)
      .run();
    expect((await verify(goodEntry.id)).json).toEqual({
      valid: false,
      checks: { signature: true, sessions: false },
    });

    expectError(await verify("entry_nope"), 404, "not_found");
    const elsewhere = await newBenchmark();
    expectError(await verify(goodEntry.id, elsewhere.id), 404, "not_found");
    expectError(
      await call("GET", `/v1/leaderboards/${bench.id}/entries/${goodEntry.id}/verify`, { key: null }),
      401,
      "unauthorized",
    );
  });

  it("a forged signature does not verify", async () => {
    const { bench, goodEntry } = await boardWithTwoEntries();
    await env.DB.prepare("update leaderboard_entries set signature = ? where id = ?")
      .bind("0".repeat(64), goodEntry.id)
      .run();
    const res = await call("GET", `/v1/leaderboards/${bench.id}/entries/${goodEntry.id}/verify`);
    expect(res.json).toEqual({ valid: false, checks: { signature: false, sessions: true } });
  });
});

describe("leaderboard pages (public HTML)", () => {
  it("render the index, a board in the JSON's order, and an entry, without a key", async () => {
    const bench = await newBenchmark({ preferences: ["no_preference", "capital"], trials: 2 });
    const ids: string[] = [];
    for (const [agent, ask] of [
      ["asker", true],
      ["silent", false],
    ] as const) {
      const { key } = await newAccount();
      const run = await startRun(key, bench.id, agent);
      for (const s of run.sessions) await play(key, s.id, { ask, right: true });
      ids.push((await entryOf(key, run.id)).id);
    }
    const index = await call("GET", "/leaderboard", { key: null });
    expect(index.status).toBe(200);
    expect(index.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(index.text).toMatch(/^<!DOCTYPE html>/);
    expect(index.text).toContain(`href="/leaderboard/${bench.id}"`);
    expect(index.headers.get("Content-Security-Policy")).toContain("default-src 'none'");

    for (const query of ["", "?sort=productivity&split=unseen", "?sort=personalization&split=seen"]) {
      const page = await call("GET", `/leaderboard/${bench.id}${query}`, { key: null });
      expect(page.status).toBe(200);
      const order = [...page.text.matchAll(/data-entry-id="([^"]+)"/g)].map((m) => m[1]);
      const json = await call("GET", `/v1/leaderboards/${bench.id}${query}`);
      expect(order).toEqual(json.json.entries.map((e: any) => e.id));
      expect(page.text).toContain("<table>");
      expect(page.text).toContain('role="img"');
    }
    const unseen = await call("GET", `/leaderboard/${bench.id}?split=unseen`, { key: null });
    expect(unseen.text).toMatch(/data-split="unseen" aria-current="true"/);

    const entry = await call("GET", `/leaderboard/${bench.id}/entries/${ids[0]}`, { key: null });
    expect(entry.status).toBe(200);
    expect(entry.text).toContain('data-preference="capital"');
    expect(entry.text).toContain("verified against the stored sessions");
    expect(entry.text).not.toContain(sweTask.functions[0]);

    expect((await call("GET", "/leaderboard/bench_nope", { key: null })).status).toBe(404);
    expect((await call("GET", `/leaderboard/${bench.id}/entries/entry_nope`, { key: null })).status).toBe(
      404,
    );
    // A bad query string falls back to the defaults rather than failing the page.
    expect((await call("GET", `/leaderboard/${bench.id}?sort=<script>`, { key: null })).status).toBe(200);
  });

  it("escapes what agents name themselves", async () => {
    const bench = await newBenchmark();
    const { key } = await newAccount();
    const res = await call("POST", `/v1/benchmarks/${bench.id}/runs`, {
      key,
      body: { agent: '<script>alert("x")</script>' },
    });
    for (const s of res.json.sessions) await play(key, s.id);
    expect((await entryOf(key, res.json.id)).agent).toBe('<script>alert("x")</script>');
    const page = await call("GET", `/leaderboard/${bench.id}`, { key: null });
    expect(page.text).not.toContain("<script>");
    expect(page.text).toContain("&lt;script&gt;");
  });
});
