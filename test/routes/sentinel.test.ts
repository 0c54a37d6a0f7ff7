import { describe, expect, it } from "vitest";
import { call, newAccount } from "../helpers";

/** Hidden fields made of sentinel strings: if any response shows one, hidden task data reached the agent. */
const S = {
  prompt: "SENTINELPROMPTqv7 the exporter drops rows when the batch is large SENTINELPROMPTqv7",
  hint: "SENTINELHINTzx3 look at the batching code SENTINELHINTzx3",
  files: ["sentinelfile_k9/SENTINELFILEk9.py"],
  functions: ["sentinelfile_k9/SENTINELFILEk9.py::SENTINELFUNCw2"],
  documents: ["SENTINELDOCm5 a document about the exporter SENTINELDOCm5"],
  answer: "SENTINELANSWERp8",
};
const SENTINELS = [
  "SENTINELPROMPTqv7",
  "SENTINELHINTzx3",
  "SENTINELFILEk9",
  "SENTINELFUNCw2",
  "SENTINELDOCm5",
  "SENTINELANSWERp8",
];

function expectClean(label: string, res: { status: number; text: string }) {
  for (const s of SENTINELS) expect(res.text, `${label} leaked ${s}`).not.toContain(s);
}

describe("hidden task data never reaches the agent side", () => {
  it.each(["swe", "research"] as const)("walks every route with a %s task of sentinels", async (family) => {
    const { key } = await newAccount("sentinel");
    const task =
      family === "swe"
        ? {
            family,
            prompt: S.prompt,
            hint: S.hint,
            files: S.files,
            functions: S.functions,
            vague_prompt: "Exports lose rows.",
          }
        : {
            family,
            prompt: S.prompt,
            documents: S.documents,
            answer: S.answer,
            vague_prompt: "Which exporter loses rows?",
          };
    const walk: [string, { status: number; text: string }][] = [];
    const step = async (label: string, p: Promise<{ status: number; text: string; json: any }>) => {
      const res = await p;
      walk.push([label, res]);
      return res;
    };
    const created = await step("create task", call("POST", "/v1/tasks", { key, body: task }));
    expect(created.status).toBe(201);
    const taskId = created.json.id;
    await step("get task", call("GET", `/v1/tasks/${taskId}`, { key }));
    await step("list tasks", call("GET", "/v1/tasks", { key }));
    for (const preference of ["no_preference", "do_selection", "amateur", "lang_ita"]) {
      const session = await step(
        "create session",
        call("POST", "/v1/sessions", { key, body: { task_id: taskId, preference } }),
      );
      expect(session.status).toBe(201);
      const id = session.json.id;
      for (const question of [
        "What is your favourite colour?",
        "Do you like football? A) yes B) no",
        "Is it raining?",
        "Hi?",
        "One more?",
      ]) {
        const res = await step(
          "ask",
          call("POST", `/v1/sessions/${id}/questions`, { key, body: { question } }),
        );
        expect(res.status).toBe(200);
      }
      await step("action", call("POST", `/v1/sessions/${id}/actions`, { key, body: {} }));
      await step("get open session", call("GET", `/v1/sessions/${id}`, { key }));
      await step(
        "finish",
        call("POST", `/v1/sessions/${id}/finish`, { key, body: { prediction: "nothing" } }),
      );
      await step("get finished session", call("GET", `/v1/sessions/${id}`, { key }));
    }
    await step(
      "score by id",
      call("POST", "/v1/score", {
        key,
        body: { task_id: taskId, preference: "no_preference", questions: [{ text: "Which file?" }] },
      }),
    );
    await step(
      "score batch by id",
      call("POST", "/v1/score/batch", {
        key,
        body: { items: [{ task_id: taskId, preference: "json", questions: [] }] },
      }),
    );
    await step(
      "score unknown preference",
      call("POST", "/v1/score", { key, body: { task_id: taskId, preference: "x" } }),
    );
    for (const [label, res] of walk) expectClean(label, res);
    expect(walk.length).toBeGreaterThan(30);
  });

  it("walks a leaderboard run over the admin's task of sentinels, as another account", async () => {
    const walk: [string, { status: number; text: string }][] = [];
    const step = async (label: string, p: Promise<{ status: number; text: string; json: any }>) => {
      const res = await p;
      walk.push([label, res]);
      return res;
    };
    const task = await call("POST", "/v1/tasks", {
      body: {
        family: "swe",
        prompt: S.prompt,
        hint: S.hint,
        files: S.files,
        functions: S.functions,
        vague_prompt: "Exports lose rows.",
      },
    });
    expect(task.status).toBe(201);
    // Vague prompts only: a precise item shows its precise prompt, by design, as a precise session does.
    const bench = await step(
      "create benchmark",
      call("POST", "/v1/benchmarks", {
        body: {
          name: "sentinel",
          task_ids: [task.json.id],
          preferences: ["no_preference", "do_selection", "amateur", "lang_ita"],
          trials: 1,
        },
      }),
    );
    expect(bench.status).toBe(201);
    const { key } = await newAccount("sentinel-runner");
    await step("list benchmarks", call("GET", "/v1/benchmarks", { key }));
    await step("get benchmark", call("GET", `/v1/benchmarks/${bench.json.id}`, { key }));
    const run = await step(
      "start run",
      call("POST", `/v1/benchmarks/${bench.json.id}/runs`, { key, body: { agent: "s" } }),
    );
    expect(run.status).toBe(201);
    for (const session of run.json.sessions) {
      for (const question of [
        "What is your favourite colour?",
        "Do you like football? A) yes B) no",
        "Is it raining?",
        "Hi?",
        "One more?",
      ]) {
        const res = await step(
          "ask",
          call("POST", `/v1/sessions/${session.id}/questions`, { key, body: { question } }),
        );
        expect(res.status).toBe(200);
      }
      await step("action", call("POST", `/v1/sessions/${session.id}/actions`, { key, body: {} }));
      await step("get open session", call("GET", `/v1/sessions/${session.id}`, { key }));
      await step(
        "finish",
        call("POST", `/v1/sessions/${session.id}/finish`, { key, body: { prediction: "x" } }),
      );
      await step("get finished session", call("GET", `/v1/sessions/${session.id}`, { key }));
    }
    await step("get run", call("GET", `/v1/runs/${run.json.id}`, { key }));
    // The run ended with its last session; the deprecated submit answers its entry.
    const entry = await step("submit", call("POST", `/v1/runs/${run.json.id}/submit`, { key }));
    expect(entry.status).toBe(200);
    await step("leaderboard", call("GET", `/v1/leaderboards/${bench.json.id}`, { key }));
    await step(
      "verify",
      call("GET", `/v1/leaderboards/${bench.json.id}/entries/${entry.json.id}/verify`, { key }),
    );
    await step("index page", call("GET", "/leaderboard", { key: null }));
    await step("board page", call("GET", `/leaderboard/${bench.json.id}`, { key: null }));
    await step(
      "entry page",
      call("GET", `/leaderboard/${bench.json.id}/entries/${entry.json.id}`, { key: null }),
    );
    for (const [label, res] of walk) expectClean(label, res);
    expect(walk.length).toBeGreaterThan(40);
  });
});
