import { createRoute, z } from "@hono/zod-openapi";
import { newApp } from "../../app";
import { chargeTokens, metered } from "../../services/billing";
import { assertRunAcceptsCalls, runHasEnded, settleAfterFinish } from "../../services/run-end";
import { askQuestion } from "../../services/session-ask";
import { finishSession } from "../../services/session-finish";
import {
  agentPrompt,
  createSession,
  loadQuestions,
  loadSession,
  recordAction,
  sessionTaskRow,
  sessionView,
} from "../../services/sessions";
import { getPreference } from "../../userville/preferences";
import { MAX_ANSWERED_QUESTIONS } from "../../userville/tiers";
import { meterOf } from "../metering";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { ScoreSchema } from "../score/schema";
import {
  ActionResponse,
  AskBody,
  AskResponse,
  CreatedSession,
  CreateSessionBody,
  FinishBody,
  RunSessionFinished,
  SessionIdParam,
  SessionView,
} from "./schema";

const tags = ["Sessions"];
const security = bearerSecurity;

const create = createRoute({
  method: "post",
  path: "/",
  tags,
  security,
  summary: "Start a session with a simulated user",
  description:
    "The simulated user holds the task's hidden side and answers under the preference. The agent sees `prompt` " +
    "(vague by default) and the preference's description. The user answers at most 4 asks; later ones are refused.",
  request: { body: jsonBody(CreateSessionBody) },
  responses: { 201: jsonResponse(CreatedSession, "The session."), ...errorResponses(400, 401, 404, 415) },
});

const ask = createRoute({
  method: "post",
  path: "/{id}/questions",
  tags,
  security,
  summary: "Ask the simulated user one question (one ask_question call)",
  description:
    "Returns the user's reply with every tag stripped. Effort labels stay hidden until the session is finished. " +
    "With the llm engine, a provider failure or malformed tags fall back to the rules engine for that turn; " +
    "the transcript marks it.",
  request: { params: SessionIdParam, body: jsonBody(AskBody) },
  responses: { 200: jsonResponse(AskResponse, "The reply."), ...errorResponses(400, 401, 404, 409, 415) },
});

const action = createRoute({
  method: "post",
  path: "/{id}/actions",
  tags,
  security,
  summary: "Record a non-question step of the agent (for only_begin)",
  request: { params: SessionIdParam },
  responses: { 200: jsonResponse(ActionResponse, "Steps so far."), ...errorResponses(401, 404, 409) },
});

const finish = createRoute({
  method: "post",
  path: "/{id}/finish",
  tags,
  security,
  summary: "Finish: score the session against the hidden gold",
  description:
    "Productivity: F1 of the function list (SWE) or normalised exact match, then the LLM judge when configured " +
    "(research); `task_score` for what the service cannot check. The session is closed: later calls answer 409. " +
    'A leaderboard run\'s session answers only `{"state": "finished"}` and shows its score once the run has ' +
    "ended; finishing a run's last session ends the run and makes its entry.",
  request: { params: SessionIdParam, body: jsonBody(FinishBody) },
  responses: {
    200: jsonResponse(
      z.union([ScoreSchema, RunSessionFinished]),
      'The Score; for a leaderboard run\'s session only `{"state": "finished"}`.',
    ),
    ...errorResponses(400, 401, 404, 409, 415),
  },
});

const get = createRoute({
  method: "get",
  path: "/{id}",
  tags,
  security,
  summary: "The transcript, and once finished the score with per-question labels",
  description:
    "A leaderboard run's session shows no score, label, verdict or token usage until its run has ended.",
  request: { params: SessionIdParam },
  responses: { 200: jsonResponse(SessionView, "The session."), ...errorResponses(400, 401, 404) },
});

export const sessionsApp = newApp()
  .openapi(create, async (c) => {
    const { row, prompt } = await createSession({
      db: c.get("db"),
      env: c.env,
      actor: c.get("actor"),
      input: c.req.valid("json"),
      requestId: c.get("attemptId"),
      priorAttempts: c.get("priorAttempts"),
    });
    const preference = getPreference(row.preference as Parameters<typeof getPreference>[0]);
    return c.json(
      {
        id: row.id,
        task_id: row.taskId,
        prompt,
        preference: { id: preference.id, description: preference.description },
        max_questions: MAX_ANSWERED_QUESTIONS as 4,
        vague: row.vague,
        profile: row.profile,
        engine: row.engine,
        state: row.state,
      },
      201,
    );
  })
  .openapi(ask, async (c) => {
    const { id } = c.req.valid("param");
    const { question } = c.req.valid("json");
    await assertRunAcceptsCalls({ db: c.get("db"), env: c.env, actor: c.get("actor"), sessionId: id });
    const meter = meterOf(c);
    const { reply, tokens } = await metered(meter, "session_question", 1, () =>
      askQuestion({
        db: c.get("db"),
        env: c.env,
        actor: c.get("actor"),
        id,
        question,
        requestId: c.get("attemptId"),
        priorAttempts: c.get("priorAttempts"),
      }),
    );
    await chargeTokens(meter, "session_question", tokens);
    return c.json(reply, 200);
  })
  .openapi(action, async (c) => {
    const { id } = c.req.valid("param");
    await assertRunAcceptsCalls({ db: c.get("db"), env: c.env, actor: c.get("actor"), sessionId: id });
    return c.json({ actions: await recordAction({ db: c.get("db"), actor: c.get("actor"), id }) }, 200);
  })
  .openapi(finish, async (c) => {
    const { id } = c.req.valid("param");
    const { prediction, task_score } = c.req.valid("json");
    const runId = await assertRunAcceptsCalls({
      db: c.get("db"),
      env: c.env,
      actor: c.get("actor"),
      sessionId: id,
    });
    const meter = meterOf(c);
    const { score, tokens } = await metered(meter, "session_finish", 1, () =>
      finishSession({
        db: c.get("db"),
        env: c.env,
        actor: c.get("actor"),
        id,
        prediction,
        taskScore: task_score,
        requestId: c.get("attemptId"),
        priorAttempts: c.get("priorAttempts"),
      }),
    );
    await chargeTokens(meter, "session_finish", tokens);
    if (runId) {
      await settleAfterFinish({ db: c.get("db"), env: c.env, runId });
      return c.json({ state: "finished" as const }, 200);
    }
    return c.json(score, 200);
  })
  .openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const db = c.get("db");
    const actor = c.get("actor");
    const row = await loadSession({ db, actor, id });
    const [task, questions] = await Promise.all([sessionTaskRow(db, actor, row), loadQuestions(db, row.id)]);
    const concealed = row.runId ? !(await runHasEnded({ db, env: c.env, runId: row.runId })) : false;
    return c.json(sessionView(row, questions, agentPrompt(task, row.vague), concealed) as never, 200);
  });
