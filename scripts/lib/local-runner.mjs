/**
 * A local GPU-job runner on loopback that behaves as a Ray head's Jobs REST API does, checked against Ray's
 * source (ray-project/ray master, 3.0.0.dev0: python/ray/dashboard/modules/job/ job_head.py, job_agent.py,
 * job_manager.py and pydantic_models.py at 007c8cdf, job_supervisor.py at 06a58f81, common.py at 00501e2b,
 * job_log_storage_client.py at 02f650f4; modules/version.py CURRENT_VERSION "5"):
 *
 *   POST   /api/jobs/               JobSubmitRequest → 200 {"job_id", "submission_id"} (both the submission id)
 *   GET    /api/jobs/               [JobDetails]
 *   GET    /api/jobs/{id}           JobDetails; 404 "Job {id} does not exist"
 *   POST   /api/jobs/{id}/stop      {"stopped": bool}
 *   DELETE /api/jobs/{id}           {"deleted": true}; 500 traceback while the job is not terminal
 *   GET    /api/jobs/{id}/logs      {"logs": "..."}
 *   GET    /api/version             {"version", "ray_version", "ray_commit", "session_name"}
 *
 * A job runs its entrypoint as Ray's JobSupervisor does: through /bin/sh in a new session (process group),
 * with the runner's environment plus runtime_env.env_vars (`${VAR}` expanded), PYTHONUNBUFFERED=1 and
 * RAY_JOB_CONFIG_JSON_ENV_VAR, stdout and stderr appended to job-driver-{id}.log. Exit 0 → SUCCEEDED, other →
 * FAILED with the last 10 log lines in `message`; a stop sends SIGTERM to the group, waits
 * RAY_JOB_STOP_WAIT_TIME_S (3 s, Ray's default), then SIGKILLs it → STOPPED. A reused submission_id gets
 * Ray's answer: 500 whose body is the head's traceback wrapping the agent's 400 traceback, ending in
 * "ValueError: Job with submission_id … already exists. Please use a different submission_id." and ".".
 * Not emulated: scheduling on entrypoint_* resources (recorded, never waited for), drivers (job_id and
 * driver_info stay null: the entrypoint does not call ray.init), log tailing over websockets.
 *
 * The same job table also speaks our HTTP runner protocol (POST /jobs, GET /jobs/{id}, POST /jobs/{id}/stop,
 * GET /jobs/{id}/logs), running `entrypoint` with the submitted `env`.
 *
 * Modes: "exec" (default) runs processes; "manual" (or autoRun: false) runs nothing: jobs stay PENDING until a
 * test sets them.
 * Test hooks (scripted per submission id, so parallel test files never share state):
 *   POST /__script {"id", "op": "submit"|"status"|"stop"|"logs"|"delete", "replies": [{"status", "body"?, "headers"?} | {"drop": true}]}
 *   POST /__jobs/{id} {"status", "message"?, "logs"?}   sets a job's status; appends to its log
 *   GET  /__calls?id=…                                  the requests received for that job, in order
 */
import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const MAX_BODY_BYTES = 1024 * 1024;
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "STOPPED"]);
/** job_log_storage_client.py: NUM_LOG_LINES_ON_ERROR, MAX_LOG_SIZE, JOB_LOG_MAX_READ_BYTES. */
const LOG_LINES_ON_ERROR = 10;
const MAX_LOG_CHARS = 20_000;
const MAX_LOG_READ_BYTES = 16 * 1024 * 1024;
const SUBMIT_FIELDS = new Set([
  "entrypoint",
  "submission_id",
  "job_id",
  "runtime_env",
  "metadata",
  "entrypoint_num_cpus",
  "entrypoint_num_gpus",
  "entrypoint_memory",
  "entrypoint_resources",
  "entrypoint_label_selector",
  "retry_policy",
]);
const RAY_DIR = "/usr/lib/python3/site-packages/ray/dashboard/modules/job";

/** A Python traceback as Ray's handlers return it (traceback.format_exc()). */
function traceback(frames, exception) {
  const lines = frames.map(
    ([file, line, fn, code]) => `  File "${RAY_DIR}/${file}", line ${line}, in ${fn}\n    ${code}\n`,
  );
  return `Traceback (most recent call last):\n${lines.join("")}${exception}\n`;
}

