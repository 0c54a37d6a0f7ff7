/**
 * Ray Jobs REST API (the dashboard, port 8265): POST /api/jobs/, GET /api/jobs/{id}, POST /api/jobs/{id}/stop,
 * GET /api/jobs/{id}/logs — as in ray-project/ray master (3.0.0.dev0), python/ray/dashboard/modules/job/.
 * `submission_id` makes the submit idempotent: Ray rejects a reused one with "Job with submission_id … already
 * exists", which its head relays as a 500 wrapping the agent's 400 traceback. That text, on any status, means
 * "we submitted it before": look it up instead.
 * The job's context travels in runtime_env.env_vars; metadata (shown to anyone by GET /api/jobs/) holds only
 * non-secret strings.
 */
import {
  errorFrom,
  type RunnerAdapter,
  RunnerError,
  type RunnerStatus,
  runnerFetch,
  type SubmitSpec,
} from "./types";

const STATUSES = new Set<RunnerStatus>(["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "STOPPED"]);

export interface RayResources {
  entrypoint_num_cpus?: number;
  entrypoint_num_gpus?: number;
  entrypoint_memory?: number;
  entrypoint_resources?: Record<string, number>;
}

const RESOURCE_NAME = /^[A-Za-z_][\w.:/-]*$/;

/**
 * A job's `target` as the entrypoint's Ray resources: comma-separated `gpus=N`, `cpus=N`, `memory=BYTES`,
 * `NAME=N` (a custom resource) or a bare `NAME` (one unit of that custom resource, e.g. a node-pool label).
 * "gpus=4" → entrypoint_num_gpus 4; "gpus=2,A100=1" → also entrypoint_resources {"A100": 1}.
 */
export function parseTarget(target: string | null): RayResources {
  if (!target) return {};
  const out: RayResources = {};
  for (const item of target.split(",").map((s) => s.trim())) {
    const [name, value, ...rest] = item.split("=").map((s) => s.trim());
    const amount = value === undefined ? 1 : Number(value);
    if (
      !name ||
      rest.length ||
      !RESOURCE_NAME.test(name) ||
      value === "" ||
      !Number.isFinite(amount) ||
      amount < 0
    )
      throw new RunnerError(
        "fatal",
        `ray submit: invalid target "${target}" at "${item}": expected comma-separated gpus=N, cpus=N, memory=BYTES, NAME=N or NAME`,
      );
    if (name === "gpus") out.entrypoint_num_gpus = amount;
    else if (name === "cpus") out.entrypoint_num_cpus = amount;
    else if (name === "memory") {
      if (!Number.isInteger(amount))
        throw new RunnerError(
          "fatal",
          `ray submit: invalid target "${target}": memory is a whole number of bytes`,
        );
      out.entrypoint_memory = amount;
    } else out.entrypoint_resources = { ...out.entrypoint_resources, [name]: amount };
  }
  return out;
}

export function rayAdapter(base: string, token: string | undefined, entrypoint: string): RunnerAdapter {
  const root = base.replace(/\/+$/, "");
  const headers = {
    "Content-Type": "application/json",
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  };
  const jobUrl = (id: string) => `${root}/api/jobs/${encodeURIComponent(id)}`;

  async function status(id: string) {
    const res = await runnerFetch(jobUrl(id), { headers }, "ray status");
    if (res.status === 404) return null;
    if (!res.ok) throw await errorFrom(res, "ray status");
    const body = (await res.json()) as { status?: string; message?: string | null };
    const state = String(body.status ?? "").toUpperCase() as RunnerStatus;
    if (!STATUSES.has(state)) throw new RunnerError("retryable", `ray status: unknown status ${body.status}`);
    return { status: state, message: body.message ?? null };
  }

  return {
    async submit(spec: SubmitSpec) {
      // Ray's metadata is a map of strings, readable by anyone with dashboard access: ids and sizes only.
      const metadata: Record<string, string> = {
        ppp_job_id: spec.jobId,
        ppp_kind: spec.kind,
        ...(spec.target ? { ppp_target: spec.target } : {}),
        ...Object.fromEntries(
          Object.entries(spec.summary)
            .filter(([, v]) => ["string", "number", "boolean"].includes(typeof v))
            .map(([k, v]) => [`ppp_${k}`, String(v)]),
        ),
      };
      const res = await runnerFetch(
        `${root}/api/jobs/`,
        {
          method: "POST",
          headers,
          body: JSON.stringify({
            entrypoint,
            submission_id: spec.submissionId,
            runtime_env: { env_vars: spec.env },
            metadata,
            ...parseTarget(spec.target),
          }),
        },
        "ray submit",
      );
      if (res.ok) return { runnerJobId: spec.submissionId };
      const error = await errorFrom(res, "ray submit");
      if (/already exists/i.test(error.body ?? "")) {
        if (await status(spec.submissionId)) return { runnerJobId: spec.submissionId };
        throw new RunnerError("retryable", "ray submit: the submission id exists but cannot be read yet");
      }
      throw error;
    },
    status,
    async stop(id: string) {
      const res = await runnerFetch(`${jobUrl(id)}/stop`, { method: "POST", headers }, "ray stop");
      // 404: nothing left to stop; the next status read decides the job's end.
      if (!res.ok && res.status !== 404) throw await errorFrom(res, "ray stop");
    },
    async logs(id: string) {
      const res = await runnerFetch(`${jobUrl(id)}/logs`, { headers }, "ray logs");
      if (res.status === 404) return null;
      if (!res.ok) throw await errorFrom(res, "ray logs");
      const body = (await res.json()) as { logs?: unknown };
      return typeof body.logs === "string" ? body.logs : null;
    },
  };
}
