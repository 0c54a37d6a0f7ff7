import { expect } from "vitest";
import { sweTask } from "../fixtures";
import { call } from "../helpers";

/** A task of the admin account (the bootstrap key acts for acct_admin), as benchmarks need. */
export async function adminTask(task: object = sweTask) {
  const res = await call("POST", "/v1/tasks", { body: task });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

/** A benchmark over fresh admin tasks; `tasks` SWE tasks × the preferences × vague, `trials` each. */
export async function newBenchmark(body: Record<string, unknown> = {}, tasks = 1) {
  const taskIds = [];
  for (let i = 0; i < tasks; i++) taskIds.push(await adminTask());
  const res = await call("POST", "/v1/benchmarks", {
    body: { name: "test bench", task_ids: taskIds, preferences: ["no_preference"], trials: 1, ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; trials: number; items: number; sessions_per_run: number };
}

export async function startRun(key: string, benchmarkId: string, agent = "test-agent") {
  const res = await call("POST", `/v1/benchmarks/${benchmarkId}/runs`, {
    key,
    body: { agent, version: "1" },
  });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; sessions: { id: string; prompt: string; preference: { id: string } }[] };
}

/** Plays one session: an optional question, then the prediction (right or wrong). */
export async function play(key: string, sessionId: string, { ask = true, right = true } = {}) {
  if (ask) {
    const asked = await call("POST", `/v1/sessions/${sessionId}/questions`, {
      key,
      body: { question: "What error message do you see?" },
    });
    expect(asked.status, asked.text).toBe(200);
  }
  const done = await call("POST", `/v1/sessions/${sessionId}/finish`, {
    key,
    body: { prediction: right ? sweTask.functions : ["nowhere.py::nothing"] },
  });
  expect(done.status, done.text).toBe(200);
  // A run's session says nothing about how it went.
  expect(done.json).toEqual({ state: "finished" });
  return done.json;
}

/** Plays every session of a run (right unless `right` says otherwise for its index); the run ends with the last. */
export async function playAll(
  key: string,
  run: { sessions: { id: string }[] },
  {
    ask = true,
    right = (_i: number): boolean => true,
  }: { ask?: boolean; right?: (i: number) => boolean } = {},
) {
  for (const [i, s] of run.sessions.entries()) await play(key, s.id, { ask, right: right(i) });
}

/** The entry of an ended run, as the leaderboard lists it. */
export async function entryOf(key: string, runId: string) {
  const run = await call("GET", `/v1/runs/${runId}`, { key });
  expect(run.status, run.text).toBe(200);
  expect(run.json.state).toBe("ended");
  expect(run.json.entry_id).toMatch(/^entry_/);
  const entry = await call("GET", `/v1/leaderboards/${run.json.benchmark_id}/entries/${run.json.entry_id}`, {
    key,
  });
  expect(entry.status, entry.text).toBe(200);
  return entry.json;
}
