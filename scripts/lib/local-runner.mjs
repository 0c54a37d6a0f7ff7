/**
 * A local GPU job runner for development and tests, on loopback. It speaks the Ray Jobs REST API
 * (POST /api/jobs/, GET /api/jobs/{id}, POST /api/jobs/{id}/stop) and our own runner protocol
 * (docs/runner-protocol.md: POST /jobs, GET /jobs/{id}, POST /jobs/{id}/stop) over one job table.
 *
 * With `autoRun`, a submitted job "trains": it downloads its payload (metadata.ppp_payload_url, signed),
 * walks its steps every `stepMs`, POSTs a signed progress callback per step with metrics computed from the
 * payload, then ends SUCCEEDED and POSTs a terminal callback. Callbacks are Standard Webhooks signed with
 * every secret given.
 *
 * Test hooks (scripted per job id, so parallel test files never share state):
 *   POST /__script {"id", "op": "submit"|"status"|"stop", "replies": [{"status", "body"?, "headers"?} | {"drop": true}]}
 *   POST /__jobs/{id} {"status", "message"?}    sets a job's status
 *   GET  /__calls?id=…                           the requests received for that job, in order
 */
import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";

const MAX_BODY_BYTES = 1024 * 1024;

export function signHeaders(secrets, id, body, timestamp = Math.floor(Date.now() / 1000)) {
  const signatures = secrets.map((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
    return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
  });
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatures.join(" "),
  };
}

const clip = (x) => Math.min(1, Math.max(0, x));
const round = (x) => Math.round(x * 1e6) / 1e6;
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Where training starts and how far it gets, from the job's own data. */
function curveOf(payload) {
  if (payload.kind === "items") {
    const items = payload.items ?? [];
    return {
      steps: payload.grpo?.steps ?? 1,
      start: {
        productivity: mean(items.map((i) => i.productivity ?? 0)),
        proactivity: mean(items.map((i) => i.proactivity ?? 0)),
        personalization: mean(items.map((i) => i.personalization ?? 0)),
      },
      weights: { proactivity: 1, personalization: 1 },
    };
  }
  const rows = payload.rows ?? [];
  const vague = rows.filter((r) => r.vague).length / Math.max(1, rows.length);
  const picky = rows.filter((r) => r.preference !== "no_preference").length / Math.max(1, rows.length);
  const tasks = new Set(rows.map((r) => r.task_id)).size;
  return {
    steps: payload.config?.grpo?.steps ?? 1,
    start: {
      productivity: 0.25 + 0.1 * ((tasks % 5) / 5),
      proactivity: -0.5 * vague,
      personalization: -0.4 * picky,
    },
    weights: {
      proactivity: payload.config?.weights?.proactivity ?? 1,
      personalization: payload.config?.weights?.personalization ?? 1,
    },
  };
}

/** PPP's effect as a saturating curve: productivity up, proactivity and personalization towards +0.05. */
export function stepMetrics(payload, step) {
  const { steps, start, weights } = curveOf(payload);
  const p = 1 - Math.exp((-3 * step) / Math.max(1, steps));
  const productivity = start.productivity + (Math.min(1, start.productivity + 0.25) - start.productivity) * p;
  const proactivity = start.proactivity + (0.05 - start.proactivity) * p;
  const personalization = start.personalization + (0.05 - start.personalization) * p;
  return {
    "reward/productivity": round(productivity),
    "reward/proactivity": round(proactivity),
    "reward/personalization": round(personalization),
    "reward/total": round(
      clip(productivity + weights.proactivity * proactivity + weights.personalization * personalization),
    ),
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error("body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res, status, body, headers = {}) {
  if (res.destroyed || res.headersSent) return;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": typeof body === "string" ? "text/plain" : "application/json",
    ...headers,
  });
  res.end(text);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref?.());

