import { parseRetryAfter } from "../backoff";

/** What the runner says about a job, in Ray's vocabulary (the HTTP protocol maps onto it). */
export type RunnerStatus = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "STOPPED";

export interface RunnerJob {
  status: RunnerStatus;
  message: string | null;
}

export interface SubmitSpec {
  /** Our idempotency key on the runner: `ppp-<job id>`. */
  submissionId: string;
  jobId: string;
  kind: string;
  target: string | null;
  callbackUrl: string;
  payloadUrl: string;
  summary: Record<string, unknown>;
}

/** One interface over Ray Jobs and our own HTTP runner protocol. */
export interface RunnerAdapter {
  /** Submits once; a submission id the runner already knows is looked up, never submitted again. */
  submit(spec: SubmitSpec): Promise<{ runnerJobId: string }>;
  /** null when the runner does not know the job (404). */
  status(runnerJobId: string): Promise<RunnerJob | null>;
  stop(runnerJobId: string): Promise<void>;
}

/**
 * retryable: network errors, 408/425/429 and 5xx (with the runner's Retry-After, if any). fatal: every other
 * 4xx — the request itself is wrong (400/401/403/422) and sending it again cannot help.
 */
export class RunnerError extends Error {
  constructor(
    readonly kind: "retryable" | "fatal",
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const RETRYABLE_4XX = new Set([408, 425, 429]);
export const REQUEST_TIMEOUT_MS = 15_000;

export async function errorFrom(res: Response, what: string): Promise<RunnerError> {
  const text = (await res.text().catch(() => "")).slice(0, 500);
  const message = `${what}: runner answered ${res.status}${text ? `: ${text.trim().split("\n").at(-1)}` : ""}`;
  if (res.status >= 500 || RETRYABLE_4XX.has(res.status))
    return new RunnerError("retryable", message, parseRetryAfter(res.headers.get("Retry-After")));
  return new RunnerError("fatal", message);
}

/** fetch with a timeout; a network failure or timeout becomes a retryable RunnerError. */
export async function runnerFetch(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (err) {
    throw new RunnerError("retryable", `${what}: ${String(err)}`);
  }
}