/** The head relays an agent's error as RuntimeError(f"Request failed with status code {status}: {text}.") → 500. */
function relayedByHead(handler, agentStatus, agentText) {
  return traceback(
    [
      ["job_head.py", 412, handler, `resp = await job_agent_client.${handler}_internal(...)`],
      [
        "job_head.py",
        62,
        "_raise_error",
        'raise RuntimeError(f"Request failed with status code {status}: {error_text}.")',
      ],
    ],
    `RuntimeError: Request failed with status code ${agentStatus}: ${agentText}.`,
  );
}

const generateSubmissionId = () => {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz123456789";
  return `raysubmit_${Array.from({ length: 16 }, () => alphabet[randomInt(alphabet.length)]).join("")}`;
};

/** Ray's `pythonic` type names, for the validation messages of JobSubmitRequest.__post_init__. */
const pyType = (v) =>
  `<class '${v === null ? "NoneType" : Array.isArray(v) ? "list" : typeof v === "string" ? "str" : typeof v === "boolean" ? "bool" : typeof v === "number" ? (Number.isInteger(v) ? "int" : "float") : "dict"}'>`;
const isDict = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const isNumber = (v) => typeof v === "number";

/** JobSubmitRequest(**body) with None-valued keys stripped first (utils.parse_and_validate_request). */
function validateSubmit(raw) {
  const body = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null));
  const unknown = Object.keys(body).find((k) => !SUBMIT_FIELDS.has(k));
  if (unknown)
    return `TypeError: JobSubmitRequest.__init__() got an unexpected keyword argument '${unknown}'`;
  if (!("entrypoint" in body))
    return "TypeError: JobSubmitRequest.__init__() missing 1 required positional argument: 'entrypoint'";
  if (typeof body.entrypoint !== "string")
    return `TypeError: entrypoint must be a string, got ${pyType(body.entrypoint)}`;
  for (const k of ["submission_id", "job_id"])
    if (k in body && typeof body[k] !== "string")
      return `TypeError: ${k} must be a string if provided, got ${pyType(body[k])}`;
  for (const k of ["runtime_env", "metadata", "entrypoint_resources"])
    if (k in body && !isDict(body[k])) return `TypeError: ${k} must be a dict, got ${pyType(body[k])}`;
  if (body.metadata && Object.values(body.metadata).some((v) => typeof v !== "string"))
    return `TypeError: metadata values must be strings, got ${pyType(Object.values(body.metadata).find((v) => typeof v !== "string"))}`;
  for (const k of ["entrypoint_num_cpus", "entrypoint_num_gpus"])
    if (k in body && !isNumber(body[k])) return `TypeError: ${k} must be a number, got ${pyType(body[k])}`;
  if ("entrypoint_memory" in body && !Number.isInteger(body.entrypoint_memory))
    return `TypeError: entrypoint_memory must be an integer, got ${pyType(body.entrypoint_memory)}`;
  if (body.entrypoint_resources && Object.values(body.entrypoint_resources).some((v) => !isNumber(v)))
    return "TypeError: entrypoint_resources values must be numbers";
  const envVars = body.runtime_env?.env_vars;
  if (
    envVars !== undefined &&
    envVars !== null &&
    (!isDict(envVars) || Object.values(envVars).some((v) => typeof v !== "string"))
  )
    return "TypeError: runtime_env.env_vars must be a Dict[str, str]";
  return body;
}

/** JobInfo.__post_init__: the default message of each status. */
function defaultMessage(job) {
  switch (job.status) {
    case "PENDING": {
      let message = "Job has not started yet.";
      const r = job.request;
      if (
        (r.entrypoint_num_cpus ?? 0) > 0 ||
        (r.entrypoint_num_gpus ?? 0) > 0 ||
        (r.entrypoint_memory ?? 0) > 0 ||
        Object.keys(r.entrypoint_resources ?? {}).length
      )
        message +=
          " It may be waiting for resources (CPUs, GPUs, memory, custom resources) to become available.";
      if (r.runtime_env && Object.keys(r.runtime_env).length)
        message += " It may be waiting for the runtime environment to be set up.";
      return message;
    }
    case "RUNNING":
      return "Job is currently running.";
    case "STOPPED":
      return "Job was intentionally stopped.";
    case "SUCCEEDED":
      return "Job finished successfully.";
    default:
      return "Job failed.";
  }
}