export async function startLocalRunner({
  port = 0,
  host = "127.0.0.1",
  stepMs = 1000,
  secrets = [],
  token = "",
  autoRun = true,
  log = () => {},
} = {}) {
  /** @type {Map<string, any>} submission id → job */
  const jobs = new Map();
  const scripts = new Map();
  const calls = new Map();
  let closed = false;

  const find = (id) => jobs.get(id) ?? [...jobs.values()].find((j) => j.job_id === id);
  const terminal = (status) => ["SUCCEEDED", "FAILED", "STOPPED"].includes(status);
  const setStatus = (job, status, message) => {
    if (terminal(job.status)) return;
    job.status = status;
    job.message = message ?? job.message;
    if (status === "RUNNING") job.start_time ??= Date.now();
    if (terminal(status)) job.end_time = Date.now();
  };

  async function callback(job, event) {
    const url = job.metadata?.ppp_callback_url;
    if (!url || !secrets.length) return;
    const body = JSON.stringify(event);
    for (let attempt = 0; attempt < 3 && !closed; attempt++) {
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...signHeaders(secrets, `msg_${randomUUID()}`, body),
          },
          body,
        });
        if (res.ok) return;
        log(`[runner] callback ${event.type} for ${job.submission_id}: ${res.status} ${await res.text()}`);
        if (res.status < 500) return;
      } catch (err) {
        log(`[runner] callback ${event.type} for ${job.submission_id}: ${err}`);
      }
      await sleep(500 * 2 ** attempt);
    }
  }

  async function train(job) {
    try {
      const url = job.metadata?.ppp_payload_url;
      if (!url) throw new Error("metadata.ppp_payload_url is missing");
      const res = await fetch(url, { headers: signHeaders(secrets, `get_${randomUUID()}`, "") });
      if (!res.ok) throw new Error(`payload download: ${res.status} ${await res.text()}`);
      const payload = await res.json();
      const { steps } = curveOf(payload);
      await sleep(Math.min(stepMs, 500));
      setStatus(job, "RUNNING", "Job is currently running.");
      await callback(job, { type: "started", step: 0 });
      for (let step = 1; step <= steps; step++) {
        await sleep(stepMs);
        if (closed || job.status !== "RUNNING") return;
        await callback(job, { type: "progress", step, metrics: stepMetrics(payload, step) });
      }
      if (job.status !== "RUNNING") return;
      setStatus(job, "SUCCEEDED", "Job finished successfully.");
      log(`[runner] ${job.submission_id} SUCCEEDED after ${steps} steps`);
      await callback(job, {
        type: "succeeded",
        step: steps,
        result: {
          steps,
          checkpoint: `local://ppp/${job.submission_id}/step_${steps}`,
          final: stepMetrics(payload, steps),
        },
      });
    } catch (err) {
      setStatus(job, "FAILED", String(err));
      log(`[runner] ${job.submission_id} FAILED: ${err}`);
      await callback(job, { type: "failed", message: String(err) });
    }
  }

  function scripted(id, op) {
    return scripts.get(`${id}\n${op}`)?.shift();
  }

  function submit(id, metadata, entrypoint) {
    if (jobs.has(id)) return null;
    const job = {
      type: "SUBMISSION",
      job_id: `raysubmit_${randomUUID().replaceAll("-", "").slice(0, 16)}`,
      submission_id: id,
      entrypoint,
      status: "PENDING",
      message: "Job has not started yet.",
      metadata,
      start_time: null,
      end_time: null,
    };
    jobs.set(id, job);
    log(`[runner] accepted ${id}`);
    if (autoRun) train(job);
    return job;
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const path = url.pathname;
      const text = req.method === "POST" ? await readBody(req) : "";
      const body = text ? JSON.parse(text) : {};

      if (path === "/__script" && req.method === "POST") {
        const key = `${body.id}\n${body.op}`;
        scripts.set(key, [...(scripts.get(key) ?? []), ...body.replies]);
        return send(res, 200, { queued: scripts.get(key).length });
      }
      if (path === "/__calls" && req.method === "GET")
        return send(res, 200, { calls: calls.get(url.searchParams.get("id")) ?? [] });
      const hook = path.match(/^\/__jobs\/([^/]+)$/);
      if (hook && req.method === "POST") {
        const job = find(decodeURIComponent(hook[1]));
        if (!job) return send(res, 404, "no such job");
        job.status = body.status;
        job.message = body.message ?? job.message;
        return send(res, 200, job);
      }
      if (path === "/api/version")
        return send(res, 200, {
          version: "4",
          ray_version: "local",
          ray_commit: "local",
          session_name: "local",
        });

      const ray = path.match(/^\/api\/jobs\/(?:([^/]+)(\/stop)?)?$/);
      const own = path.match(/^\/jobs(?:\/([^/]+)(\/stop)?)?$/);
      if (!ray && !own) return send(res, 404, "Not Found");
      const id = ray
        ? ray[1]
          ? decodeURIComponent(ray[1])
          : body.submission_id
        : own[1]
          ? decodeURIComponent(own[1])
          : body.id;
      const op = req.method === "POST" && !(ray ?? own)[1] ? "submit" : (ray ?? own)[2] ? "stop" : "status";
      const record = find(id)?.submission_id ?? id;
      if (record) {
        const list = calls.get(record) ?? [];
        list.push({
          op,
          method: req.method,
          path,
          body: text ? body : null,
          authorization: req.headers.authorization ?? null,
        });
        calls.set(record, list);
      }
      if (token && req.headers.authorization !== `Bearer ${token}`) return send(res, 401, "Unauthorized");
      const reply = record ? scripted(record, op) : undefined;
      if (reply?.drop) return req.socket.destroy();
      if (reply) return send(res, reply.status, reply.body ?? `scripted ${reply.status}`, reply.headers);

      if (op === "submit") {
        if (typeof id !== "string" || !id) return send(res, 400, "submission_id is required");
        const metadata = ray
          ? (body.metadata ?? {})
          : { ppp_callback_url: body.callback_url, ppp_payload_url: body.payload_url };
        const job = submit(id, metadata, ray ? body.entrypoint : "http-runner");
        if (ray) {
          if (!job)
            return send(
              res,
              400,
              `ValueError: Job with submission_id ${id} already exists. Please use a different submission_id.`,
            );
          return send(res, 200, { job_id: job.job_id, submission_id: job.submission_id });
        }
        const existing = job ?? jobs.get(id);
        return send(res, job ? 201 : 200, { id, status: existing.status.toLowerCase() });
      }
      const job = find(id);
      if (!job) return send(res, 404, `Job ${id} does not exist`);
      if (op === "stop") {
        const stopped = !terminal(job.status);
        setStatus(job, "STOPPED", "Job was intentionally stopped.");
        return send(res, ray ? 200 : 202, { stopped });
      }
      return send(res, 200, ray ? job : { id, status: job.status.toLowerCase(), message: job.message });
    } catch (err) {
      return send(res, 400, String(err));
    }
  });
  server.on("connection", (socket) => socket.unref());
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  server.unref();
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    jobs,
    close: () =>
      new Promise((resolve) => {
        closed = true;
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
