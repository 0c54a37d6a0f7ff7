/** Our own runner protocol (docs/runner-protocol.md): PUT-like POST /jobs keyed by our id, GET, stop. */
import {
  errorFrom,
  type RunnerAdapter,
  RunnerError,
  type RunnerStatus,
  runnerFetch,
  type SubmitSpec,
} from "./types";

const STATUSES: Record<string, RunnerStatus> = {
  pending: "PENDING",
  running: "RUNNING",
  succeeded: "SUCCEEDED",
  failed: "FAILED",
  stopped: "STOPPED",
};

export function httpAdapter(base: string, token: string | undefined): RunnerAdapter {
  const root = base.replace(/\/+$/, "");
  const headers = {
    "Content-Type": "application/json",
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  };
  return {
    async submit(spec: SubmitSpec) {
      const res = await runnerFetch(
        `${root}/jobs`,
        {
          method: "POST",
          headers,
          body: JSON.stringify({
            id: spec.submissionId,
            kind: spec.kind,
            target: spec.target,
            callback_url: spec.callbackUrl,
            payload_url: spec.payloadUrl,
            config: spec.summary,
            env: spec.env,
          }),
        },
        "http submit",
      );
      // 200 (already known) and 201 (created) both mean: the runner has this job.
      if (!res.ok) throw await errorFrom(res, "http submit");
      return { runnerJobId: spec.submissionId };
    },
    async status(id: string) {
      const res = await runnerFetch(`${root}/jobs/${encodeURIComponent(id)}`, { headers }, "http status");
      if (res.status === 404) return null;
      if (!res.ok) throw await errorFrom(res, "http status");
      const body = (await res.json()) as { status?: string; message?: string | null };
      const status = STATUSES[String(body.status)];
      if (!status) throw new RunnerError("retryable", `http status: unknown status ${body.status}`);
      return { status, message: body.message ?? null };
    },
    async stop(id: string) {
      const res = await runnerFetch(
        `${root}/jobs/${encodeURIComponent(id)}/stop`,
        { method: "POST", headers },
        "http stop",
      );
      if (!res.ok && res.status !== 404) throw await errorFrom(res, "http stop");
    },
    async logs(id: string) {
      // Optional in the protocol: a runner without logs answers 404.
      const res = await runnerFetch(`${root}/jobs/${encodeURIComponent(id)}/logs`, { headers }, "http logs");
      if (res.status === 404) return null;
      if (!res.ok) throw await errorFrom(res, "http logs");
      const body = (await res.json()) as { logs?: unknown };
      return typeof body.logs === "string" ? body.logs : null;
    },
  };
}
