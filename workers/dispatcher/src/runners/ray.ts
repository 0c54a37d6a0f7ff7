/**
 * Ray Jobs REST API (the dashboard, port 8265): POST /api/jobs/, GET /api/jobs/{id}, POST /api/jobs/{id}/stop.
 * `submission_id` makes the submit idempotent: Ray rejects a reused one with "already exists" (HTTP 400),
 * which here means "we submitted it before" — look it up instead.
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

export function rayAdapter(base: string, token: string | undefined, entrypoint: string): RunnerAdapter {
  const root = base.replace(/\/+$/, "");
  const headers = {
    "Content-Type": "application/json",
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  };

  async function status(id: string) {
    const res = await runnerFetch(`${root}/api/jobs/${encodeURIComponent(id)}`, { headers }, "ray status");
    if (res.status === 404) return null;
    if (!res.ok) throw await errorFrom(res, "ray status");
    const body = (await res.json()) as { status?: string; message?: string | null };
    const state = String(body.status ?? "").toUpperCase() as RunnerStatus;
    if (!STATUSES.has(state)) throw new RunnerError("retryable", `ray status: unknown status ${body.status}`);
    return { status: state, message: body.message ?? null };
  }

  return {
    async submit(spec: SubmitSpec) {
      // Ray's metadata is a map of strings.
      const metadata: Record<string, string> = {
        ppp_job_id: spec.jobId,
        ppp_kind: spec.kind,
        ppp_callback_url: spec.callbackUrl,
        ppp_payload_url: spec.payloadUrl,
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
          body: JSON.stringify({ entrypoint, submission_id: spec.submissionId, metadata }),
        },
        "ray submit",
      );
      if (res.ok) return { runnerJobId: spec.submissionId };
      const error = await errorFrom(res, "ray submit");
      if (res.status === 400 && /already exists/i.test(error.message)) {
        if (await status(spec.submissionId)) return { runnerJobId: spec.submissionId };
        throw new RunnerError("retryable", "ray submit: the submission id exists but cannot be read yet");
      }
      throw error;
    },
    status,
    async stop(id: string) {
      const res = await runnerFetch(
        `${root}/api/jobs/${encodeURIComponent(id)}/stop`,
        { method: "POST", headers },
        "ray stop",
      );
      // 404: nothing left to stop; the next status read decides the job's end.
      if (!res.ok && res.status !== 404) throw await errorFrom(res, "ray stop");
    },
  };
}
