import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { messagesBody, researchTask, scoreBody, sweTask } from "../fixtures";
import { call, newAccount } from "../helpers";

/** Every route with a valid body to mutate (GET routes take none). */
interface Route {
  method: string;
  path: string;
  valid?: unknown;
}

const ROUTES: Route[] = [
  { method: "GET", path: "/healthz" },
  { method: "GET", path: "/openapi.json" },
  { method: "GET", path: "/v1/preferences" },
  { method: "POST", path: "/v1/keys", valid: { name: "fuzz", credits: 1 } },
  { method: "POST", path: "/v1/score", valid: scoreBody },
  { method: "POST", path: "/v1/score", valid: messagesBody },
  {
    method: "POST",
    path: "/v1/score/batch",
    valid: { items: [{ ...scoreBody, group: "g" }, messagesBody], advantage: "grpo" },
  },
  {
    method: "POST",
    path: "/v1/vaguenize",
    valid: { prompt: sweTask.prompt, family: "swe", hidden: sweTask.files },
  },
  { method: "POST", path: "/v1/tasks", valid: researchTask },
  { method: "GET", path: "/v1/tasks?limit=5" },
  { method: "GET", path: "/v1/tasks/{task}" },
  { method: "POST", path: "/v1/sessions", valid: { task_id: "{task}", preference: "json", vague: true } },
  { method: "GET", path: "/v1/sessions/{session}" },
  { method: "POST", path: "/v1/sessions/{session}/questions", valid: { question: "What fails?" } },
  { method: "POST", path: "/v1/sessions/{session}/actions", valid: {} },
  {
    method: "POST",
    path: "/v1/sessions/{session}/finish",
    valid: { prediction: ["a.py::f"], task_score: 0.5 },
  },
  { method: "GET", path: "/v1/benchmarks" },
  { method: "GET", path: "/v1/benchmarks/{bench}" },
  {
    method: "POST",
    path: "/v1/benchmarks",
    valid: {
      name: "fuzz",
      task_ids: ["{task}"],
      preferences: ["json", "capital"],
      prompts: ["vague"],
      trials: 1,
    },
  },
  { method: "POST", path: "/v1/benchmarks/{bench}/runs", valid: { agent: "fuzz", version: "1" } },
  { method: "GET", path: "/v1/runs/{run}" },
  { method: "POST", path: "/v1/runs/{run}/submit" },
  { method: "GET", path: "/v1/leaderboards/{bench}?sort=productivity&split=unseen" },
  { method: "GET", path: "/v1/leaderboards/{bench}/entries/{entry}/verify" },
  {
    method: "POST",
    path: "/v1/training/jobs",
    valid: { runner: "ray", target: "h100", config: { task_ids: ["{task}"], grpo: { steps: 2 } } },
  },
  { method: "POST", path: "/v1/training/jobs", valid: { items: [{ ...scoreBody, group: "g" }] } },
  { method: "GET", path: "/v1/training/jobs?limit=5" },
  { method: "GET", path: "/v1/training/jobs/{job}" },
  { method: "POST", path: "/v1/training/jobs/{job}/cancel" },
  {
    method: "POST",
    path: "/v1/training/jobs/{job}/events",
    valid: { type: "progress", step: 1, metrics: { "reward/total": 0.5 } },
  },
  { method: "GET", path: "/v1/training/jobs/{job}/payload" },
  { method: "GET", path: "/leaderboard" },
  { method: "GET", path: "/leaderboard/{bench}?sort=avg&split=seen" },
  { method: "GET", path: "/leaderboard/{bench}/entries/{entry}" },
];

let shared: { task: string; session: string; job: string } | null = null;
/** One submitted run on a fuzz benchmark, shared: its routes are read-only or idempotent. */
let board: { bench: string; run: string; entry: string } | null = null;

async function boardObjects(task: string) {
  const bench = await call("POST", "/v1/benchmarks", {
    body: { name: "fuzz", task_ids: [task], preferences: ["json"], trials: 1, daily_run_quota: 1000 },
  });
  const run = await call("POST", `/v1/benchmarks/${bench.json.id}/runs`, { body: { agent: "fuzz" } });
  await call("POST", `/v1/sessions/${run.json.sessions[0].id}/finish`, { body: { prediction: [] } });
  const entry = await call("POST", `/v1/runs/${run.json.id}/submit`);
  return { bench: bench.json.id as string, run: run.json.id as string, entry: entry.json.id as string };
}

async function newObjects() {
  const task = await call("POST", "/v1/tasks", { body: sweTask });
  const session = await call("POST", "/v1/sessions", {
    body: { task_id: task.json.id, preference: "one_question" },
  });
  const job = await call("POST", "/v1/training/jobs", { body: { config: { task_ids: [task.json.id] } } });
  return { task: task.json.id as string, session: session.json.id as string, job: job.json.id as string };
}

/**
 * Routes naming `{task}`, `{session}` or `{job}` get objects of the admin account: fresh ones when the body is valid
 * enough to change them (mutated bodies), shared ones otherwise (random bodies are rejected anyway).
 */