/** JobDetails as GET /api/jobs/{id} returns it (pydantic_models.py). */
function details(job) {
  const r = job.request;
  return {
    type: "SUBMISSION",
    job_id: null,
    submission_id: job.submission_id,
    driver_info: null,
    status: job.status,
    entrypoint: r.entrypoint,
    message: job.message,
    error_type: job.error_type,
    start_time: job.start_time,
    end_time: job.end_time,
    metadata: r.metadata ?? null,
    runtime_env: r.runtime_env ?? null,
    driver_agent_http_address: job.driver_agent_http_address,
    driver_node_id: job.driver_node_id,
    driver_exit_code: job.driver_exit_code,
    retry_policy: r.retry_policy ?? null,
    attempt_number: 0,
  };
}

/** `${VAR}` in runtime_env.env_vars refers to the existing environment, as in Ray. */
const expand = (value, base) =>
  value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name) => base[name] ?? "");

function onPath(command, envPath = "") {
  return envPath
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        fs.accessSync(path.join(dir, command), fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** The last `lines` lines, at most MAX_LOG_CHARS characters (fast_tail_last_n_lines). */
export function tailLines(text, lines = LOG_LINES_ON_ERROR, maxChars = MAX_LOG_CHARS) {
  const all = text.replace(/\n$/, "").split("\n");
  return all.slice(-lines).join("\n").slice(-maxChars);
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
    "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
    ...headers,
  });
  res.end(text);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref?.());

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {}
}

export async function startLocalRunner({
  port = 0,
  host = "127.0.0.1",
  mode,
  autoRun = true,
  token = "",
  entrypoint = "python -m userville.train",
  env = {},
  cwd = process.cwd(),
  stopWaitSeconds = Number(process.env.RAY_JOB_STOP_WAIT_TIME_S ?? 3),
  startDelayMs = 100,
  logDir,
  log = () => {},
} = {}) {
  const runMode = mode ?? (autoRun ? "exec" : "manual");
  const logs = logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "userville-runner-"));
  fs.mkdirSync(logs, { recursive: true });
  const baseEnv = { ...process.env, ...env };
  // Ray images have `python`; a machine with only python3 gets a shim first on the children's PATH.
  if (runMode === "exec" && !onPath("python", baseEnv.PATH) && onPath("python3", baseEnv.PATH)) {
    const bin = path.join(logs, "bin");
    fs.mkdirSync(bin, { recursive: true });
    const python3 = baseEnv.PATH.split(path.delimiter)
      .map((d) => path.join(d, "python3"))
      .find((p) => fs.existsSync(p));
    fs.rmSync(path.join(bin, "python"), { force: true });
    fs.symlinkSync(python3, path.join(bin, "python"));
    baseEnv.PATH = `${bin}${path.delimiter}${baseEnv.PATH}`;
  }
  const sessionName = `session_local_${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}_${process.pid}`;

  /** @type {Map<string, any>} submission id → job */
  const jobs = new Map();
  const scripts = new Map();
  const calls = new Map();
  let closed = false;

  const logPath = (id) => path.join(logs, `job-driver-${id.replace(/[^\w.-]/g, "_")}.log`);
  const readLog = (id) => {
    try {
      const file = logPath(id);
      const size = fs.statSync(file).size;
      if (size <= MAX_LOG_READ_BYTES) return fs.readFileSync(file, "utf8");
      const fd = fs.openSync(file, "r");
      const buffer = Buffer.alloc(MAX_LOG_READ_BYTES);
      fs.readSync(fd, buffer, 0, MAX_LOG_READ_BYTES, size - MAX_LOG_READ_BYTES);
      fs.closeSync(fd);
      const tail = buffer.toString("utf8");
      return `[LOG TRUNCATED — showing last 16 MiB of ${(size / 1024 ** 2).toFixed(1)} MiB total]\n${tail.slice(tail.indexOf("\n") + 1)}`;
    } catch {
      return "";
    }
  };

  function setStatus(job, status, extra = {}) {
    if (TERMINAL.has(job.status)) return;
    job.status = status;
    job.message = extra.message ?? defaultMessage(job);
    job.error_type = extra.error_type ?? null;
    if ("driver_exit_code" in extra) job.driver_exit_code = extra.driver_exit_code;
    if (TERMINAL.has(status)) job.end_time = Date.now();
    log(
      `[runner] ${job.submission_id} ${status}${status === "FAILED" ? `: ${job.message.split("\n")[0]}` : ""}`,
    );
  }

  /** JobSupervisor.run after the process ended (exit code as Popen.returncode: -N for signal N). */
  function finish(job, code) {
    if (job.stopping) return setStatus(job, "STOPPED");
    if (code === 0) return setStatus(job, "SUCCEEDED", { driver_exit_code: 0 });
    const tail = tailLines(readLog(job.submission_id));
    setStatus(job, "FAILED", {
      driver_exit_code: code,
      error_type: "JOB_ENTRYPOINT_COMMAND_ERROR",
      message: tail
        ? `Job entrypoint command failed with exit code ${code}, last available logs (truncated to 20,000 chars):\n${tail}`
        : `Job entrypoint command failed with exit code ${code}. No logs available.`,
    });
  }

  function childEnv(job) {
    const vars = job.request.runtime_env?.env_vars ?? {};
    const merged = { ...baseEnv };
    for (const [k, v] of Object.entries(vars)) merged[k] = expand(v, baseEnv);
    const metadata = {
      job_submission_id: job.submission_id,
      job_name: job.submission_id,
      ...job.request.metadata,
    };
    return {
      ...merged,
      RAY_JOB_CONFIG_JSON_ENV_VAR: JSON.stringify({ runtime_env: job.request.runtime_env ?? {}, metadata }),
      PYTHONUNBUFFERED: "1",
    };
  }

  function start(job) {
    if (closed || TERMINAL.has(job.status)) return;
    if (job.stopping) return setStatus(job, "STOPPED");
    job.driver_agent_http_address = `http://${host}:${server.address().port}`;
    job.driver_node_id = "local";
    setStatus(job, "RUNNING");
    const file = logPath(job.submission_id);
    fs.appendFileSync(file, `Running entrypoint for job ${job.submission_id}: ${job.request.entrypoint}\n`);
    const fd = fs.openSync(file, "a");
    try {
      const child = spawn(job.request.entrypoint, {
        shell: "/bin/sh",
        detached: true,
        stdio: ["ignore", fd, fd],
        env: childEnv(job),
        cwd,
      });
      job.child = child;
      child.on("error", (err) => {
        fs.appendFileSync(file, `${err.stack ?? err}\n`);
        setStatus(job, "FAILED", {
          error_type: "JOB_ENTRYPOINT_COMMAND_START_ERROR",
          message: traceback(
            [["job_supervisor.py", 441, "run", "child_process = self._exec_entrypoint(env, log_path)"]],
            String(err),
          ),
        });
      });
      child.on("exit", (code, signal) => {
        job.exited = true;
        const returncode = code ?? -(os.constants.signals[signal] ?? 1);
        // A stop waits for the whole group (stop()); otherwise the entrypoint's exit decides.
        if (!job.stopping) finish(job, returncode);
      });
    } finally {
      fs.closeSync(fd);
    }
  }

  /** JobSupervisor: SIGTERM to the process group, RAY_JOB_STOP_WAIT_TIME_S to go, then SIGKILL → STOPPED. */
  async function stop(job) {
    if (TERMINAL.has(job.status) || job.stopping) return !TERMINAL.has(job.status);
    job.stopping = true;
    const pid = job.child?.pid;
    if (!pid) {
      setStatus(job, "STOPPED");
      return true;
    }
    (async () => {
      signalGroup(pid, "SIGTERM");
      const deadline = Date.now() + stopWaitSeconds * 1000;
      while (Date.now() < deadline && (groupAlive(pid) || !job.exited)) await sleep(100);
      if (groupAlive(pid) || !job.exited) {
        log(`[runner] ${job.submission_id} did not exit within ${stopWaitSeconds} s of SIGTERM: SIGKILL`);
        signalGroup(pid, "SIGKILL");
        while (!job.exited) await sleep(20);
      }
      setStatus(job, "STOPPED");
    })();
    return true;
  }

  function submit(request) {
    const id = request.submission_id ?? request.job_id ?? generateSubmissionId();
    if (jobs.has(id)) return null;
    const job = {
      submission_id: id,
      request,
      status: "PENDING",
      message: null,
      error_type: null,
      start_time: Date.now(),
      end_time: null,
      driver_agent_http_address: null,
      driver_node_id: null,
      driver_exit_code: null,
    };
    job.message = defaultMessage(job);
    jobs.set(id, job);
    log(`[runner] accepted ${id}: ${request.entrypoint}`);
    // The supervisor actor starts asynchronously: the submit answers while the job is PENDING.
    if (runMode !== "manual") setTimeout(() => start(job), startDelayMs);
    return job;
  }

  const scripted = (id, op) => scripts.get(`${id}\n${op}`)?.shift();

  function record(id, entry) {
    if (!id) return;
    const list = calls.get(id) ?? [];
    list.push(entry);
    calls.set(id, list);
  }

  async function handleRay(req, res, match, body, text) {
    const [, rawId, action] = match;
    const id = rawId
      ? decodeURIComponent(rawId)
      : typeof body?.submission_id === "string"
        ? body.submission_id
        : undefined;
    const op = !rawId
      ? req.method === "POST"
        ? "submit"
        : "list"
      : action === "/stop"
        ? "stop"
        : action === "/logs"
          ? "logs"
          : req.method === "DELETE"
            ? "delete"
            : "status";
    if (intercepted(req, res, match, body, text, id, op)) return;

    if (op === "list" && req.method === "GET") return send(res, 200, [...jobs.values()].map(details));
    if (op === "submit") {
      if (body === undefined)
        return send(res, 500, "500 Internal Server Error\n\nServer got itself in trouble");
      const request = isDict(body)
        ? validateSubmit(body)
        : "TypeError: JobSubmitRequest() argument after ** must be a mapping";
      if (typeof request === "string")
        return send(
          res,
          400,
          traceback(
            [
              [
                "utils.py",
                71,
                "parse_and_validate_request",
                "return validate_request_type(json_data, request_type)",
              ],
            ],
            request,
          ),
        );
      const job = submit(request);
      if (!job) {
        const sid = request.submission_id ?? request.job_id;
        const agent = traceback(
          [
            ["job_agent.py", 45, "submit_job", "submission_id = await self.get_job_manager().submit_job("],
            ["job_manager.py", 586, "submit_job", "raise ValueError("],
          ],
          `ValueError: Job with submission_id ${sid} already exists. Please use a different submission_id.`,
        );
        return send(res, 500, relayedByHead("submit_job", 400, agent));
      }
      return send(res, 200, { job_id: job.submission_id, submission_id: job.submission_id });
    }
    const job = jobs.get(id);
    if (!job) return send(res, 404, `Job ${id} does not exist`);
    if (op === "stop" && req.method === "POST") return send(res, 200, { stopped: await stop(job) });
    if (op === "logs" && req.method === "GET")
      return send(res, 200, {
        logs: job.driver_agent_http_address || runMode === "manual" ? readLog(id) : "",
      });
    if (op === "delete") {
      if (!TERMINAL.has(job.status)) {
        const agent = traceback(
          [["job_manager.py", 690, "delete_job", "raise RuntimeError("]],
          `RuntimeError: Attempted to delete job '${id}', but it is in a non-terminal state ${job.status}.`,
        );
        return send(res, 500, relayedByHead("delete_job", 500, agent));
      }
      jobs.delete(id);
      fs.rmSync(logPath(id), { force: true });
      return send(res, 200, { deleted: true });
    }
    if (op === "status" && req.method === "GET") return send(res, 200, details(job));
    return send(res, 405, "405: Method Not Allowed");
  }

  /**
   * What both APIs do first: record the call for the tests, check the bearer token, and answer a scripted reply
   * if one is queued for this job and operation. True when the request was answered here.
   */
  function intercepted(req, res, match, body, text, id, op) {
    record(id, {
      op,
      method: req.method,
      path: match[0],
      body: text ? body : null,
      authorization: req.headers.authorization ?? null,
    });
    if (token && req.headers.authorization !== `Bearer ${token}`) {
      send(res, 401, "Unauthorized");
      return true;
    }
    const reply = id ? scripted(id, op) : undefined;
    if (reply?.drop) req.socket.destroy();
    else if (reply) send(res, reply.status, reply.body ?? `scripted ${reply.status}`, reply.headers);
    return Boolean(reply);
  }

  /** Our HTTP runner protocol over the same jobs (docs/runner-protocol.md). */
  async function handleOwn(req, res, match, body, text) {
    const [, rawId, action] = match;
    const id = rawId ? decodeURIComponent(rawId) : typeof body?.id === "string" ? body.id : undefined;
    const op = !rawId ? "submit" : action === "/stop" ? "stop" : action === "/logs" ? "logs" : "status";
    if (intercepted(req, res, match, body, text, id, op)) return;
    if (op === "submit") {
      if (req.method !== "POST") return send(res, 405, "method not allowed");
      if (!id) return send(res, 400, "id is required");
      const vars = body.env ?? {};
      if (!isDict(vars) || Object.values(vars).some((v) => typeof v !== "string"))
        return send(res, 400, "env must be an object of strings");
      const job = submit({ entrypoint, submission_id: id, runtime_env: { env_vars: vars }, metadata: {} });
      const known = job ?? jobs.get(id);
      return send(res, job ? 201 : 200, { id, status: known.status.toLowerCase() });
    }
    const job = jobs.get(id);
    if (!job) return send(res, 404, `no job ${id}`);
    if (op === "stop") return send(res, 202, { stopped: await stop(job) });
    if (op === "logs") return send(res, 200, { logs: readLog(id) });
    return send(res, 200, { id, status: job.status.toLowerCase(), message: job.message });
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const route = url.pathname;
      const text = req.method === "POST" || req.method === "PUT" ? await readBody(req) : "";
      let body;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        body = undefined;
      }

      if (route === "/__script" && req.method === "POST") {
        const key = `${body.id}\n${body.op}`;
        scripts.set(key, [...(scripts.get(key) ?? []), ...body.replies]);
        return send(res, 200, { queued: scripts.get(key).length });
      }
      if (route === "/__calls" && req.method === "GET")
        return send(res, 200, { calls: calls.get(url.searchParams.get("id")) ?? [] });
      const hook = route.match(/^\/__jobs\/([^/]+)$/);
      if (hook && req.method === "POST") {
        const job = jobs.get(decodeURIComponent(hook[1]));
        if (!job) return send(res, 404, "no such job");
        if (body.logs) fs.appendFileSync(logPath(job.submission_id), body.logs);
        job.status = body.status ?? job.status;
        job.message = body.message ?? defaultMessage(job);
        if (TERMINAL.has(job.status)) job.end_time ??= Date.now();
        return send(res, 200, details(job));
      }
      if (route === "/api/version" && req.method === "GET")
        return send(res, 200, {
          version: "5",
          ray_version: "3.0.0.dev0",
          ray_commit: "local-runner",
          session_name: sessionName,
        });
      const ray = route.match(/^\/api\/jobs\/(?:([^/]+)(\/stop|\/logs)?)?$/);
      if (ray) return await handleRay(req, res, ray, body, text);
      const own = route.match(/^\/jobs(?:\/([^/]+)(\/stop|\/logs)?)?$/);
      if (own) {
        if (body === undefined) return send(res, 400, "invalid JSON");
        return await handleOwn(req, res, own, body, text);
      }
      return send(res, 404, "404: Not Found");
    } catch (err) {
      return send(res, 500, String(err?.stack ?? err));
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
    logDir: logs,
    mode: runMode,
    close: () =>
      new Promise((resolve) => {
        closed = true;
        // Ray's fate sharing: when the supervisor goes, its process group is SIGKILLed.
        for (const job of jobs.values())
          if (job.child?.pid && !job.exited) signalGroup(job.child.pid, "SIGKILL");
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