async function fill(route: Route, fresh = false) {
  const text = JSON.stringify([route.path, route.valid ?? null]);
  const onBoard = ["{bench}", "{run}", "{entry}"].some((p) => text.includes(p));
  if (!["{task}", "{session}", "{job}"].some((p) => text.includes(p)) && !onBoard)
    return { path: route.path, body: route.valid, admin: false };
  if (!fresh && !shared) shared = await newObjects();
  const ids = fresh || !shared ? await newObjects() : shared;
  if (onBoard && !board) board = await boardObjects(ids.task);
  const [path, body] = JSON.parse(
    text
      .replaceAll("{task}", ids.task)
      .replaceAll("{session}", ids.session)
      .replaceAll("{job}", ids.job)
      .replaceAll("{bench}", board?.bench ?? "")
      .replaceAll("{run}", board?.run ?? "")
      .replaceAll("{entry}", board?.entry ?? ""),
  );
  return { path: path as string, body: body ?? undefined, admin: true };
}

type Json = unknown;

/** Replaces or deletes the value at one random path of a JSON value. */
function mutate(value: Json, steps: number[], replacement: Json, remove: boolean): Json {
  if (steps.length === 0 || value === null || typeof value !== "object") return replacement;
  const [step, ...rest] = steps;
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const i = step % value.length;
    const copy = [...value];
    if (remove && rest.length === 0) copy.splice(i, 1);
    else copy[i] = mutate(copy[i], rest, replacement, remove);
    return copy;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[step % keys.length];
  const copy: Record<string, Json> = { ...(value as Record<string, Json>) };
  if (remove && rest.length === 0) delete copy[key];
  else copy[key] = mutate(copy[key], rest, replacement, remove);
  return copy;
}

const weird = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(-1, 0, 1.5, 1e308, -0, "", " ", "NaN", "\u0000", "x".repeat(5000), [], {}, null, true),
);

function expectEnvelope(res: { status: number; json: any; text: string }) {
  expect(res.status, res.text).toBeLessThan(500);
  if (res.status >= 300) {
    expect(typeof res.json?.error?.code, res.text).toBe("string");
    expect(typeof res.json?.error?.message, res.text).toBe("string");
    expect(typeof res.json?.error?.request_id, res.text).toBe("string");
  }
}

describe("fuzz: no 5xx and always the envelope", { timeout: 420_000 }, () => {
  it("random bodies to every route", async () => {
    const { key } = await newAccount("fuzz-random");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.jsonValue(),
        fc.boolean(),
        async (route, body, admin) => {
          const filled = await fill(route);
          const sent = route.method === "GET" ? undefined : body;
          expectEnvelope(
            await call(route.method, filled.path, {
              key: admin || filled.admin ? undefined : key,
              body: sent,
            }),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it("mutated valid bodies", async () => {
    const { key } = await newAccount("fuzz-mutate");
    const withBody = ROUTES.filter((r) => r.valid !== undefined);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withBody),
        fc.array(fc.nat(50), { minLength: 1, maxLength: 6 }),
        weird,
        fc.boolean(),
        async (route, steps, replacement, remove) => {
          const filled = await fill(route, true);
          const body = mutate(filled.body, steps, replacement, remove);
          const admin = filled.admin || route.path === "/v1/keys";
          expectEnvelope(await call(route.method, filled.path, { key: admin ? undefined : key, body }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("huge arrays and deep nesting at random places of valid bodies (issue #14 item 5)", async () => {
    const { key } = await newAccount("fuzz-huge");
    const huge = Array.from({ length: 200_000 }, () => 1);
    const withBody = ROUTES.filter((r) => r.valid !== undefined);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withBody),
        fc.array(fc.nat(50), { minLength: 1, maxLength: 6 }),
        fc.constantFrom("array", "nested", "object"),
        async (route, steps, kind) => {
          const filled = await fill(route);
          const admin = filled.admin || route.path === "/v1/keys";
          const placeholder = "__huge__";
          const text = JSON.stringify(mutate(filled.body, steps, placeholder, false));
          const bomb =
            kind === "array"
              ? JSON.stringify(huge)
              : kind === "nested"
                ? `${"[".repeat(100_000)}${"]".repeat(100_000)}`
                : JSON.stringify(
                    Object.fromEntries(huge.slice(0, 60_000).map((v, i) => [i.toString(36), [v]])),
                  );
          const res = await call(route.method, filled.path, {
            key: admin ? undefined : key,
            rawBody: text.replace(`"${placeholder}"`, bomb),
          });
          expectEnvelope(res);
          expect(res.status, res.text.slice(0, 300)).toBe(400);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("raw strings and broken JSON", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES.filter((r) => r.method === "POST")),
        fc.oneof(fc.string(), fc.constantFrom("{", '{"items":', "[]", "null", '"x"', "{}}", "\ufeff{}")),
        fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded"),
        async (route, rawBody, type) => {
          const { path } = await fill(route);
          expectEnvelope(await call(route.method, path, { rawBody, headers: { "Content-Type": type } }));
        },
      ),
      { numRuns: 150 },
    );
  });
});
